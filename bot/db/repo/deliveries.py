"""Queries about scheduled deliveries: claiming due users exactly once, and recording outcomes.

The claim is the heart of exactly-once delivery. In one transaction it selects due users
(`FOR UPDATE SKIP LOCKED` on PostgreSQL, so parallel dispatchers take disjoint rows), inserts a
Delivery per (user, slot, local date) with ON CONFLICT DO NOTHING (so a date that was already
claimed, by anyone, ever, is never claimed again) and advances each user's next_prompt_at.
Sending happens after the commit, a wave at a time: each wave is first marked `sending` (only
rows still `claimed`: a compare-and-set), so after a crash a `claimed` row was certainly never
attempted and is given back to be sent (`recover_interrupted`), while a `sending` row may have
reached Telegram and is marked `lost`, never sent again.
The batch statements are Core statements on the tables (not ORM bulk operations): a tick
writes hundreds of rows at a time, and the ORM's per-row bookkeeping cost more than the SQL.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, Table, bindparam, delete, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Delivery, User

USERS: Table = User.__table__  # type: ignore[attr-defined]
DELIVERIES: Table = Delivery.__table__  # type: ignore[attr-defined]
# Users sharing a next_prompt_at are advanced with one `id IN (...)` update from this many on;
# ids per statement stay well under SQLite's limit on bound parameters.
SHARED_GROUP = 16
ID_CHUNK = 1000
# The columns the dispatcher needs; selecting them (not whole ORM objects) keeps a claim cheap.
DUE_COLUMNS = (
    col(User.id),
    col(User.timezone),
    col(User.prompt_time),
    col(User.prompt_days),
    col(User.next_prompt_at),
    col(User.prompt_cursor),
    col(User.themes),
    col(User.last_answer_at),
    col(User.consented_at),
    col(User.checkin_sent_at),
    col(User.reentry_sent_at),
    col(User.language),
)


@dataclass(frozen=True, slots=True)
class PlannedDelivery:
    """What the dispatcher decided for one due user before claiming."""

    user_id: int
    slot: str
    local_date: date
    due_at: datetime
    status: str  # claimed (to send) or skipped
    next_prompt_at: datetime | None


async def due_users(
    session: AsyncSession,
    *,
    now: datetime,
    limit: int,
    skip_locked: bool,
    exclude: Collection[int] = (),
) -> Sequence[Row[Any]]:
    """Lock and return up to `limit` users whose prompt is due, oldest first (leaving out
    `exclude`: users whose send failed a moment ago wait for the next tick)."""
    statement = (
        sa_select(*DUE_COLUMNS)
        .where(
            col(User.prompts_enabled).is_(True),
            col(User.active).is_(True),
            col(User.next_prompt_at) <= now,
        )
        .order_by(col(User.next_prompt_at))
        .limit(limit)
    )
    if exclude:
        statement = statement.where(col(User.id).not_in(list(exclude)))
    if skip_locked:
        statement = statement.with_for_update(skip_locked=True)
    result = await session.execute(statement)
    return result.all()


async def claim(
    session: AsyncSession, *, planned: Sequence[PlannedDelivery], now: datetime, postgres: bool
) -> dict[int, int]:
    """Insert the planned deliveries and advance the users; return {user_id: delivery_id}
    for the rows this call really inserted (a date claimed before is left alone)."""
    if not planned:
        return {}
    dialect_insert = postgresql.insert if postgres else sqlite.insert
    statement = (
        dialect_insert(DELIVERIES)
        .on_conflict_do_nothing(index_elements=["user_id", "slot", "local_date"])
        .returning(DELIVERIES.c.user_id, DELIVERIES.c.id, DELIVERIES.c.status)
    )
    rows = [
        {
            "user_id": p.user_id,
            "slot": p.slot,
            "local_date": p.local_date,
            "due_at": p.due_at,
            "claimed_at": now,
            "status": p.status,
        }
        for p in planned
    ]
    result = await session.execute(statement, rows)
    inserted = {row[0]: row[1] for row in result.all() if row[2] == "claimed"}
    await _advance(session, planned)
    return inserted


async def _advance(session: AsyncSession, planned: Sequence[PlannedDelivery]) -> None:
    # Users due together mostly move on to the same next instant (same zone and time), so a
    # shared value is written once for a list of ids instead of row by row; the rest (and
    # any small group) goes in one executemany.
    by_time: dict[datetime | None, list[int]] = {}
    for p in planned:
        by_time.setdefault(p.next_prompt_at, []).append(p.user_id)
    single: list[dict[str, Any]] = []
    for when, ids in by_time.items():
        if len(ids) < SHARED_GROUP:
            single += [{"id": user_id, "next_prompt_at": when} for user_id in ids]
            continue
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start : start + ID_CHUNK]
            await session.execute(
                update(USERS).where(USERS.c.id.in_(chunk)).values(next_prompt_at=when)
            )
    await update_by_id(session, USERS, single)


async def record_outcomes(
    session: AsyncSession,
    *,
    deliveries: Sequence[dict[str, Any]],
    users: Sequence[dict[str, Any]],
) -> None:
    """Write what happened to each send: delivery status, prompt and message ids, user fields."""
    await update_by_id(session, DELIVERIES, deliveries)
    await update_by_id(session, USERS, users)


async def update_by_id(
    session: AsyncSession, table: Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Update rows by their `id`, one executemany per set of changed columns.

    Rows may change different columns (a sent prompt, a blocked user); grouping them by
    their column set keeps this to a statement or two however the rows are interleaved.
    """
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        columns = tuple(sorted(name for name in row if name != "id"))
        # A parameter named like a column would join the SET clause: the key goes in as "_id".
        params = {name: row[name] for name in columns}
        params["_id"] = row["id"]
        groups.setdefault(columns, []).append(params)
    for columns, params_list in groups.items():
        if not columns:
            continue
        statement = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values({name: bindparam(name) for name in columns})
        )
        await session.execute(statement, params_list)


async def release(
    session: AsyncSession, *, delivery_id: int, user_id: int, due_at: datetime
) -> None:
    """Undo a claim whose send failed for a passing reason, so the next tick tries again."""
    await session.execute(delete(Delivery).where(col(Delivery.id) == delivery_id))
    await session.execute(
        update(User).where(col(User.id) == user_id).values(next_prompt_at=due_at)
    )


async def mark_sending(session: AsyncSession, *, delivery_ids: Sequence[int]) -> set[int]:
    """Mark claimed deliveries as being sent; return the ids that were still `claimed` (a
    delivery given back meanwhile by a restarting process must not be sent)."""
    if not delivery_ids:
        return set()
    result = await session.execute(
        update(DELIVERIES)
        .where(DELIVERIES.c.id.in_(list(delivery_ids)), DELIVERIES.c.status == "claimed")
        .values(status="sending")
        .returning(DELIVERIES.c.id)
    )
    return {row[0] for row in result.all()}


async def recover_interrupted(session: AsyncSession) -> tuple[int, int]:
    """After a crash: give `claimed` deliveries (never attempted) back to their users, so the
    next tick sends them if they are still within the grace window, and mark `sending` ones
    (which may have reached Telegram) `lost`. Return (given back, lost).

    Safe with other live dispatchers: one that still holds a claim given back here finds it
    gone when it marks its wave, and skips it; one that is sending a row marked lost here
    records its real outcome over it."""
    lost = await session.execute(
        update(DELIVERIES).where(DELIVERIES.c.status == "sending").values(status="lost")
    )
    rows = (
        await session.execute(
            sa_select(DELIVERIES.c.id, DELIVERIES.c.user_id, DELIVERIES.c.due_at).where(
                DELIVERIES.c.status == "claimed"
            )
        )
    ).all()
    for delivery_id, user_id, due_at in rows:
        await session.execute(delete(DELIVERIES).where(DELIVERIES.c.id == delivery_id))
        await session.execute(
            update(USERS)
            .where(USERS.c.id == user_id, USERS.c.next_prompt_at.is_not(None))
            .values(next_prompt_at=due_at)
        )
    return len(rows), int(lost.rowcount or 0)  # type: ignore[attr-defined]


async def today_delivery(
    session: AsyncSession, *, user_id: int, slot: str, local: date
) -> Delivery | None:
    """Return the user's delivery for a local date, if any."""
    result = await session.exec(
        select(Delivery).where(
            Delivery.user_id == user_id, Delivery.slot == slot, Delivery.local_date == local
        )
    )
    return result.first()


async def by_message(session: AsyncSession, *, user_id: int, message_id: int) -> Delivery | None:
    """Return the delivery sent as this message (for answers given as replies)."""
    result = await session.exec(
        select(Delivery).where(Delivery.user_id == user_id, Delivery.message_id == message_id)
    )
    return result.first()


async def last_local_date(session: AsyncSession, *, user_id: int, slot: str) -> date | None:
    """Return the user's local date of the latest claimed delivery in a slot."""
    result = await session.exec(
        select(col(Delivery.local_date))
        .where(Delivery.user_id == user_id, Delivery.slot == slot)
        .order_by(col(Delivery.local_date).desc())
        .limit(1)
    )
    return result.first()
