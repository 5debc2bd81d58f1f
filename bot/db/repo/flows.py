"""Queries about flow runs: the one active run per user, and its saved state.

The active run a transaction has read (or written) is remembered on its session
(`session.info`) until the session ends or a statement here changes which run is active, so
an update asks the database once: the consent check that starts most updates loads the user
and the active run in one query (`user_and_active_run`), and the flow runner's later
`active_run` in the same transaction is answered from that. Only this module writes
flow_runs' status (and /delete, which forgets it too), so nothing else can make the memory
wrong within the transaction. Another process committing a new run meanwhile is the same
race as its commit landing just after our query.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import and_
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import FlowRun, User
from bot.flows.engine import RunState

_ACTIVE = "active_run"


def _remember(session: AsyncSession, user_id: int, run: FlowRun | None) -> None:
    session.info[(_ACTIVE, user_id)] = run


def forget_active(session: AsyncSession, user_id: int | None = None) -> None:
    """Drop what this session remembers about active runs (one user's, or everyone's)."""
    if user_id is not None:
        session.info.pop((_ACTIVE, user_id), None)
        return
    for key in [k for k in session.info if isinstance(k, tuple) and k[:1] == (_ACTIVE,)]:
        del session.info[key]


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
    key = (_ACTIVE, user_id)
    if key in session.info:
        remembered: FlowRun | None = session.info[key]
        return remembered
    result = await session.exec(
        select(FlowRun)
        .where(FlowRun.user_id == user_id, FlowRun.status == "active")
        .order_by(col(FlowRun.id).desc())
        .limit(1)
    )
    run = result.first()
    _remember(session, user_id, run)
    return run


async def user_and_active_run(
    session: AsyncSession, *, user_id: int
) -> tuple[User | None, FlowRun | None]:
    """The user (None before consent) and their active run, in one query; both stay known to
    the session (`session.get(User, ...)` and `active_run` ask the database no more)."""
    result = await session.execute(
        select(User, FlowRun)
        .outerjoin(FlowRun, and_(col(FlowRun.user_id) == User.id, col(FlowRun.status) == "active"))
        .where(col(User.id) == user_id)
        .order_by(col(FlowRun.id).desc())
        .limit(1)
    )
    row = result.first()
    if row is None:
        return None, None
    user, run = row
    _remember(session, user_id, run)
    return user, run


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
    _remember(session, user_id, run)
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
    forget_active(session, run.user_id)


async def close_runs(session: AsyncSession, *, user_id: int, status: str, now: datetime) -> int:
    """Close every active run of a user; return how many there were."""
    result = await session.exec(
        update(FlowRun)
        .where(col(FlowRun.user_id) == user_id, col(FlowRun.status) == "active")
        .values(status=status, updated_at=now)
    )
    _remember(session, user_id, None)
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
    forget_active(session)
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
    _remember(session, user_id, run)
    return True
