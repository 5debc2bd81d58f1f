"""Queries for the hot-moment tools: held messages (/hold) and bids for connection (/bids)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Bid, HeldMessage


async def add_hold(
    session: AsyncSession, *, user_id: int, text: str, due_at: datetime, now: datetime
) -> HeldMessage:
    """Store a message to give back later."""
    hold = HeldMessage(user_id=user_id, text=text, due_at=due_at, created_at=now)
    session.add(hold)
    await session.flush()
    return hold


async def waiting_holds(session: AsyncSession, *, user_id: int) -> Sequence[HeldMessage]:
    """The user's messages still on hold, soonest first."""
    result = await session.exec(
        select(HeldMessage)
        .where(col(HeldMessage.user_id) == user_id, col(HeldMessage.status) == "waiting")
        .order_by(col(HeldMessage.due_at), col(HeldMessage.id))
    )
    return result.all()


async def get_hold(session: AsyncSession, *, user_id: int, hold_id: int) -> HeldMessage | None:
    """One held message of this user (None if it is someone else's or gone)."""
    hold = await session.get(HeldMessage, hold_id)
    return hold if hold is not None and hold.user_id == user_id else None


async def move_hold(
    session: AsyncSession,
    *,
    hold_id: int,
    from_status: Sequence[str],
    to_status: str,
    now: datetime | None = None,
) -> bool:
    """Change a hold's status only if it is in one of `from_status` (so it happens once)."""
    values: dict[str, object] = {"status": to_status}
    if now is not None:
        values["returned_at"] = now
    result = await session.execute(
        update(HeldMessage)
        .where(col(HeldMessage.id) == hold_id, col(HeldMessage.status).in_(from_status))
        .values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def add_bid(
    session: AsyncSession, *, user_id: int, by: str, response: str, note: str | None, now: datetime
) -> Bid:
    """Log one bid for connection."""
    bid = Bid(user_id=user_id, by=by, response=response, note=note, created_at=now)
    session.add(bid)
    await session.flush()
    return bid


async def bids_since(
    session: AsyncSession, *, user_id: int, since: datetime
) -> Sequence[tuple[datetime, str, str]]:
    """(when, by, response) of the user's bids since a moment, oldest first."""
    result = await session.exec(
        select(Bid.created_at, Bid.by, Bid.response)
        .where(col(Bid.user_id) == user_id, col(Bid.created_at) >= since)
        .order_by(col(Bid.created_at))
    )
    return [(when, by, response) for when, by, response in result.all()]
