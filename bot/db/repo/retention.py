"""Bulk deletes for RETENTION_DAYS: one DELETE per table for rows older than a cutoff.

Only what the user wrote or did, and bookkeeping that is finished, goes: journal entries, mood
check-ins, practice drafts, grounding sessions, bids, held messages already resolved, flow runs
that ended, scheduled tasks that are finished (done, failed, skipped, lost or cancelled), and
deliveries. Active and paused flow runs, pending or
claimed tasks and claimed deliveries stay, because something is still going to happen with
them. Users (their settings and consent) and safety events (level and kind only) are never aged
out here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import (
    Bid,
    Delivery,
    FlowRun,
    GroundingSession,
    HeldMessage,
    JournalEntry,
    MoodEntry,
    PracticeAttempt,
    ScheduledTask,
)

# Statuses of rows that are still in play; everything else is finished.
_LIVE_RUNS = ("active", "paused")
_LIVE_TASKS = ("pending", "claimed", "sending")


async def _delete(
    session: AsyncSession, table: type[SQLModel], *conditions: ColumnElement[bool]
) -> int:
    result = await session.execute(delete(table).where(*conditions))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def purge_older_than(
    session: AsyncSession, *, cutoff: datetime, deliveries_cutoff: datetime
) -> dict[str, int]:
    """Delete every expired row of every user; return how many went, per table."""
    return {
        "journal_entries": await _delete(
            session, JournalEntry, col(JournalEntry.created_at) < cutoff
        ),
        "mood_entries": await _delete(session, MoodEntry, col(MoodEntry.created_at) < cutoff),
        "practice_attempts": await _delete(
            session, PracticeAttempt, col(PracticeAttempt.created_at) < cutoff
        ),
        "grounding_sessions": await _delete(
            session, GroundingSession, col(GroundingSession.created_at) < cutoff
        ),
        "flow_runs": await _delete(
            session,
            FlowRun,
            col(FlowRun.updated_at) < cutoff,
            col(FlowRun.status).not_in(_LIVE_RUNS),
        ),
        "scheduled_tasks": await _delete(
            session,
            ScheduledTask,
            col(ScheduledTask.due_at) < cutoff,
            col(ScheduledTask.status).not_in(_LIVE_TASKS),
        ),
        "held_messages": await _delete(
            session,
            HeldMessage,
            col(HeldMessage.created_at) < cutoff,
            col(HeldMessage.status) != "waiting",
        ),
        "bids": await _delete(session, Bid, col(Bid.created_at) < cutoff),
        "deliveries": await _delete(
            session,
            Delivery,
            col(Delivery.due_at) < deliveries_cutoff,
            col(Delivery.status) != "claimed",
        ),
    }
