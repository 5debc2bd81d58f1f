"""Queries about scheduled deliveries: claims, outcomes, the last delivered date."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Delivery


async def last_local_date(session: AsyncSession, *, user_id: int, slot: str) -> date | None:
    """Return the user's local date of the latest claimed delivery in a slot."""
    result = await session.exec(
        select(col(Delivery.local_date))
        .where(Delivery.user_id == user_id, Delivery.slot == slot)
        .order_by(col(Delivery.local_date).desc())
        .limit(1)
    )
    return result.first()
