"""The async database engine and session factory, for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

import bot.db.models  # noqa: F401 - registers the tables on SQLModel.metadata

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any fixed 64-bit number, the same in every process of this app.
_MIGRATE_LOCK = 0x5EC0_BA5E


class Database:
    """One engine and its session factory; `session()` gives one transaction per use."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.is_postgres = self.url.get_backend_name() == "postgresql"
        if self.is_sqlite and self.url.database and self.url.database != ":memory:":
            Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_postgres:
            kwargs |= {"pool_size": 10, "max_overflow": 10, "pool_pre_ping": True}
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """Open a session, commit when the block succeeds and roll back when it raises."""
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
        """Apply Alembic migrations up to the newest revision."""
        from alembic import command

        config = alembic_config(self.url.render_as_string(hide_password=False))
        async with self.engine.begin() as conn:
            if self.is_postgres:
                # Several processes may start at once on an empty database: one migrates, the
                # others wait here and then find nothing left to do. Released at commit.
                await conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATE_LOCK}
                )
            await conn.run_sync(_run_upgrade, config, command)

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


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
    # WAL lets readers work while the dispatcher writes; busy_timeout waits instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
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
