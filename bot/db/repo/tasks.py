"""Queries about scheduled tasks: claim the due ones once, mark them done."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import ScheduledTask


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
    if tasks:
        await session.execute(
            update(ScheduledTask)
            .where(col(ScheduledTask.id).in_([t.id for t in tasks]))
            .values(status="claimed")
        )
    return tasks


async def finish(session: AsyncSession, *, task_ids: Sequence[int], status: str) -> None:
    """Mark tasks done (or failed)."""
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


async def postpone(session: AsyncSession, *, task_ids: Sequence[int], until: datetime) -> None:
    """Put claimed tasks back as pending, due again later."""
    if task_ids:
        await session.execute(
            update(ScheduledTask)
            .where(col(ScheduledTask.id).in_(task_ids))
            .values(status="pending", due_at=until)
        )
