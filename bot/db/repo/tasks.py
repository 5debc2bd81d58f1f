"""Queries about scheduled tasks: claim the due ones once, mark them done.

Exactly once: a claim flips `pending` to `claimed` with a conditional UPDATE (and locks with
FOR UPDATE SKIP LOCKED on PostgreSQL), so two processes never both hold a task. Just before
anything is sent the runner flips `claimed` to `sending`. After a crash, a task still
`claimed` was never started and goes back to `pending`; one left `sending` may have reached
the user and is marked `lost`, never repeated.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import ScheduledTask

# A claim older than this belongs to a process that died (a tick takes seconds).
STALE_CLAIM = timedelta(minutes=10)


async def add_task(
    session: AsyncSession,
    *,
    user_id: int,
    kind: str,
    ref: str,
    due_at: datetime,
    state: str | None = None,
) -> ScheduledTask:
    """Schedule a task for a user."""
    task = ScheduledTask(user_id=user_id, kind=kind, ref=ref, due_at=due_at, state=state)
    session.add(task)
    await session.flush()
    return task


async def claim_due(
    session: AsyncSession, *, now: datetime, limit: int, skip_locked: bool
) -> Sequence[ScheduledTask]:
    """Lock due pending tasks and mark them claimed, so no other process takes them."""
    statement = (
        select(ScheduledTask)
        .where(col(ScheduledTask.status) == "pending", col(ScheduledTask.due_at) <= now)
        .order_by(col(ScheduledTask.due_at))
        .limit(limit)
    )
    if skip_locked:
        statement = statement.with_for_update(skip_locked=True)
    tasks = (await session.exec(statement)).all()
    if not tasks:
        return tasks
    # Only rows this UPDATE moved are ours: without row locks (SQLite) another process may
    # have claimed some of them between the SELECT and here.
    result = await session.execute(
        update(ScheduledTask)
        .where(
            col(ScheduledTask.id).in_([t.id for t in tasks]),
            col(ScheduledTask.status) == "pending",
        )
        .values(status="claimed", claimed_at=now)
        .returning(col(ScheduledTask.id))
    )
    mine = {row[0] for row in result.all()}
    return [t for t in tasks if t.id in mine]


async def start_sending(session: AsyncSession, *, task_id: int) -> bool:
    """Flip one claimed task to sending; False if it is no longer ours (deleted, cancelled)."""
    result = await session.execute(
        update(ScheduledTask)
        .where(col(ScheduledTask.id) == task_id, col(ScheduledTask.status) == "claimed")
        .values(status="sending")
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def recover(session: AsyncSession, *, now: datetime) -> tuple[int, int]:
    """After a crash: stale claims go back to pending, stale sends are marked lost.

    Returns (requeued, lost)."""
    cutoff = now - STALE_CLAIM
    requeued = await session.execute(
        update(ScheduledTask)
        .where(col(ScheduledTask.status) == "claimed", col(ScheduledTask.claimed_at) < cutoff)
        .values(status="pending", claimed_at=None)
    )
    lost = await session.execute(
        update(ScheduledTask)
        .where(col(ScheduledTask.status) == "sending", col(ScheduledTask.claimed_at) < cutoff)
        .values(status="lost")
    )
    return int(requeued.rowcount or 0), int(lost.rowcount or 0)  # type: ignore[attr-defined]


async def finish(session: AsyncSession, *, task_ids: Sequence[int], status: str) -> None:
    """Mark tasks done (or failed, skipped)."""
    if task_ids:
        await session.execute(
            update(ScheduledTask).where(col(ScheduledTask.id).in_(task_ids)).values(status=status)
        )


async def cancel_for_user(session: AsyncSession, *, user_id: int, kind: str) -> None:
    """Cancel a user's pending tasks of one kind."""
    await session.execute(
        update(ScheduledTask)
        .where(
            col(ScheduledTask.user_id) == user_id,
            col(ScheduledTask.kind) == kind,
            col(ScheduledTask.status) == "pending",
        )
        .values(status="cancelled")
    )


async def cancel_ref(session: AsyncSession, *, user_id: int, kind: str, ref: str) -> int:
    """Cancel one pending task of a user by kind and ref; return how many were cancelled."""
    result = await session.execute(
        update(ScheduledTask)
        .where(
            col(ScheduledTask.user_id) == user_id,
            col(ScheduledTask.kind) == kind,
            col(ScheduledTask.ref) == ref,
            col(ScheduledTask.status) == "pending",
        )
        .values(status="cancelled")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def postpone(session: AsyncSession, *, task_ids: Sequence[int], until: datetime) -> None:
    """Put claimed tasks back as pending, due again later."""
    if task_ids:
        await session.execute(
            update(ScheduledTask)
            .where(col(ScheduledTask.id).in_(task_ids))
            .values(status="pending", due_at=until, claimed_at=None)
        )
