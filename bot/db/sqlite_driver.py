"""SQLite run on the event loop's own thread, waiting for a busy database without blocking it.

SQLAlchemy's aiosqlite adapter sends every database call (check out a connection, run a
statement, fetch its rows, commit, roll back on return to the pool) to aiosqlite's worker
thread and waits for the answer: each call is a queue hand-off, a thread wake-up and a
wake-up of the event loop. The bot's statements take a few microseconds in SQLite itself, so
those hand-offs were a third of the database's cost per update (a transaction reading the
user and their run and inserting a practice attempt: 1.3-1.5 ms of CPU through the thread,
0.8 ms here, the same process alternating the two; the per-update figures are in README,
Development).

Here every call runs the `sqlite3` module directly, as the sync pysqlite driver would, behind
SQLAlchemy's own aiosqlite dialect (the URL stays `sqlite+aiosqlite://`). What the thread
gave us, and how it is kept:

- **Waiting for a lock without freezing the bot.** Another connection holding SQLite's write
  lock (the dispatcher committing a batch, or another process) makes a statement fail with
  SQLITE_BUSY. A busy timeout inside SQLite would sleep on the event loop's thread, and if
  the lock holder is a coroutine of this process it could never finish: a stall. So SQLite's
  own busy timeout is 0 on these connections, and a busy statement is retried here after an
  `asyncio.sleep` (1 ms, doubling to 50 ms, for up to BUSY_WAIT_SECONDS, the 5 s the thread
  driver's busy timeout gave), which lets every other coroutine run meanwhile.
- **Work that takes long.** A statement that runs for long (a retention purge of years of
  rows, say) now holds the loop while it runs. The bot's statements are indexed look-ups and
  single-row writes; the large ones (/export, /insights over three years, the daily purge)
  take a few milliseconds on SQLite (tests/benchmarks/bench_data.py). A deployment big
  enough for that to matter is one for PostgreSQL.

Transactions are exactly the sqlite3 module's (the pysqlite dialect's) semantics, as before:
the aiosqlite driver only moved the same calls to another thread.
"""

from __future__ import annotations

import asyncio
import collections
import sqlite3
import time
from collections.abc import Callable
from typing import Any, TypeVar

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_, in_greenlet

# How long a statement waits for another connection's write lock before it fails, as the
# thread driver's `PRAGMA busy_timeout=5000` did.
BUSY_WAIT_SECONDS = 5.0
_FIRST_PAUSE = 0.001
_LONGEST_PAUSE = 0.05

_T = TypeVar("_T")
_Outcome = tuple[Any, list[Any] | None, int, int | None]


def _busy(error: sqlite3.OperationalError) -> bool:
    """Whether another connection holds the lock (worth waiting for), not a real failure."""
    return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY


async def patiently(call: Callable[..., _T], *args: Any) -> _T:
    """Run one sqlite3 call; while the database is busy, let the loop run and try again.

    Awaited through SQLAlchemy's `await_`, so the call runs in the event loop's task, and
    SQLAlchemy sees the await its async engine requires of every statement."""
    deadline: float | None = None
    pause = _FIRST_PAUSE
    while True:
        try:
            return call(*args)
        except sqlite3.OperationalError as error:
            if not _busy(error):
                raise
            now = time.monotonic()
            if deadline is None:
                deadline = now + BUSY_WAIT_SECONDS
            if now >= deadline:
                raise
            await asyncio.sleep(min(pause, deadline - now))
            pause = min(pause * 2, _LONGEST_PAUSE)


def _run(connection: sqlite3.Connection, operation: Any, parameters: Any, many: bool) -> _Outcome:
    """One statement from cursor to close: rows, description, row count and last row id."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else None
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class InlineCursor(AsyncAdapt_aiosqlite_cursor):
    """A client-side cursor: each execute runs the whole statement at once and keeps its rows."""

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_raw", "_rowcount")

    def __init__(self, adapt_connection: InlineConnection) -> None:
        self._adapt_connection = adapt_connection
        self._raw = adapt_connection.raw
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]  # no driver cursor outlives a call
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _async_soft_close(self) -> None:
        return None

    def close(self) -> None:
        self._rows.clear()

    def execute(self, operation: Any, parameters: Any = None) -> None:
        self._one_call(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> None:
        self._one_call(operation, seq_of_parameters, many=True)

    def _one_call(self, operation: Any, parameters: Any, *, many: bool) -> None:
        outcome = await_(patiently(_run, self._raw, operation, parameters, many))
        self._description, rows, self._rowcount, self._lastrowid = outcome
        if rows is not None:
            self._rows = collections.deque(rows)

    def nextset(self) -> None:
        return None

    def setinputsizes(self, *_sizes: Any) -> None:
        return None


class InlineConnection(AsyncAdapt_aiosqlite_connection):
    """SQLAlchemy's aiosqlite connection adapter over a plain sqlite3 connection."""

    __slots__ = ("raw",)
    _cursor_cls = InlineCursor  # type: ignore[assignment]
    _ss_cursor_cls = InlineCursor  # type: ignore[assignment]

    def __init__(self, dbapi: Any, raw: sqlite3.Connection) -> None:
        self.dbapi = dbapi
        self.raw = raw
        # What SQLAlchemy hands out as the driver connection (`get_driver_connection`).
        self._connection = raw  # type: ignore[assignment]

    @property
    def isolation_level(self) -> str | None:
        return self.raw.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self.raw.isolation_level = value  # type: ignore[assignment]

    def create_function(self, *args: Any, **kw: Any) -> None:
        self.raw.create_function(*args, **kw)

    def rollback(self) -> None:
        self.raw.rollback()

    def commit(self) -> None:
        if in_greenlet():
            await_(patiently(self.raw.commit))
        else:  # SQLAlchemy cleaning up outside a greenlet
            self.raw.commit()

    def close(self) -> None:
        self.raw.close()

    def terminate(self) -> None:
        self.raw.close()


class InlineDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module SQLAlchemy's aiosqlite dialect uses, handing out inline connections."""

    def connect(self, *arg: Any, **kw: Any) -> InlineConnection:
        kw.pop("async_creator_fn", None)
        # Only the loop's thread uses a connection; SQLAlchemy may close one from another
        # thread when it is garbage-collected.
        kw["check_same_thread"] = False
        return InlineConnection(self, sqlite3.connect(*arg, **kw))


def inline_dbapi() -> InlineDBAPI:
    """The module to pass as `module=` to create_async_engine for sqlite+aiosqlite URLs."""
    return InlineDBAPI(aiosqlite, sqlite3)
