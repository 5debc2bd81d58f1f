"""Queries about safety events: that the screen fired, and a check question awaiting its answer.

A `check` event whose `followup_due_at` lies ahead is a question the bot asked and the user has
not answered yet: the next text message is read as the answer until then (read together with
the user, by `flows.user_state`). Answering (or the
crisis path opening) clears it. Only levels and kinds are stored, never the user's words.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import SafetyEvent


async def record_event(
    session: AsyncSession,
    *,
    user_id: int,
    level: str,
    kind: str | None,
    now: datetime,
    answer_by: datetime | None = None,
) -> SafetyEvent:
    """Note that the screen fired; with `answer_by`, that a check question awaits its answer."""
    event = SafetyEvent(
        user_id=user_id, level=level, kind=kind, created_at=now, followup_due_at=answer_by
    )
    session.add(event)
    await session.flush()
    return event


async def close_checks(session: AsyncSession, *, user_id: int) -> None:
    """The user answered (or moved on): no check question of theirs awaits an answer now."""
    await session.execute(
        update(SafetyEvent)
        .where(
            col(SafetyEvent.user_id) == user_id,
            col(SafetyEvent.followup_due_at).is_not(None),
        )
        .values(followup_due_at=None)
    )
