"""Shared fixtures: settings, a frozen clock, the real content, a fake Telegram and the app.

Conversation tests drive the real Application through `process_update` with the in-process
fake Bot API (bot/fakeapi), which validates every request against the Bot API spec in
../shared/telegram-bot-api/api.json when that file is present.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pgtools import temporary_database

from bot.app import build_application, load_locales
from bot.db.engine import Database
from bot.domain.catalog import Catalog
from bot.domain.locales import Locales
from bot.edge.context import Services
from bot.fakeapi.core import FakeTelegram
from bot.fakeapi.driver import ChatDriver, running_app
from bot.fakeapi.request import InProcessRequest
from bot.fakeapi.spec import SpecValidator
from bot.flows.engine import FlowEngine
from bot.ops.config import REPO_ROOT, Settings

SPEC = REPO_ROOT.parent / "shared" / "telegram-bot-api" / "api.json"
TOKEN = "123456:TEST-TOKEN"

# PTB 22 warns when RetryAfter.retry_after is read as a number; opt into timedeltas.
os.environ.setdefault("PTB_TIMEDELTA", "true")


@dataclass
class FakeClock:
    """A clock tests move by hand; always UTC-aware."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))  # a Monday


@pytest.fixture(scope="session")
def locales() -> Locales:
    """Every language in content/locales, loaded once."""
    return load_locales(Settings(_env_file=None))  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def catalog(locales: Locales) -> Catalog:
    """The English content (the reference)."""
    return locales.english


@pytest.fixture(scope="session")
def spanish(locales: Locales) -> Catalog:
    """The Spanish content."""
    return locales.get("es")


@pytest.fixture(scope="session")
def spec_validator() -> SpecValidator | None:
    return SpecValidator(SPEC) if SPEC.exists() else None


def sqlite_url(directory: Path) -> str:
    return f"sqlite+aiosqlite:///{directory / 'bot.db'}"


@pytest.fixture
async def settings(tmp_path: Path) -> AsyncIterator[Settings]:
    """App settings on a fresh SQLite file, or a fresh PostgreSQL database when the suite runs
    with TEST_DATABASE=postgres (CI does both)."""

    def make(url: str) -> Settings:
        return Settings(  # type: ignore[call-arg]
            _env_file=None,
            telegram_bot_token=TOKEN,
            database_url=url,
            dispatch_interval_seconds=3600,
        )

    if os.environ.get("TEST_DATABASE") == "postgres":
        async with fresh_postgres_database() as url:
            yield make(url)
    else:
        yield make(sqlite_url(tmp_path))


@pytest.fixture
def fake(spec_validator: SpecValidator | None) -> FakeTelegram:
    return FakeTelegram(token=TOKEN, validator=spec_validator)


@dataclass
class FakeSleep:
    """Stands in for asyncio.sleep in live exercises: records the pauses, returns at once."""

    pauses: list[float] = field(default_factory=list)
    held: asyncio.Event | None = None

    def hold(self) -> None:
        """From now on, pauses last until the waiting task is cancelled."""
        self.held = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.pauses.append(seconds)
        if self.held is not None:
            await self.held.wait()
        await asyncio.sleep(0)


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
async def app(
    settings: Settings, locales: Locales, fake: FakeTelegram, clock: FakeClock, sleep: FakeSleep
) -> AsyncIterator[Any]:
    application = build_application(
        settings,
        request=InProcessRequest(fake),
        get_updates_request=InProcessRequest(fake),
        locales=locales,
        clock=clock,
        rng=random.Random(7),
        sleep=sleep,
        rate_limit=False,
    )
    async with running_app(application):
        yield application
    assert fake.spec_violations == []


@pytest.fixture
def chat(app: Any, fake: FakeTelegram) -> ChatDriver:
    return ChatDriver(app, fake, user_id=1001, first_name="Ann")


# -- PostgreSQL ------------------------------------------------------------------------------


def postgres_server_url() -> str | None:
    """The server scripts/test started (TEST_POSTGRES_URL), or None."""
    return os.environ.get("TEST_POSTGRES_URL")


@contextlib.asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    """Create an empty PostgreSQL database for one test and drop it afterwards."""
    server = postgres_server_url()
    if server is None:
        pytest.skip("no PostgreSQL server (scripts/test starts one)")
    async with temporary_database(server) as url:
        yield url


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database (the test is skipped without a server)."""
    async with fresh_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Run a test once on SQLite and once on PostgreSQL (skipped without a server)."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    async with fresh_postgres_database() as url:
        yield url


@contextlib.asynccontextmanager
async def bare_services(
    database_url: str, catalog: Catalog, clock: FakeClock, **settings: Any
) -> AsyncIterator[Services]:
    """Services on a migrated database with English content and no Application around them:
    for dispatcher and task-runner tests that drive the services directly."""
    db = Database(database_url)
    await db.upgrade()
    try:
        yield Services(
            settings=Settings(_env_file=None, database_url=database_url, **settings),  # type: ignore[call-arg]
            locales=Locales.single(catalog),
            db=db,
            engines={"en": FlowEngine(catalog.flows, validators={})},
            clock=clock,
            rng=random.Random(3),
        )
    finally:
        await db.dispose()
