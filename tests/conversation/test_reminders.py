"""Optional reminders from /settings: a daily mood check-in and the weekly picture."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from conftest import FakeClock
from helpers import onboard
from sqlmodel import select

from bot.db.models import ScheduledTask
from bot.fakeapi.core import FakeTelegram
from bot.fakeapi.driver import ChatDriver


async def pending(app: Any) -> list[ScheduledTask]:
    async with app.bot_data["services"].db.session() as session:
        result = await session.exec(select(ScheduledTask).where(ScheduledTask.status == "pending"))
        return list(result.all())


async def test_daily_mood_check_in_arrives_and_books_the_next(
    chat: ChatDriver, app: Any, clock: FakeClock
) -> None:
    await onboard(chat)
    await chat.say("/settings")
    await chat.tap("Mood check-in")
    await chat.tap("21:30")
    (task,) = await pending(app)
    assert task.due_at == datetime(2026, 3, 2, 20, 30, tzinfo=UTC)  # 21:30 in Berlin
    clock.now = datetime(2026, 3, 2, 20, 31, tzinfo=UTC)
    arrived = await chat.run_jobs("dispatch_prompts")
    assert "How are you feeling right now" in arrived[0].plain_text, chat.transcript()
    (following,) = await pending(app)
    assert following.due_at == datetime(2026, 3, 3, 20, 30, tzinfo=UTC)
    await chat.say("/settings")
    await chat.tap("Mood check-in")
    await chat.tap("No, thanks")
    assert await pending(app) == []


async def test_weekly_picture_on_the_chosen_day(
    chat: ChatDriver, app: Any, clock: FakeClock, fake: FakeTelegram
) -> None:
    await onboard(chat)
    await chat.say("/mood")
    await chat.tap("4 · good")
    await chat.tap("content")
    await chat.tap("No, that's all")
    await chat.say("/settings")
    await chat.tap("Weekly picture")
    await chat.tap("Sundays")
    await chat.tap("18:00")
    (task,) = await pending(app)
    assert task.due_at == datetime(2026, 3, 8, 17, 0, tzinfo=UTC)
    clock.now = datetime(2026, 3, 8, 17, 1, tzinfo=UTC)
    await chat.run_jobs("dispatch_prompts")
    (photo,) = fake.calls_to("sendPhoto")
    assert photo.params["chat_id"] == chat.chat_id
    (following,) = await pending(app)
    assert following.due_at == datetime(2026, 3, 15, 17, 0, tzinfo=UTC)
