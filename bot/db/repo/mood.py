"""Queries about mood check-ins."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import MoodEntry
from bot.db.repo.rows import add_row


async def add_mood(
    session: AsyncSession,
    *,
    user_id: int,
    rating: int,
    feelings: str,
    note: str | None,
    now: datetime,
) -> None:
    """Store one check-in."""
    await add_row(
        session,
        MoodEntry,
        user_id=user_id,
        rating=rating,
        feelings=feelings,
        note=note,
        created_at=now,
    )


async def moods_since(
    session: AsyncSession, *, user_id: int, since: datetime
) -> Sequence[MoodEntry]:
    """Return the user's check-ins since a moment, oldest first."""
    result = await session.exec(
        select(MoodEntry)
        .where(MoodEntry.user_id == user_id, col(MoodEntry.created_at) >= since)
        .order_by(col(MoodEntry.created_at))
    )
    return result.all()
