"""The async database engine and session factory, for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

import bot.db.models  # noqa: F401 - registers the tables on SQLModel.metadata
from bot.db.sqlite_driver import InlineConnection, inline_dbapi

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any fixed 64-bit number, the same in every process of this app.
_MIGRATE_LOCK = 0x5EC0_BA5E


class _Unit:
    """The session every `Database.session()` block of one update shares, until it settles."""

    __slots__ = ("database", "done", "session")

    def __init__(self, database: Database) -> None:
        self.database = database
        self.session: AsyncSession | None = None
        self.done = False

    async def finish(self, *, commit: bool) -> None:
        """Commit (or roll back) what the update wrote so far; later blocks stand alone."""
        if self.done:
            return
        self.done = True
        session, self.session = self.session, None
        if session is None:
            return
        try:
            if commit:
                await session.commit()
            else:
                await session.rollback()
        except BaseException:
            if commit:
                with contextlib.suppress(Exception):
                    await session.rollback()
                raise
        finally:
            with contextlib.suppress(Exception):
                await session.close()


_UNIT: ContextVar[_Unit | None] = ContextVar("secure_base_db_unit", default=None)


async def settle() -> None:
    """Commit the current update's work now, before a message about it goes out.

    Called before every send: what the bot tells a user is stored first, and no database
    transaction (on SQLite, the write lock) stays open while a request waits for Telegram.
    """
    unit = _UNIT.get()
    if unit is not None:
        await unit.finish(commit=True)


async def abandon() -> None:
    """Roll back what the current update wrote and has not settled (it failed half-way)."""
    unit = _UNIT.get()
    if unit is not None:
        with contextlib.suppress(Exception):
            await unit.finish(commit=False)


class Database:
    """One engine and its session factory; `session()` gives one transaction per use.

    Inside `unit()` (every update the Application handles), the `session()` blocks share one
    session and one transaction instead, committed by `settle()` before the first message goes
    out or at the end of the update, and rolled back whole when a block fails: one update
    costs one connection checkout and one commit, and never leaves half its writes behind.
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.is_postgres = self.url.get_backend_name() == "postgresql"
        if self.is_sqlite and self.url.database and self.url.database != ":memory:":
            Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_postgres:
            kwargs |= {"pool_size": 10, "max_overflow": 10, "pool_pre_ping": True}
        if self.is_sqlite and self.url.get_driver_name() == "aiosqlite":
            # SQLite on the loop's thread: no hand-off to aiosqlite's thread per call.
            kwargs["module"] = inline_dbapi()
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[None]:
        """Let every `session()` block inside share one transaction (see the class)."""
        unit = _Unit(self)
        token = _UNIT.set(unit)
        try:
            yield
        except BaseException:
            with contextlib.suppress(Exception):
                await unit.finish(commit=False)
            raise
        else:
            await unit.finish(commit=True)
        finally:
            _UNIT.reset(token)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """Open a session, commit when the block succeeds and roll back when it raises
        (inside `unit()`: the update's shared session, see the class)."""
        unit = _UNIT.get()
        if unit is not None and not unit.done and unit.database is self:
            if unit.session is None:
                unit.session = self._sessions()
            try:
                yield unit.session
            except BaseException:
                with contextlib.suppress(Exception):
                    await unit.finish(commit=False)
                raise
            return
        async with self._sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def create_all(self) -> None:
        """Create every table directly (tests); production uses migrations."""
        async with self.engine.begin() as conn:
            await conn.run_sync(SQLModel.metadata.create_all)

    async def ping(self) -> bool:
        """Return whether the database answers a trivial query."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:  # any failure at all means "not healthy"
            return False
        return True

    async def upgrade(self) -> None:
        """Apply Alembic migrations up to the newest revision.

        A database already at the newest revision (every start but the first after an
        upgrade) is recognised with one query, without importing Alembic at all."""
        head = script_head()
        async with self.engine.begin() as conn:
            if self.is_postgres:
                # Several processes may start at once on an empty database: one migrates, the
                # others wait here and then find nothing left to do. Released at commit.
                await conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATE_LOCK}
                )
            if head is not None and await self._revision(conn) == head:
                return
            from alembic import command

            config = alembic_config(self.url.render_as_string(hide_password=False))
            await conn.run_sync(_run_upgrade, config, command)

    async def _revision(self, conn: Any) -> str | None:
        """The database's one Alembic revision, or None (no table yet, or several heads)."""
        if self.is_postgres:
            found = await conn.scalar(text("SELECT to_regclass('alembic_version')"))
        elif self.is_sqlite:
            found = await conn.scalar(
                text(
                    "SELECT name FROM sqlite_master"
                    " WHERE type = 'table' AND name = 'alembic_version'"
                )
            )
        else:
            return None
        if found is None:
            return None
        rows = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
        return str(rows[0][0]) if len(rows) == 1 else None

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


_REVISION = re.compile(r"^revision\s*(?::[^=]+)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]+)?=\s*(.+)$", re.MULTILINE)


def script_head() -> str | None:
    """The newest migration's revision id, read from the files in versions/ (without
    Alembic); None when that is not one clear answer, so Alembic decides."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN.search(source)
        if revision is None or down is None:
            return None
        revisions.add(revision.group(1))
        parents.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _run_upgrade(connection: Any, config: Any, command: Any) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def alembic_config(url: str) -> Any:
    """Build the Alembic configuration for the migrations that ship in this package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while the dispatcher writes; busy_timeout waits instead of failing,
    # except on the loop's thread, where waiting is the driver's job (see sqlite_driver).
    inline = isinstance(dbapi_connection, InlineConnection)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={0 if inline else 5000}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


async def upgrade(url: str) -> None:
    """Apply migrations to the database at this URL (for `python -m bot db upgrade`)."""
    database = Database(url)
    try:
        await database.upgrade()
    finally:
        await database.dispose()


def run_upgrade(url: str) -> None:
    """Synchronous wrapper for the CLI."""
    asyncio.run(upgrade(url))
