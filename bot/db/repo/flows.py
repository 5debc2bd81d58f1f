"""Queries about flow runs: the one active run per user, and its saved state."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import FlowRun
from bot.flows.engine import RunState


def _dump(state: RunState) -> str:
    return json.dumps({"vars": dict(state.vars), "attempts": state.attempts})


def state_of(run: FlowRun) -> RunState:
    """Turn a stored run back into an engine state."""
    data = json.loads(run.state or "{}")
    return RunState(
        flow_id=run.flow_id,
        step_id=run.step_id,
        vars=dict(data.get("vars", {})),
        attempts=int(data.get("attempts", 0)),
    )


async def active_run(session: AsyncSession, *, user_id: int) -> FlowRun | None:
    """Return the user's active run, if any."""
    result = await session.exec(
        select(FlowRun)
        .where(FlowRun.user_id == user_id, FlowRun.status == "active")
        .order_by(col(FlowRun.id).desc())
        .limit(1)
    )
    return result.first()


async def start_run(
    session: AsyncSession, *, user_id: int, state: RunState, now: datetime
) -> FlowRun:
    """Close any active run (as cancelled) and store a new one."""
    await close_runs(session, user_id=user_id, status="cancelled", now=now)
    run = FlowRun(
        user_id=user_id,
        flow_id=state.flow_id,
        step_id=state.step_id,
        state=_dump(state),
        started_at=now,
        updated_at=now,
    )
    session.add(run)
    await session.flush()
    return run


async def save_run(session: AsyncSession, *, run: FlowRun, state: RunState, now: datetime) -> None:
    """Store the run's new position and variables."""
    run.step_id = state.step_id
    run.state = _dump(state)
    run.updated_at = now
    session.add(run)
    await session.flush()


async def finish_run(
    session: AsyncSession, *, run: FlowRun, now: datetime, status: str = "done"
) -> None:
    """Mark a run finished (done, cancelled or expired), keeping its saved answers."""
    run.status = status
    run.updated_at = now
    session.add(run)
    await session.flush()


async def close_runs(session: AsyncSession, *, user_id: int, status: str, now: datetime) -> int:
    """Close every active run of a user; return how many there were."""
    result = await session.exec(
        update(FlowRun)
        .where(col(FlowRun.user_id) == user_id, col(FlowRun.status) == "active")
        .values(status=status, updated_at=now)
    )
    return int(result.rowcount or 0)


async def expire_stale_runs(
    session: AsyncSession,
    *,
    older_than: timedelta,
    now: datetime,
    keep: Collection[str] = (),
) -> int:
    """Close runs nobody touched for a while (their answers stay stored), except flows in
    `keep`."""
    result = await session.exec(
        update(FlowRun)
        .where(
            col(FlowRun.status) == "active",
            col(FlowRun.updated_at) < now - older_than,
            col(FlowRun.flow_id).not_in(list(keep)),
        )
        .values(status="expired", updated_at=now)
    )
    return int(result.rowcount or 0)


async def resume_paused(session: AsyncSession, *, user_id: int, now: datetime) -> bool:
    """Reactivate the user's most recently paused run; return whether there was one."""
    result = await session.exec(
        select(FlowRun)
        .where(FlowRun.user_id == user_id, FlowRun.status == "paused")
        .order_by(col(FlowRun.updated_at).desc(), col(FlowRun.id).desc())
        .limit(1)
    )
    run = result.first()
    if run is None:
        return False
    await close_runs(session, user_id=user_id, status="cancelled", now=now)
    run.status = "active"
    run.updated_at = now
    session.add(run)
    await session.flush()
    return True
