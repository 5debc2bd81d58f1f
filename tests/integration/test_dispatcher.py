"""The prompt dispatcher against a real database (SQLite, and PostgreSQL when available):
exactly once per user and local date, catch-up after downtime, blocked users, 429s, 5xx."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from conftest import FakeClock, bare_services
from sqlmodel import select
from telegram.error import Forbidden, NetworkError, RetryAfter

from bot.db.models import Delivery, User
from bot.db.repo import users as user_repo
from bot.domain.catalog import Catalog
from bot.edge.context import Services
from bot.edge.outgoing import Outgoing
from bot.services.dispatcher import PROMPT_SLOT, Dispatcher
from bot.services.profile import schedule_next_prompt


@dataclass
class Recorder:
    """A fake sender: records messages, can fail on chosen users."""

    sent: list[tuple[int, str]] = field(default_factory=list)
    failures: dict[int, list[Exception]] = field(default_factory=dict)

    async def __call__(self, chat_id: int, message: Outgoing) -> int:
        pending = self.failures.get(chat_id)
        if pending:
            raise pending.pop(0)
        await asyncio.sleep(0)
        self.sent.append((chat_id, message.html))
        return len(self.sent)

    def count(self, chat_id: int) -> int:
        return sum(1 for c, _ in self.sent if c == chat_id)


@pytest.fixture
async def services(
    database_url: str, catalog: Catalog, clock: FakeClock
) -> AsyncIterator[Services]:
    async with bare_services(database_url, catalog, clock, dispatch_batch_size=50) as services:
        yield services


async def add_user(
    services: Services,
    user_id: int,
    *,
    zone: str = "Europe/Berlin",
    at: str = "09:30",
    days: int = 127,
) -> None:
    async with services.db.session() as session:
        user = await user_repo.create_user(
            session, user_id=user_id, now=services.clock() - timedelta(days=1)
        )
        user.timezone, user.prompt_time, user.prompt_days = zone, at, days
        user.prompts_enabled = True
        await schedule_next_prompt(session, user=user, now=services.clock())


async def deliveries(services: Services, user_id: int) -> list[Delivery]:
    async with services.db.session() as session:
        result = await session.exec(select(Delivery).where(Delivery.user_id == user_id))
        return list(result.all())


async def user_row(services: Services, user_id: int) -> User:
    async with services.db.session() as session:
        user = await user_repo.get_user(session, user_id=user_id)
        assert user is not None
        return user


async def test_each_due_user_gets_one_prompt_a_day(services: Services, clock: FakeClock) -> None:
    # 09:00 UTC on Monday 2 March is 10:00 in Berlin; 09:30 local is already past today.
    for user_id in range(1, 121):
        await add_user(services, user_id, at="10:30")
    sender = Recorder()
    dispatcher = Dispatcher(services, sender)
    assert (await dispatcher.tick()).sent == 0
    clock.advance(minutes=31)
    report = await dispatcher.tick()
    assert report.sent == 120
    assert report.batches == 3  # batch size 50
    assert (await dispatcher.tick()).sent == 0
    clock.advance(hours=1)
    assert (await dispatcher.tick()).sent == 0
    clock.advance(days=1)
    assert (await dispatcher.tick()).sent == 120
    assert all(sender.count(u) == 2 for u in range(1, 121))
    first = await user_row(services, 1)
    assert first.prompt_cursor == 2
    assert first.awaiting_prompt_id in services.catalog.library.prompts


async def test_the_prompt_is_discreet_and_has_four_buttons(
    services: Services, clock: FakeClock
) -> None:
    await add_user(services, 7, at="10:05")
    sender = Recorder()
    sent_messages: list[Outgoing] = []

    async def capture(chat_id: int, message: Outgoing) -> int:
        sent_messages.append(message)
        return await sender(chat_id, message)

    clock.advance(minutes=10)
    await Dispatcher(services, capture).tick()
    (message,) = sent_messages
    first_line = message.html.split("\n", 1)[0]
    assert first_line in services.catalog.library.meta.teasers
    assert "<tg-spoiler>" in message.html
    assert sum(len(row) for row in message.rows) == 4


async def test_two_dispatchers_at_once_never_send_twice(
    services: Services, clock: FakeClock
) -> None:
    for user_id in range(1, 201):
        await add_user(services, user_id, at="10:10")
    clock.advance(minutes=15)
    sender = Recorder()
    reports = await asyncio.gather(
        Dispatcher(services, sender).tick(), Dispatcher(services, sender).tick()
    )
    assert sum(r.sent for r in reports) == 200
    assert sorted(c for c, _ in sender.sent) == list(range(1, 201))


async def test_a_date_claimed_before_is_never_claimed_again(
    services: Services, clock: FakeClock
) -> None:
    await add_user(services, 5, at="10:10")
    clock.advance(minutes=15)
    # Someone (another process, or /prompt) already holds today's key.
    async with services.db.session() as session:
        session.add(
            Delivery(
                user_id=5,
                slot=PROMPT_SLOT,
                local_date=clock.now.date(),
                due_at=clock.now,
                claimed_at=clock.now,
                status="sent",
            )
        )
    sender = Recorder()
    report = await Dispatcher(services, sender).tick()
    assert sender.sent == []
    assert report.conflicts == 1
    assert (await user_row(services, 5)).next_prompt_at > clock.now  # type: ignore[operator]


async def test_crash_between_claim_and_send_is_logged_as_lost_and_not_resent(
    services: Services, clock: FakeClock
) -> None:
    await add_user(services, 9, at="10:10")
    clock.advance(minutes=15)

    async def die(chat_id: int, message: Outgoing) -> int:
        raise asyncio.CancelledError  # the process is killed mid-send

    with pytest.raises(asyncio.CancelledError):
        await Dispatcher(services, die).tick()
    clock.advance(minutes=30)  # restart
    sender = Recorder()
    dispatcher = Dispatcher(services, sender)
    assert await dispatcher.recover() == 1
    await dispatcher.tick()
    assert sender.sent == []
    assert [d.status for d in await deliveries(services, 9)] == ["lost"]
    clock.advance(days=1)
    await dispatcher.tick()
    assert sender.count(9) == 1


async def test_a_crash_mid_batch_sends_the_unattempted_after_restart_and_nothing_twice(
    services: Services, clock: FakeClock
) -> None:
    for user_id in (21, 22, 23, 24):
        await add_user(services, user_id, at="10:10")
    clock.advance(minutes=15)
    sender = Recorder()

    async def die_on_the_second(chat_id: int, message: Outgoing) -> int:
        if sender.sent:
            raise asyncio.CancelledError  # killed while this send was in flight
        return await sender(chat_id, message)

    # One message per wave: the first is sent and recorded, the process dies during the
    # second, and the last two were claimed but never attempted.
    with pytest.raises(asyncio.CancelledError):
        await Dispatcher(services, die_on_the_second, concurrency=1).tick()
    (first,) = [chat for chat, _ in sender.sent]
    clock.advance(minutes=1)  # restart
    dispatcher = Dispatcher(services, sender)
    assert await dispatcher.recover() == 1  # the one in flight: it may have arrived
    await dispatcher.tick()
    counts = {user_id: sender.count(user_id) for user_id in (21, 22, 23, 24)}
    assert counts[first] == 1
    assert sorted(counts.values()) == [0, 1, 1, 1], counts
    statuses = sorted([d.status for u in counts for d in await deliveries(services, u)])
    assert statuses == ["lost", "sent", "sent", "sent"]


async def test_claims_given_back_after_a_long_outage_are_skipped_not_sent_late(
    services: Services, clock: FakeClock
) -> None:
    await add_user(services, 25, at="10:10")
    clock.advance(minutes=15)

    async def die(chat_id: int, message: Outgoing) -> int:
        raise asyncio.CancelledError

    dispatcher = Dispatcher(services, die, concurrency=1)
    with pytest.raises(asyncio.CancelledError):
        await dispatcher.tick()
    # A claimed row that was never marked (the crash came before its wave).
    async with services.db.session() as session:
        for delivery in await deliveries(services, 25):
            delivery.status = "claimed"
            session.add(delivery)
    clock.advance(hours=5)  # down for longer than the grace window
    sender = Recorder()
    dispatcher = Dispatcher(services, sender)
    assert await dispatcher.recover() == 0
    report = await dispatcher.tick()
    assert sender.count(25) == 0 and report.skipped == 1


@pytest.mark.parametrize(
    ("late", "expected"), [(timedelta(minutes=90), 1), (timedelta(hours=3), 0)]
)
async def test_after_downtime_only_recent_prompts_are_sent(
    services: Services, clock: FakeClock, late: timedelta, expected: int
) -> None:
    await add_user(services, 11, at="10:10")
    clock.now = clock.now + timedelta(minutes=10) + late
    sender = Recorder()
    report = await Dispatcher(services, sender).tick()
    assert sender.count(11) == expected
    assert report.skipped == 1 - expected
    nxt = (await user_row(services, 11)).next_prompt_at
    assert nxt is not None and nxt.astimezone(UTC).date() == datetime(2026, 3, 3).date()


async def test_blocked_user_is_deactivated_and_never_sent_to_again(
    services: Services, clock: FakeClock
) -> None:
    await add_user(services, 21, at="10:10")
    await add_user(services, 22, at="10:10")
    sender = Recorder(failures={21: [Forbidden("Forbidden: bot was blocked by the user")]})
    clock.advance(minutes=15)
    report = await Dispatcher(services, sender).tick()
    assert report.blocked == 1 and report.sent == 1
    user = await user_row(services, 21)
    assert not user.active and user.next_prompt_at is None
    for _ in range(3):
        clock.advance(days=1)
        await Dispatcher(services, sender).tick()
    assert sender.count(21) == 0 and sender.count(22) == 4


async def test_retry_after_is_honoured_and_the_prompt_still_arrives(
    services: Services, clock: FakeClock
) -> None:
    await add_user(services, 31, at="10:10")
    sender = Recorder(failures={31: [RetryAfter(timedelta(seconds=7))]})
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    dispatcher = Dispatcher(services, sender)
    dispatcher.sleep = fake_sleep
    clock.advance(minutes=15)
    await dispatcher.tick()
    assert waits == [7.0]
    assert sender.count(31) == 1


async def test_server_errors_release_the_prompt_for_the_next_tick(
    services: Services, clock: FakeClock
) -> None:
    await add_user(services, 41, at="10:10")
    sender = Recorder(failures={41: [NetworkError("Bad Gateway")] * 3})
    dispatcher = Dispatcher(services, sender)

    async def no_sleep(seconds: float) -> None:
        return None

    dispatcher.sleep = no_sleep
    clock.advance(minutes=15)
    report = await dispatcher.tick()
    assert report.released == 1 and sender.count(41) == 0
    clock.advance(minutes=1)
    await dispatcher.tick()
    assert sender.count(41) == 1
    assert [d.status for d in await deliveries(services, 41)] == ["sent"]


async def test_a_local_time_in_the_spring_gap_fires_once_an_hour_later(
    services: Services, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    await add_user(services, 51, at="02:30")
    user = await user_row(services, 51)
    # 29 March 2026: Berlin jumps from 02:00 to 03:00; 02:30 becomes 03:30 CEST = 01:30 UTC.
    assert user.next_prompt_at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


async def test_quiet_users_get_one_kind_check_in_then_fewer_prompts(
    services: Services, clock: FakeClock
) -> None:
    await add_user(services, 61, at="10:10")
    async with services.db.session() as session:
        await user_repo.update_user(
            session, user_id=61, consented_at=clock.now - timedelta(days=20)
        )
    sender = Recorder()
    dispatcher = Dispatcher(services, sender)
    clock.advance(minutes=15)
    await dispatcher.tick()
    assert sender.sent[0][1].split("\n", 1)[0] in services.catalog.library.meta.checkin
    for _ in range(9):
        clock.advance(days=1)
        await dispatcher.tick()
    # After the check-in: one prompt every third day, not ten.
    assert sender.count(61) == 1 + 3
    statuses = [d.status for d in await deliveries(services, 61)]
    assert statuses.count("skipped") == 6
