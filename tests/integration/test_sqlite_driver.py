"""SQLite on the event loop's thread: a locked database is waited for without freezing the bot.

The driver (bot/db/sqlite_driver.py) runs sqlite3 calls directly on the loop's thread. If it
let SQLite's busy timeout wait there, a coroutine holding the write lock could never reach
its commit while another one waited: the bot would stall for the whole timeout and then fail.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bot.db import sqlite_driver
from bot.db.engine import Database
from bot.db.models import User

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


async def _database(tmp_path: Path) -> Database:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    await database.create_all()
    return database


async def _hold_write_lock(database: Database, locked: asyncio.Event, seconds: float) -> None:
    """Write a row and keep the transaction (SQLite's write lock) open for a while."""
    async with database.session() as session:
        session.add(User(id=1, consented_at=NOW))
        await session.flush()
        locked.set()
        await asyncio.sleep(seconds)


async def test_a_writer_waits_for_a_lock_held_by_another_coroutine(tmp_path: Path) -> None:
    database = await _database(tmp_path)
    locked = asyncio.Event()
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    async def second_writer() -> None:
        await locked.wait()
        async with database.session() as session:
            session.add(User(id=2, consented_at=NOW))
            await session.flush()

    clock = asyncio.create_task(ticker())
    try:
        await asyncio.wait_for(
            asyncio.gather(_hold_write_lock(database, locked, 0.3), second_writer()), timeout=4
        )
    finally:
        clock.cancel()
    # The loop kept running while the second writer waited: about 30 ticks in 0.3 s.
    assert ticks >= 10
    async with database.session() as session:
        stored = (await session.exec(select(User.id).order_by(User.id))).all()
    assert stored == [1, 2]
    await database.engine.dispose()


async def test_a_lock_held_too_long_fails_the_waiting_statement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_driver, "BUSY_WAIT_SECONDS", 0.1)
    database = await _database(tmp_path)
    locked = asyncio.Event()

    async def impatient_writer() -> None:
        await locked.wait()
        async with database.session() as session:
            session.add(User(id=2, consented_at=NOW))
            await session.flush()

    holder = asyncio.create_task(_hold_write_lock(database, locked, 0.6))
    with pytest.raises(OperationalError, match="database is locked"):
        await impatient_writer()
    await holder
    async with database.session() as session:
        stored = (await session.exec(select(User.id))).all()
    assert stored == [1]
    await database.engine.dispose()


async def test_sqlite_itself_never_waits_on_the_loops_thread(tmp_path: Path) -> None:
    database = await _database(tmp_path)
    async with database.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        assert isinstance(raw.dbapi_connection, sqlite_driver.InlineConnection)
        timeout = raw.dbapi_connection.raw.execute("PRAGMA busy_timeout").fetchone()
    assert timeout == (0,)
    await database.engine.dispose()
