"""Scheduled tasks (held messages, time-out check-ins) against a real database, SQLite and
PostgreSQL: exactly once with two dispatchers at once, after a crash between claim and send,
and the grace window after downtime."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from conftest import FakeClock, bare_services
from sqlalchemy import update
from sqlmodel import col, select

from bot.app import ACTIONS
from bot.db.models import HeldMessage, ScheduledTask
from bot.db.repo import hot as hot_repo
from bot.db.repo import tasks as task_repo
from bot.db.repo import users as user_repo
from bot.domain.catalog import Catalog
from bot.edge.context import Services
from bot.edge.outgoing import Outgoing
from bot.services import hot
from bot.services.flow_runner import FlowRunner
from bot.services.tasks import TaskRunner

USERS = 40


@dataclass
class Inbox:
    """A fake sender that records what each user got."""

    sent: list[tuple[int, str]] = field(default_factory=list)

    async def __call__(self, chat_id: int, messages: tuple[Outgoing, ...]) -> None:
        await asyncio.sleep(0)  # let the other dispatcher run in between
        self.sent.extend((chat_id, m.html) for m in messages)

    def count(self, chat_id: int) -> int:
        return sum(1 for c, _ in self.sent if c == chat_id)


@pytest.fixture
async def services(
    database_url: str, catalog: Catalog, clock: FakeClock
) -> AsyncIterator[Services]:
    async with bare_services(database_url, catalog, clock) as services:
        yield services


def task_runner(services: Services, inbox: Inbox) -> TaskRunner:
    flows = FlowRunner(services, ACTIONS)
    runner = TaskRunner(services, flows, inbox)

    async def return_hold(task: ScheduledTask) -> tuple[Outgoing, ...]:
        return await hot.return_hold(services, task)

    async def check_in(task: ScheduledTask) -> tuple[Outgoing, ...]:
        return await flows.start(task.user_id, task.ref, json.loads(task.state or "{}"))

    runner.add_kind(hot.HOLD_KIND, return_hold)
    runner.add_kind(hot.TIMEOUT_KIND, check_in, starts_flow=True, skip_when_late=True)
    return runner


async def add_hold(services: Services, user_id: int, *, minutes: int = 20) -> int:
    now = services.clock()
    async with services.db.session() as session:
        if await user_repo.get_user(session, user_id=user_id) is None:
            user = await user_repo.create_user(session, user_id=user_id, now=now)
            user.timezone = "Europe/Berlin"
        due = now + timedelta(minutes=minutes)
        held = await hot_repo.add_hold(
            session, user_id=user_id, text=f"draft {user_id}", due_at=due, now=now
        )
        assert held.id is not None
        await task_repo.add_task(
            session, user_id=user_id, kind=hot.HOLD_KIND, ref=str(held.id), due_at=due
        )
        return held.id


async def statuses(services: Services) -> list[str]:
    async with services.db.session() as session:
        return [t.status for t in (await session.exec(select(ScheduledTask))).all()]


async def test_two_dispatchers_at_once_return_each_hold_once(
    services: Services, clock: FakeClock
) -> None:
    for user_id in range(1, USERS + 1):
        await add_hold(services, user_id)
    clock.advance(minutes=21)
    inbox = Inbox()
    first, second = task_runner(services, inbox), task_runner(services, inbox)
    ran = await asyncio.gather(first.tick(limit=7), second.tick(limit=7), first.tick(limit=50))
    while await first.tick() or await second.tick():
        pass
    assert sum(ran) <= USERS
    assert all(inbox.count(u) == 1 for u in range(1, USERS + 1)), inbox.sent
    assert set(await statuses(services)) == {"done"}
    async with services.db.session() as session:
        holds = (await session.exec(select(HeldMessage))).all()
    assert {h.status for h in holds} == {"returned"}


async def test_a_claim_is_taken_by_one_process_only(services: Services, clock: FakeClock) -> None:
    """The claim itself, without the runner: two claims of the same due rows never overlap."""
    for user_id in range(1, 11):
        await add_hold(services, user_id)
    clock.advance(minutes=21)

    async def claim() -> set[int]:
        async with services.db.session() as session:
            found = await task_repo.claim_due(
                session, now=clock(), limit=100, skip_locked=services.db.is_postgres
            )
            return {t.id for t in found if t.id is not None}

    one, two = await asyncio.gather(claim(), claim())
    assert not one & two
    assert len(one | two) == 10


async def test_crash_after_claim_before_send_is_re_queued_and_sent_once(
    services: Services, clock: FakeClock
) -> None:
    await add_hold(services, 1)
    await add_hold(services, 2)
    clock.advance(minutes=21)
    # A process claims both, starts sending the first, and dies.
    async with services.db.session() as session:
        claimed = await task_repo.claim_due(
            session, now=clock(), limit=10, skip_locked=services.db.is_postgres
        )
        assert claimed[0].id is not None
        await task_repo.start_sending(session, task_id=claimed[0].id)
    inbox = Inbox()
    runner = task_runner(services, inbox)
    assert await runner.tick() == 0  # nothing pending: both are someone else's claim
    clock.advance(minutes=11)
    assert await runner.recover() == (1, 1)
    await runner.tick()
    # The one never started arrives once; the one that may have been sent is never repeated.
    assert inbox.count(2) == 1 and inbox.count(1) == 0
    assert sorted(await statuses(services)) == ["done", "lost"]
    # A fresh claim is not touched by a recovery running in another process.
    await add_hold(services, 3, minutes=0)
    async with services.db.session() as session:
        await task_repo.claim_due(session, now=clock(), limit=10, skip_locked=False)
    assert await runner.recover() == (0, 0)


async def test_after_downtime_a_hold_comes_back_late_and_a_check_in_is_skipped(
    services: Services, clock: FakeClock
) -> None:
    await add_hold(services, 1)
    async with services.db.session() as session:
        await task_repo.add_task(
            session,
            user_id=1,
            kind=hot.TIMEOUT_KIND,
            ref="timeout_return",
            due_at=clock() + timedelta(minutes=20),
            state=json.dumps({"who": "mine"}),
        )
        await task_repo.add_task(
            session,
            user_id=1,
            kind=hot.TIMEOUT_KIND,
            ref="timeout_return",
            due_at=clock() + timedelta(hours=3),
            state=json.dumps({"who": "mine"}),
        )
    clock.advance(hours=3, minutes=30)  # the bot was down; grace is two hours
    inbox = Inbox()
    await task_runner(services, inbox).tick()
    texts = [html for _, html in inbox.sent]
    assert len(texts) == 2, texts
    assert "later than you asked" in texts[0]
    assert "Ready to go back?" in texts[1]  # the recent check-in, not the old one
    assert sorted(await statuses(services)) == ["done", "done", "skipped"]


async def test_a_task_cancelled_between_claim_and_send_is_not_run(
    services: Services, clock: FakeClock
) -> None:
    await add_hold(services, 1)
    clock.advance(minutes=21)
    async with services.db.session() as session:
        (task,) = await task_repo.claim_due(session, now=clock(), limit=10, skip_locked=False)
        # /delete (or a "let go") lands while the task is claimed.
        await session.execute(
            update(ScheduledTask)
            .where(col(ScheduledTask.id) == task.id)
            .values(status="cancelled")
        )
    inbox = Inbox()
    runner = task_runner(services, inbox)
    assert task.id is not None
    assert await runner._run(task, runner.kinds[hot.HOLD_KIND]) == "skipped"
    assert inbox.sent == []
