"""Daily prompts through the real app: delivery by the dispatcher job, the four buttons,
answers saved to the journal, /prompt, /pause and /resume, blocking and unblocking."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from conftest import FakeClock
from helpers import onboard, stored_user, text, variants
from sqlmodel import select
from telegram import Update

from bot.content.texts import T
from bot.db.models import JournalEntry, ScheduledTask
from bot.domain.catalog import Catalog
from bot.fakeapi.core import FakeTelegram
from bot.fakeapi.driver import ChatDriver


async def journal(app: Any) -> list[JournalEntry]:
    async with app.bot_data["services"].db.session() as session:
        return list((await session.exec(select(JournalEntry))).all())


async def test_the_prompt_arrives_on_time_and_the_answer_is_kept(
    chat: ChatDriver, app: Any, clock: FakeClock, catalog: Catalog
) -> None:
    await onboard(chat, time="12:30")
    assert await chat.run_jobs("dispatch_prompts") == []  # 10:00 in Berlin: not yet
    clock.now = datetime(2026, 3, 2, 11, 31, tzinfo=UTC)  # 12:31 in Berlin
    (prompt,) = await chat.run_jobs("dispatch_prompts")
    lead, question = prompt.plain_text.split("\n\n", 1)
    assert lead in catalog.library.meta.teasers
    assert "<tg-spoiler>" in prompt.text
    assert prompt.labels == list(catalog.library.meta.buttons.values())
    assert await chat.run_jobs("dispatch_prompts") == []  # never twice a day

    replies = await chat.say("I noticed I go quiet too when I'm hurt.")
    assert replies[0].plain_text in catalog.library.meta.acknowledgements
    (entry,) = await journal(app)
    assert entry.kind == "prompt" and entry.text == "I noticed I go quiet too when I'm hurt."
    assert catalog.library.prompts[entry.ref or ""].text == question


async def test_prompt_buttons_answer_another_skip_and_later(
    chat: ChatDriver, app: Any, catalog: Catalog
) -> None:
    await onboard(chat)
    (first,) = await chat.say("/prompt")
    reply = await chat.tap(catalog.library.meta.buttons["answer"])
    assert reply[0].plain_text == text(catalog, T.prompt_answer_invite)
    (second,) = await chat.tap(catalog.library.meta.buttons["another"])
    assert second.plain_text.split("\n\n", 1)[1] != first.plain_text.split("\n\n", 1)[1]
    reply = await chat.tap(catalog.library.meta.buttons["skip_today"])
    assert reply[0].plain_text in variants(catalog, T.prompt_skipped)
    reply = await chat.say("just chatting")
    assert reply[0].plain_text in variants(catalog, T.unknown_text)  # skipped: not an answer
    reply = await chat.tap(catalog.library.meta.buttons["remind_later"])
    assert reply[0].plain_text == text(catalog, T.prompt_remind_set)
    async with app.bot_data["services"].db.session() as session:
        (task,) = (await session.exec(select(ScheduledTask))).all()
    assert task.kind == "prompt_reminder"


async def test_a_reply_to_the_prompt_message_counts_as_the_answer(
    chat: ChatDriver, app: Any, fake: FakeTelegram
) -> None:
    await onboard(chat)
    (prompt,) = await chat.say("/prompt")
    await chat.say("/help")
    update = fake.send_text(1001, "Replying to the question itself", reply_to=prompt.message_id)
    await app.process_update(Update.de_json(update, app.bot))
    (entry,) = await journal(app)
    assert entry.text == "Replying to the question itself"


async def test_prompt_now_is_today_s_prompt_and_the_schedule_moves_on(
    chat: ChatDriver, app: Any, clock: FakeClock
) -> None:
    await onboard(chat, time="12:30")
    (now,) = await chat.say("/prompt")
    (again,) = await chat.say("/prompt")
    assert again.plain_text.split("\n\n", 1)[1] == now.plain_text.split("\n\n", 1)[1]
    clock.now = datetime(2026, 3, 2, 11, 31, tzinfo=UTC)
    assert await chat.run_jobs("dispatch_prompts") == []  # today's was given already
    user = await stored_user(app, 1001)
    assert user is not None and user.next_prompt_at == datetime(2026, 3, 3, 11, 30, tzinfo=UTC)


async def test_pause_and_resume(
    chat: ChatDriver, app: Any, clock: FakeClock, catalog: Catalog
) -> None:
    await onboard(chat, time="12:30")
    reply = await chat.say("/pause for 3 days")
    assert "paused until Thursday 5 March" in reply[0].plain_text
    for day in range(3):
        clock.now = datetime(2026, 3, 2 + day, 11, 31, tzinfo=UTC)
        assert await chat.run_jobs("dispatch_prompts") == []
    reply = await chat.say("/pause for ever and ever")
    assert reply[0].plain_text == text(catalog, T.pause_not_understood)
    reply = await chat.say("/pause")
    assert reply[0].plain_text == text(catalog, T.pause_forever)
    reply = await chat.say("/resume")
    assert "Welcome back" in reply[0].plain_text and "12:30" in reply[0].plain_text
    clock.now = datetime(2026, 3, 5, 11, 31, tzinfo=UTC)
    assert len(await chat.run_jobs("dispatch_prompts")) == 1


async def test_blocking_stops_prompts_and_unblocking_brings_them_back(
    chat: ChatDriver, app: Any, fake: FakeTelegram, clock: FakeClock
) -> None:
    await onboard(chat, time="12:30")
    await app.process_update(Update.de_json(fake.block(1001), app.bot))
    user = await stored_user(app, 1001)
    assert user is not None and not user.active and user.next_prompt_at is None
    clock.now = datetime(2026, 3, 2, 11, 31, tzinfo=UTC)
    await chat.run_jobs("dispatch_prompts")
    assert fake.calls_to("sendMessage")[-1].params.get("text", "").startswith("All set")
    await app.process_update(Update.de_json(fake.unblock(1001), app.bot))
    user = await stored_user(app, 1001)
    assert user is not None and user.active and user.next_prompt_at is not None
