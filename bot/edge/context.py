"""Typed access to the bot's services from every handler and job (PTB's contexttypes pattern)."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from telegram.ext import CallbackContext, ExtBot

from bot.db.engine import Database
from bot.domain.catalog import REFERENCE, Catalog
from bot.domain.locales import Locales
from bot.flows.engine import FlowEngine
from bot.ops.config import Settings
from bot.ops.metrics import Metrics

SERVICES_KEY = "services"

# The language of the user being served right now. Set around each update (the Application's
# process_update) and around each scheduled send for one user (dispatcher, task runner), so
# everything below reads `services.catalog` and gets that user's language without passing it.
_language: ContextVar[str] = ContextVar("language", default=REFERENCE)


def current_language() -> str:
    """The language of the user being served (English outside any scope)."""
    return _language.get()


@contextlib.contextmanager
def language_scope(language: str) -> Iterator[None]:
    """Serve one user: `services.catalog` and `services.engine` speak `language` inside."""
    token = _language.set(language)
    try:
        yield
    finally:
        _language.reset(token)


def utc_now() -> datetime:
    """Return the current time, UTC-aware (the default clock)."""
    return datetime.now(UTC)


@dataclass(slots=True)
class Services:
    """Everything handlers need, built once in build_application and closed at shutdown."""

    settings: Settings
    locales: Locales
    db: Database
    engines: Mapping[str, FlowEngine]
    clock: Callable[[], datetime] = utc_now
    rng: random.Random = random.Random()  # noqa: RUF009 - replaced per app in build_application
    # Waits between live exercise frames; tests swap in one that returns at once.
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    metrics: Metrics = field(default_factory=Metrics)
    # user id -> (stored language, when it was read on the monotonic clock), so most updates
    # cost no query to learn it (see bot/services/language.py)
    languages: dict[int, tuple[str, float]] = field(default_factory=dict)

    @property
    def catalog(self) -> Catalog:
        """The content in the language of the user being served (see language_scope)."""
        return self.locales.get(_language.get())

    @property
    def engine(self) -> FlowEngine:
        """The flow engine of the language of the user being served."""
        engines = self.engines
        return engines.get(_language.get()) or engines[self.locales.reference]


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with a typed `services` property."""

    @property
    def services(self) -> Services:
        """Return the services put into bot_data by build_application()."""
        return cast(Services, self.bot_data[SERVICES_KEY])
