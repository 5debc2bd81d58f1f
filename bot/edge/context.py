"""Typed access to the bot's services from every handler and job (PTB's contexttypes pattern)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from telegram.ext import CallbackContext, ExtBot

from bot.db.engine import Database
from bot.domain.catalog import Catalog
from bot.flows.engine import FlowEngine
from bot.ops.config import Settings
from bot.ops.metrics import Metrics

SERVICES_KEY = "services"


def utc_now() -> datetime:
    """Return the current time, UTC-aware (the default clock)."""
    return datetime.now(UTC)


@dataclass(slots=True)
class Services:
    """Everything handlers need, built once in build_application and closed at shutdown."""

    settings: Settings
    catalog: Catalog
    db: Database
    engine: FlowEngine
    clock: Callable[[], datetime] = utc_now
    rng: random.Random = random.Random()  # noqa: RUF009 - replaced per app in build_application
    # Waits between live exercise frames; tests swap in one that returns at once.
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    metrics: Metrics = field(default_factory=Metrics)


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with a typed `services` property."""

    @property
    def services(self) -> Services:
        """Return the services put into bot_data by build_application()."""
        return cast(Services, self.bot_data[SERVICES_KEY])
