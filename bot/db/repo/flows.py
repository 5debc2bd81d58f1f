"""Queries about flow runs: the one active run per user, and its saved state.

The active run a transaction has read (or written) is remembered on its session
(`session.info`) until the session ends or a statement here changes which run is active, so
an update asks the database once: the consent check that starts most updates loads the user
and the active run in one query (`user_and_active_run`; for a text message `user_state`, which
also reads whether a safety check question awaits its answer), and the flow runner's later
`active_run` in the same transaction is answered from that. The hot statements are built once,
with bound parameters, not per call. Only this module writes
flow_runs' status (and /delete, which forgets it too), so nothing else can make the memory
wrong within the transaction. Another process committing a new run meanwhile is the same
race as its commit landing just after our query.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, func
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import FlowRun, SafetyEvent, User, UtcDateTime
from bot.db.repo.rows import insert_row, update_row
from bot.flows.engine import RunState

_ACTIVE = "active_run"
_USER = "user"
_MEMORIES = {(_ACTIVE,), (_USER,)}


class UserState(NamedTuple):
    """What most updates need first: the user, their active run and an open check question."""

    user: User | None
    run: FlowRun | None
    # The kind of the check question awaiting the user's answer ("" for one without a kind),
    # or None when no question awaits one.
    pending_check: str | None


def _user_and_run_statement(*, with_check: bool) -> Any:
    """Built once: the user, their newest active run and (optionally) an open check's kind."""
    columns: list[Any] = [User, FlowRun]
    if with_check:
        columns.append(
            select(func.coalesce(SafetyEvent.kind, ""))
            .where(
                col(SafetyEvent.user_id) == User.id,
                col(SafetyEvent.level) == "check",
                col(SafetyEvent.followup_due_at) > bindparam("now", type_=UtcDateTime()),
            )
            .order_by(col(SafetyEvent.created_at).desc(), col(SafetyEvent.id).desc())
            .limit(1)
            .scalar_subquery()
        )
    return (
        select(*columns)
        .outerjoin(FlowRun, and_(col(FlowRun.user_id) == User.id, col(FlowRun.status) == "active"))
        .where(col(User.id) == bindparam("user_id"))
        .order_by(col(FlowRun.id).desc())
        .limit(1)
    )


_CLOSE_RUNS = (
    update(FlowRun.__table__)  # type: ignore[attr-defined]
    # Bound names differ from the columns': an UPDATE reserves those for its SET clause.
    .where(col(FlowRun.user_id) == bindparam("owner"), col(FlowRun.status) == "active")
    .values(status=bindparam("new_status"), updated_at=bindparam("now", type_=UtcDateTime()))
)
_USER_AND_RUN = _user_and_run_statement(with_check=False)
_USER_RUN_AND_CHECK = _user_and_run_statement(with_check=True)


_UNKNOWN = object()


def _remember(session: AsyncSession, user_id: int, run: FlowRun | None) -> None:
    session.info[(_ACTIVE, user_id)] = run


def forget_active(session: AsyncSession, user_id: int | None = None) -> None:
    """Drop what this session remembers about active runs (one user's, or everyone's)."""
    if user_id is not None:
        session.info.pop((_ACTIVE, user_id), None)
        session.info.pop((_USER, user_id), None)
        return
    for key in [k for k in session.info if isinstance(k, tuple) and k[:1] in _MEMORIES]:
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
    the session (`session.get(User, ...)` and `active_run` ask the database no more), so a
    second call in the same transaction (after `user_state`, say) asks nothing."""
    key = (_ACTIVE, user_id)
    if key in session.info:
        user = _known_user(session, user_id)
        if user is not None:
            remembered: FlowRun | None = session.info[key]
            return user, remembered
    row = (await session.execute(_USER_AND_RUN, {"user_id": user_id})).first()
    if row is None:
        return None, None
    user, run = row
    _remember(session, user_id, run)
    _hold(session, user)
    return user, run


async def user_state(session: AsyncSession, *, user_id: int, now: datetime) -> UserState:
    """The user, their active run and the kind of a check question still awaiting an answer
    at `now`, in one query (the first thing a text message needs); the user and the run stay
    known to the session as with `user_and_active_run`."""
    row = (await session.execute(_USER_RUN_AND_CHECK, {"user_id": user_id, "now": now})).first()
    if row is None:
        return UserState(None, None, None)
    user, run, pending = row
    _remember(session, user_id, run)
    _hold(session, user)
    return UserState(user, run, pending)


def _hold(session: AsyncSession, user: User) -> None:
    """Keep the loaded user alive for the session (its identity map holds rows only weakly)."""
    session.info[(_USER, user.id)] = user


def _known_user(session: AsyncSession, user_id: int) -> User | None:
    """The user's row if this session has loaded it (and not deleted it), without a query."""
    held = session.info.get((_USER, user_id))
    current = session.sync_session.identity_map.get(Session.identity_key(User, user_id))
    return held if isinstance(held, User) and held is current else None


async def start_run(
    session: AsyncSession, *, user_id: int, state: RunState, now: datetime
) -> FlowRun:
    """Close any active run (as cancelled) and store a new one."""
    if session.info.get((_ACTIVE, user_id), _UNKNOWN) is not None:
        await close_runs(session, user_id=user_id, status="cancelled", now=now)
    run = FlowRun(
        user_id=user_id,
        flow_id=state.flow_id,
        step_id=state.step_id,
        state=_dump(state),
        started_at=now,
        updated_at=now,
    )
    await insert_row(session, run, attach=True)
    _remember(session, user_id, run)
    return run


async def save_run(session: AsyncSession, *, run: FlowRun, state: RunState, now: datetime) -> None:
    """Store the run's new position and variables."""
    await update_row(session, run, step_id=state.step_id, state=_dump(state), updated_at=now)


async def finish_run(
    session: AsyncSession, *, run: FlowRun, now: datetime, status: str = "done"
) -> None:
    """Mark a run finished (done, cancelled or expired), keeping its saved answers."""
    was_active = run.status == "active"
    await update_row(session, run, status=status, updated_at=now)
    if was_active:
        # It was the one active run (there is at most one): now there is none.
        _remember(session, run.user_id, None)
    else:
        forget_active(session, run.user_id)


async def close_runs(session: AsyncSession, *, user_id: int, status: str, now: datetime) -> int:
    """Close every active run of a user; return how many there were."""
    connection = await session.connection()
    result = await connection.execute(
        _CLOSE_RUNS, {"owner": user_id, "new_status": status, "now": now}
    )
    # A Core statement: bring the runs this session has loaded up to date by hand.
    for loaded in list(session.sync_session.identity_map.values()):
        if isinstance(loaded, FlowRun) and loaded.user_id == user_id and loaded.status == "active":
            set_committed_value(loaded, "status", status)
            set_committed_value(loaded, "updated_at", now)
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
