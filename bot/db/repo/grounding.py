"""Queries about grounding sessions: which exercise, intensity before and after."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import GroundingSession


async def start_session(
    session: AsyncSession, *, user_id: int, exercise: str, now: datetime
) -> GroundingSession:
    """Record that the user chose an exercise."""
    row = GroundingSession(user_id=user_id, exercise=exercise, created_at=now)
    session.add(row)
    await session.flush()
    return row


async def get_session(
    session: AsyncSession, *, user_id: int, session_id: int
) -> GroundingSession | None:
    """Return one of the user's grounding sessions (None for anyone else's)."""
    row = await session.get(GroundingSession, session_id)
    return row if row is not None and row.user_id == user_id else None


# Sessions in these states still take an after-rating.
_FINISHABLE = frozenset({"running", "done", "stopped"})


async def rate(
    session: AsyncSession, *, user_id: int, session_id: int, before: bool, rating: int | None
) -> GroundingSession | None:
    """Store the before or after rating; None when that rating was already given (stale)."""
    row = await get_session(session, user_id=user_id, session_id=session_id)
    if row is None:
        return None
    if before:
        if row.status != "started":
            return None
        row.before, row.status = rating, "running"
    else:
        if row.after is not None or row.status not in _FINISHABLE:
            return None
        row.after = rating
        if row.status == "running":
            row.status = "done"
    session.add(row)
    await session.flush()
    return row
