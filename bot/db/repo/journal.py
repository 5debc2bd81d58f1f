"""Queries about what users write: journal entries (prompt answers, notes, reflections)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import JournalEntry
from bot.db.repo.rows import add_row


async def add_entry(
    session: AsyncSession, *, user_id: int, kind: str, ref: str | None, text: str, now: datetime
) -> None:
    """Store one entry (its text is sealed at rest when keys are configured)."""
    await add_row(
        session, JournalEntry, user_id=user_id, kind=kind, ref=ref, text=text, created_at=now
    )


async def recent_entries(
    session: AsyncSession, *, user_id: int, limit: int, offset: int = 0
) -> Sequence[JournalEntry]:
    """Return a page of the user's entries, newest first."""
    result = await session.exec(
        select(JournalEntry)
        .where(JournalEntry.user_id == user_id)
        .order_by(col(JournalEntry.created_at).desc(), col(JournalEntry.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return result.all()


async def count_entries(session: AsyncSession, *, user_id: int) -> int:
    """Return how many entries the user has."""
    from sqlalchemy import func

    result = await session.exec(
        select(func.count()).select_from(JournalEntry).where(JournalEntry.user_id == user_id)
    )
    return int(result.one())
