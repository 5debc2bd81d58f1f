"""Queries about users: consent, settings, activity, blocking."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import User

# How precisely `last_seen_at` is kept.
SEEN_PRECISION = timedelta(hours=1)


async def get_user(session: AsyncSession, *, user_id: int) -> User | None:
    """Return the user, or None when they never consented (or deleted their data)."""
    return await session.get(User, user_id)


async def language_of(session: AsyncSession, *, user_id: int) -> str | None:
    """Return the language a user chose, or None when there is no such user."""
    result = await session.execute(select(col(User.language)).where(col(User.id) == user_id))
    return result.scalar_one_or_none()


async def create_user(
    session: AsyncSession, *, user_id: int, now: datetime, language: str = "en"
) -> User:
    """Record consent; return the existing row when the user consented before."""
    user = await session.get(User, user_id)
    if user is None:
        user = User(id=user_id, consented_at=now, last_seen_at=now, language=language)
        session.add(user)
        await session.flush()
    return user


async def update_user(session: AsyncSession, *, user_id: int, **changes: Any) -> User | None:
    """Apply changes to a user's row and return it (None when there is no such user)."""
    user = await session.get(User, user_id)
    if user is None:
        return None
    for name, value in changes.items():
        if not hasattr(user, name):
            raise AttributeError(f"User has no field {name!r}")
        setattr(user, name, value)
    session.add(user)
    await session.flush()
    return user


async def set_active(session: AsyncSession, *, user_id: int, active: bool) -> None:
    """Mark a user as having blocked (False) or unblocked (True) the bot."""
    await update_user(session, user_id=user_id, active=active)


async def touch(session: AsyncSession, *, user_id: int, now: datetime) -> None:
    """Remember when the user was last seen, to the hour: a user writing all evening costs
    one write, not one per message."""
    user = await session.get(User, user_id)
    if user is None:
        return
    seen = user.last_seen_at
    if seen is None or now - seen >= SEEN_PRECISION or now < seen:
        user.last_seen_at = now
        session.add(user)
