"""Which language to speak to a user, and changing it.

A consenting user's language is stored on their row (set from Telegram's language_code at
/start, changed in /settings). Before consent nothing is stored, so the update's own
language_code decides. Stored languages are kept in memory per process for a minute, so most
updates cost no query to learn their user's language; a change made here updates this
process's memory at once, and other processes sharing the database (several webhook
workers) read it again within REMEMBER_FOR.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy.exc import SQLAlchemyError
from telegram import User as TelegramUser

from bot.db.repo import users as user_repo
from bot.edge.context import Services

log = logging.getLogger(__name__)

# Past this many remembered users, start afresh (a lookup is one indexed query).
_REMEMBER = 100_000
# How long a remembered language is trusted before it is read again.
REMEMBER_FOR = 60.0
_now = time.monotonic  # the clock memories are timed by (tests move it)


async def of_user(services: Services, who: TelegramUser | None) -> str:
    """The language to serve a Telegram user in: stored, else from their app's language."""
    locales = services.locales
    if who is None:
        return locales.reference
    known = services.languages.get(who.id)
    if known is not None and _now() - known[1] < REMEMBER_FOR:
        return known[0]
    try:
        async with services.db.session() as session:
            stored = await user_repo.language_of(session, user_id=who.id)
    except (SQLAlchemyError, OSError) as exc:
        # The handlers will meet the same failure and answer it; speak their language meanwhile.
        log.warning("could not read a user's language: %s", exc.__class__.__name__)
        return locales.resolve(who.language_code)
    if stored is None:
        return locales.resolve(who.language_code)
    remember(services, who.id, stored)
    return stored


def remember(services: Services, user_id: int, language: str) -> None:
    """Note a user's stored language (after a lookup or a change)."""
    if len(services.languages) >= _REMEMBER:
        services.languages.clear()
    services.languages[user_id] = (language, _now())


def forget(services: Services, user_id: int) -> None:
    """Drop a user's remembered language (their data was deleted)."""
    services.languages.pop(user_id, None)


async def set_language(services: Services, user_id: int, language: str) -> bool:
    """Store a user's choice of language; False when the user or the language is unknown."""
    if language not in services.locales.catalogs:
        return False
    async with services.db.session() as session:
        user = await user_repo.update_user(session, user_id=user_id, language=language)
    if user is None:
        return False
    remember(services, user_id, language)
    return True
