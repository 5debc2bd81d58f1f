"""`python -m bot keys rotate`: re-encrypt every sealed column with the newest key."""

from __future__ import annotations

from sqlalchemy import Table, bindparam, select, update
from sqlmodel import SQLModel

from bot.db.crypto import SealedText, Vault
from bot.db.engine import Database

BATCH = 500


def sealed_columns() -> list[tuple[Table, str]]:
    """Every (table, column) stored encrypted, found from the models themselves."""
    found = []
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, SealedText):
                found.append((table, column.name))
    return found


async def rotate(database: Database, vault: Vault) -> int:
    """Re-encrypt all sealed text (plaintext too, once a key exists); return rows changed."""
    changed = 0
    for table, name in sealed_columns():
        # Read and write the raw stored strings: bypass SealedText's own encrypt/decrypt.
        raw = table.c[name].cast(table.c[name].type.impl)  # type: ignore[attr-defined]
        async with database.engine.begin() as conn:
            rows = (
                await conn.execute(select(table.c.id, raw).where(table.c[name].is_not(None)))
            ).all()
            updates = [{"row_id": row[0], "value": vault.rotate(row[1])} for row in rows]
            for start in range(0, len(updates), BATCH):
                chunk = updates[start : start + BATCH]
                statement = (
                    update(table)
                    .where(table.c.id == bindparam("row_id"))
                    .values({name: bindparam("value", type_=table.c[name].type.impl)})  # type: ignore[attr-defined]
                )
                await conn.execute(statement, chunk)
            changed += len(updates)
    return changed
