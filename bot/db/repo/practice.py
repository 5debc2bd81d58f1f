"""Queries about practice: drafts checked by the coach, and progress over time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import PracticeAttempt
from bot.db.repo.rows import add_row


async def add_attempt(
    session: AsyncSession,
    *,
    user_id: int,
    exercise: str,
    scenario_id: str | None,
    text: str,
    verdict: str,
    codes: Sequence[str],
    now: datetime,
) -> None:
    """Store one draft and what the coach said about it."""
    await add_row(
        session,
        PracticeAttempt,
        user_id=user_id,
        exercise=exercise,
        scenario_id=scenario_id,
        text=text,
        verdict=verdict,
        codes=",".join(codes),
        created_at=now,
    )


async def attempts(session: AsyncSession, *, user_id: int) -> Sequence[PracticeAttempt]:
    """Return all of a user's attempts, oldest first."""
    result = await session.exec(
        select(PracticeAttempt)
        .where(PracticeAttempt.user_id == user_id)
        .order_by(col(PracticeAttempt.created_at), col(PracticeAttempt.id))
    )
    return result.all()


async def recent_scenarios(session: AsyncSession, *, user_id: int, limit: int) -> list[str]:
    """Return the scenario ids of the user's latest attempts, newest first."""
    result = await session.exec(
        select(col(PracticeAttempt.scenario_id))
        .where(PracticeAttempt.user_id == user_id, col(PracticeAttempt.scenario_id).is_not(None))
        .order_by(col(PracticeAttempt.created_at).desc())
        .limit(limit)
    )
    return [s for s in result.all() if s]
