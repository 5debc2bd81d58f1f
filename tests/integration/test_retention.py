"""RETENTION_DAYS: old rows go, recent and live ones stay, at most once a day; 0 keeps all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from conftest import FakeClock
from sqlmodel import SQLModel, select

from bot.db.crypto import Vault, install_vault
from bot.db.engine import Database
from bot.db.models import (
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
from bot.services.retention import Retention

NOW = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)
DAYS = 30


def rows_at(when: datetime, tag: str) -> list[SQLModel]:
    """One row of each kind that retention knows, created (or last touched) at `when`."""
    return [
        JournalEntry(user_id=1, kind="note", text=tag, created_at=when),
        MoodEntry(user_id=1, rating=3, note=tag, created_at=when),
        PracticeAttempt(user_id=1, exercise="practice_check", text=tag, verdict="ready",
                        created_at=when),
        GroundingSession(user_id=1, exercise="box_breathing", before=7, after=3, created_at=when),
        FlowRun(user_id=1, flow_id=tag, step_id="done", status="done", started_at=when,
                updated_at=when),
        ScheduledTask(user_id=1, kind="flow", ref=tag, due_at=when, status="done"),
        Delivery(user_id=1, slot=tag, local_date=when.date(), due_at=when, claimed_at=when,
                 status="sent"),
        HeldMessage(user_id=1, text=tag, due_at=when, status="let_go", created_at=when),
        Bid(user_id=1, by="mine", response="toward", note=tag, created_at=when),
    ]  # fmt: skip


def live_rows(when: datetime) -> list[SQLModel]:
    """Old rows that are still in play, and rows retention never touches."""
    return [
        User(id=1, consented_at=when),
        FlowRun(user_id=1, flow_id="live", step_id="a", status="active", started_at=when,
                updated_at=when),
        FlowRun(user_id=1, flow_id="paused", step_id="a", status="paused", started_at=when,
                updated_at=when),
        ScheduledTask(user_id=1, kind="flow", ref="pending", due_at=when, status="pending"),
        Delivery(user_id=1, slot="claimed", local_date=when.date(), due_at=when,
                 claimed_at=when, status="claimed"),
        SafetyEvent(user_id=1, level="check", created_at=when),
        HeldMessage(user_id=1, text="waiting", due_at=when, created_at=when),
    ]  # fmt: skip


TABLES: tuple[type[Any], ...] = (
    JournalEntry, MoodEntry, PracticeAttempt, GroundingSession, FlowRun, ScheduledTask, Delivery,
    User, SafetyEvent, HeldMessage, Bid,
)  # fmt: skip


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    install_vault(Vault([]))
    db = Database(database_url)
    await db.upgrade()
    yield db
    await db.dispose()


async def fill(db: Database) -> None:
    old = NOW - timedelta(days=DAYS, seconds=1)
    recent = NOW - timedelta(days=DAYS - 1)
    async with db.session() as session:
        for row in [*rows_at(old, "old"), *rows_at(recent, "recent"), *live_rows(old)]:
            session.add(row)


async def counts(db: Database) -> dict[str, int]:
    found: dict[str, int] = {}
    async with db.session() as session:
        for table in TABLES:
            found[str(table.__tablename__)] = len((await session.exec(select(table))).all())
    return found


async def test_rows_older_than_the_period_go_and_the_rest_stays(database: Database) -> None:
    await fill(database)
    before = await counts(database)
    purge = await Retention(database, days=DAYS, clock=lambda: NOW).run_if_due()
    assert purge is not None
    assert purge.cutoff == NOW - timedelta(days=DAYS)
    assert purge.removed == {
        "journal_entries": 1, "mood_entries": 1, "practice_attempts": 1,
        "grounding_sessions": 1, "flow_runs": 1, "scheduled_tasks": 1, "deliveries": 1,
        "held_messages": 1, "bids": 1,
    }  # fmt: skip
    assert purge.total == 9
    after = await counts(database)
    assert {name: before[name] - after[name] for name in before} == {
        **purge.removed, "users": 0, "safety_events": 0,
    }  # fmt: skip
    async with database.session() as session:
        texts = [e.text for e in (await session.exec(select(JournalEntry))).all()]
        runs = sorted(r.flow_id for r in (await session.exec(select(FlowRun))).all())
    assert texts == ["recent"]
    assert runs == ["live", "paused", "recent"]


async def test_zero_days_deletes_nothing(database: Database) -> None:
    await fill(database)
    before = await counts(database)
    retention = Retention(database, days=0, clock=lambda: NOW + timedelta(days=400))
    assert not retention.enabled
    assert await retention.run_if_due() is None
    assert await counts(database) == before


async def test_it_runs_at_most_once_per_day(database: Database) -> None:
    clock = FakeClock(NOW)
    retention = Retention(database, days=DAYS, clock=clock)
    assert await retention.run_if_due() is not None  # nothing to delete, but it ran
    await fill(database)
    clock.advance(hours=20)  # 23:00, still the same day
    assert await retention.run_if_due() is None
    assert (await counts(database))["journal_entries"] == 2
    clock.advance(hours=1)  # the next day
    purge = await retention.run_if_due()
    assert purge is not None and purge.removed["journal_entries"] == 1
    assert await retention.run_if_due() is None


async def test_deliveries_outlive_a_long_grace_window(database: Database) -> None:
    # A prompt may still go out up to `grace` late; its delivery row is what stops a second
    # send, so it stays for the grace window plus a day even with a shorter retention.
    async with database.session() as session:
        for hours in (23, 49, 75):
            when = NOW - timedelta(hours=hours)
            session.add(Delivery(user_id=1, slot="prompt", local_date=date(2026, 4, 1 + hours // 24),
                                 due_at=when, claimed_at=when, status="sent"))  # fmt: skip
    retention = Retention(database, days=1, clock=lambda: NOW, grace=timedelta(hours=48))
    purge = await retention.run_if_due()
    assert purge is not None and purge.removed["deliveries"] == 1  # only the one 75 h old
