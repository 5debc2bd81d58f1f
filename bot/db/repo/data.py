"""Everything stored about one user, for /export and /delete."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import USER_TABLES, User
from bot.db.repo.flows import forget_active


async def user_rows(session: AsyncSession, *, user_id: int) -> dict[str, list[dict[str, Any]]]:
    """Return every row of the user, per table, as plain dicts (text decrypted)."""
    found: dict[str, list[dict[str, Any]]] = {}
    user = await session.get(User, user_id)
    found[str(User.__tablename__)] = [user.model_dump()] if user is not None else []
    for table in USER_TABLES:
        result = await session.exec(
            select(table).where(col(table.user_id) == user_id)  # type: ignore[attr-defined]
        )
        found[str(table.__tablename__)] = [row.model_dump() for row in result.all()]
    return found


async def delete_user(session: AsyncSession, *, user_id: int) -> int:
    """Erase every row belonging to the user; return how many rows went."""
    removed = 0
    forget_active(session, user_id)
    tables: list[type[SQLModel]] = [*USER_TABLES, User]
    for table in tables:
        column = User.id if table is User else table.user_id  # type: ignore[attr-defined]
        result = await session.execute(delete(table).where(col(column) == user_id))
        removed += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return removed
