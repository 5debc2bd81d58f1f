"""Your data: delete erases every row of one user and nothing of anyone else's; export has
it all; free text is encrypted at rest with a key, and keys rotate."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlmodel import SQLModel, col, select

from bot.db.crypto import Vault, install_vault
from bot.db.engine import Database
from bot.db.keys import rotate, sealed_columns
from bot.db.models import (
    USER_TABLES,
    Bid,
    Delivery,
    FlowRun,
    GroundingSession,
    HeldMessage,
    JournalEntry,
    MoodEntry,
    PracticeAttempt,
    SafetyEvent,
    ScheduledTask,
    User,
)
from bot.db.repo import data as data_repo
from bot.domain.export import to_json

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
SECRET = "I feel lonely when the evenings go quiet"


def rows_for(user_id: int) -> list[SQLModel]:
    """One row in every table that holds user data."""
    return [
        User(id=user_id, consented_at=NOW, timezone="Europe/Berlin", prompt_time="08:00"),
        FlowRun(user_id=user_id, flow_id="x", step_id="y", state='{"vars": {"a": "b"}}',
                started_at=NOW, updated_at=NOW),
        Delivery(user_id=user_id, slot="prompt", local_date=date(2026, 5, 1), due_at=NOW,
                 claimed_at=NOW),
        JournalEntry(user_id=user_id, kind="note", text=f"{SECRET} ({user_id})", created_at=NOW),
        PracticeAttempt(user_id=user_id, exercise="practice_check", text=SECRET, verdict="ready",
                        created_at=NOW),
        MoodEntry(user_id=user_id, rating=3, feelings="calm", note="a note", created_at=NOW),
        GroundingSession(user_id=user_id, exercise="box_breathing", before=7, after=4,
                         created_at=NOW),
        ScheduledTask(user_id=user_id, kind="flow", ref="x", due_at=NOW, state="{}"),
        SafetyEvent(user_id=user_id, level="check", kind="self_harm", created_at=NOW),
        HeldMessage(user_id=user_id, text="not yet", due_at=NOW, created_at=NOW),
        Bid(user_id=user_id, by="theirs", response="toward", note="a look", created_at=NOW),
    ]  # fmt: skip


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    install_vault(Vault([]))
    db = Database(database_url)
    await db.upgrade()
    yield db
    await db.dispose()
    install_vault(Vault([]))


def test_every_user_table_is_covered() -> None:
    tables_with_user_id = {
        table.name for table in SQLModel.metadata.sorted_tables if "user_id" in table.columns
    }
    assert tables_with_user_id == {str(t.__tablename__) for t in USER_TABLES}


async def test_delete_erases_one_user_and_nothing_else(database: Database) -> None:
    async with database.session() as session:
        for user_id in (1, 2):
            for row in rows_for(user_id):
                session.add(row)
    async with database.session() as session:
        removed = await data_repo.delete_user(session, user_id=1)
    assert removed == len(rows_for(1))
    async with database.session() as session:
        for table in (*USER_TABLES, User):
            column = User.id if table is User else table.user_id  # type: ignore[attr-defined]
            mine = (await session.exec(select(table).where(col(column) == 1))).all()
            theirs = (await session.exec(select(table).where(col(column) == 2))).all()
            assert mine == [], table
            assert len(theirs) == 1, table


async def test_export_contains_every_table_and_the_text(database: Database) -> None:
    async with database.session() as session:
        for row in rows_for(3):
            session.add(row)
    async with database.session() as session:
        rows = await data_repo.user_rows(session, user_id=3)
    document = json.loads(to_json(rows, exported_at=NOW))
    assert set(document["tables"]) == {"users", *(str(t.__tablename__) for t in USER_TABLES)}
    assert all(len(v) == 1 for v in document["tables"].values())
    assert document["tables"]["journal_entries"][0]["text"] == f"{SECRET} (3)"


async def test_free_text_is_not_stored_in_plaintext_with_a_key(tmp_path: Path) -> None:
    path = tmp_path / "enc.db"
    install_vault(Vault([Fernet.generate_key().decode()]))
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await db.upgrade()
        async with db.session() as session:
            for row in rows_for(4):
                session.add(row)
        async with db.session() as session:
            entry = (await session.exec(select(JournalEntry))).one()
            assert entry.text == f"{SECRET} (4)"  # reads back decrypted
    finally:
        await db.dispose()
        install_vault(Vault([]))
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert SECRET.encode() not in raw
    assert b"lonely" not in raw


async def test_without_a_key_text_is_plain(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await db.upgrade()
        async with db.session() as session:
            session.add(JournalEntry(user_id=1, kind="note", text=SECRET, created_at=NOW))
    finally:
        await db.dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert SECRET.encode() in raw


async def test_keys_rotate_re_encrypts_with_the_newest_key(database: Database) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    install_vault(Vault([old]))
    async with database.session() as session:
        for row in rows_for(5):
            session.add(row)
    assert await rotate(database, Vault([new, old])) == len(sealed_columns())
    install_vault(Vault([new]))  # the old key is gone now
    async with database.session() as session:
        entry = (await session.exec(select(JournalEntry))).one()
        run = (await session.exec(select(FlowRun))).one()
    assert entry.text == f"{SECRET} (5)"
    assert run.state == '{"vars": {"a": "b"}}'
