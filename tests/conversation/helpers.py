"""Small helpers shared by the conversation tests."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from bot.app import build_application
from bot.content.texts import T
from bot.db.models import User
from bot.domain.catalog import Catalog
from bot.fakeapi.core import FakeTelegram
from bot.fakeapi.driver import ChatDriver
from bot.fakeapi.request import InProcessRequest
from bot.fakeapi.text import plain_text
from bot.ops.config import Settings


def text(catalog: Catalog, key: T, **values: object) -> str:
    """What a content text looks like to the user."""
    return plain_text(catalog.texts.get(key, **values))


def variants(catalog: Catalog, key: T) -> list[str]:
    """Every variant of a content text, as the user sees it."""
    return [plain_text(v) for v in catalog.texts.entries[key.value]]


async def stored_user(app: Any, user_id: int) -> User | None:
    services = app.bot_data["services"]
    async with services.db.session() as session:
        return await session.get(User, user_id)


async def onboard(chat: ChatDriver, *, time: str = "09:00", zone: str = "Berlin") -> None:
    """Consent and set up: zone, time, no country."""
    await chat.say("/start")
    await chat.tap("Yes, let's begin")
    await chat.say(zone)
    await chat.tap("Yes, that's right")
    await chat.tap(time)
    await chat.tap("Skip this")


def app_factory(
    settings: Settings, catalog: Catalog, fake: FakeTelegram, clock: Callable[[], Any]
) -> Callable[[], Any]:
    """Build the same bot again and again on one fake Telegram and database: for tests that
    stop the bot and start it again."""

    def build() -> Any:
        return build_application(
            settings, request=InProcessRequest(fake), get_updates_request=InProcessRequest(fake),
            catalog=catalog, clock=clock, rng=random.Random(2), rate_limit=False,
        )  # fmt: skip

    return build
