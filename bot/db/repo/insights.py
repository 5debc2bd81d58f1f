"""The rows the weekly insights need, limited to a time window."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import GroundingSession, JournalEntry, MoodEntry, PracticeAttempt


async def window(
    session: AsyncSession, *, user_id: int, since: datetime
) -> tuple[
    Sequence[tuple[datetime, int]],
    Sequence[datetime],
    Sequence[tuple[int | None, int | None]],
    Sequence[tuple[datetime, str]],
]:
    """Moods, journal times, grounding ratings and practice verdicts since a moment."""
    moods = await session.exec(
        select(col(MoodEntry.created_at), col(MoodEntry.rating)).where(
            MoodEntry.user_id == user_id, col(MoodEntry.created_at) >= since
        )
    )
    entries = await session.exec(
        select(col(JournalEntry.created_at)).where(
            JournalEntry.user_id == user_id, col(JournalEntry.created_at) >= since
        )
    )
    grounding = await session.exec(
        select(col(GroundingSession.before), col(GroundingSession.after)).where(
            GroundingSession.user_id == user_id, col(GroundingSession.created_at) >= since
        )
    )
    attempts = await session.exec(
        select(col(PracticeAttempt.created_at), col(PracticeAttempt.verdict)).where(
            PracticeAttempt.user_id == user_id, col(PracticeAttempt.created_at) >= since
        )
    )
    return (
        [(w, r) for w, r in moods.all()],
        list(entries.all()),
        [(b, a) for b, a in grounding.all()],
        [(w, v) for w, v in attempts.all()],
    )
