"""The hot moment through the real app: /hold (a message set aside and given back), /timeout
(a pause with a return), /bids (a ten-second log), and everything that can go wrong on the way:
bad times, stickers, /cancel, /delete and blocking before a hold fires, a restart."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from conftest import FakeClock
from helpers import app_factory, onboard, text
from sqlmodel import select
from telegram import Update

from bot.content.texts import T
from bot.db.models import Bid, HeldMessage, ScheduledTask
from bot.domain.catalog import Catalog
from bot.fakeapi.core import FakeTelegram
from bot.fakeapi.driver import ChatDriver, running_app
from bot.ops.config import Settings

DRAFT = "Why are you ignoring me again? Answer me."
# The clock starts on Monday 2 March 2026, 09:00 UTC = 10:00 in Berlin.


async def rows(app: Any, model: type[Any]) -> list[Any]:
    async with app.bot_data["services"].db.session() as session:
        return list((await session.exec(select(model).order_by(model.id))).all())


async def hold(chat: ChatDriver, draft: str = DRAFT, when: str = "In 20 minutes") -> None:
    await chat.say("/hold")
    await chat.say(draft)
    if when.startswith("In ") or when in ("Tonight", "Tomorrow morning"):
        await chat.tap(when)
    else:
        await chat.say(when)


async def test_hold_comes_back_once_and_can_be_sent_as_it_is(
    chat: ChatDriver, app: Any, clock: FakeClock, catalog: Catalog
) -> None:
    await onboard(chat)
    await chat.say("/hold")
    coach = await chat.say(DRAFT)
    # The coach's view of the draft comes first, then the question of when.
    assert len(coach) == 2 and "20 minutes" in " ".join(coach[1].labels), chat.transcript()
    (saved,) = await chat.tap("In 20 minutes")
    assert "today at 10:20" in saved.plain_text, chat.transcript()
    assert saved.labels == [text(catalog, T.btn_hold_ground)]
    (stored,) = await rows(app, HeldMessage)
    assert stored.text == DRAFT and stored.status == "waiting"

    clock.advance(minutes=19)
    assert await chat.run_jobs("dispatch_prompts") == []
    clock.advance(minutes=2)
    (back,) = await chat.run_jobs("dispatch_prompts")
    assert back.plain_text.startswith("Something you set aside is back"), chat.transcript()
    assert DRAFT in back.plain_text
    assert await chat.run_jobs("dispatch_prompts") == []  # exactly once
    (copy,) = await chat.tap(text(catalog, T.btn_hold_send))
    assert DRAFT in copy.plain_text
    assert (await rows(app, HeldMessage))[0].status == "sent"
    # Every message went to the user; the bot never writes to anyone else.
    assert {c.params["chat_id"] for c in chat.fake.calls_to("sendMessage")} == {chat.chat_id}
    (stale,) = await chat.tap_old(back.message_id, text(catalog, T.btn_hold_let_go))
    assert stale.plain_text == text(catalog, T.hold_gone)


async def test_edit_goes_into_the_draft_check_and_let_go_lets_go(
    chat: ChatDriver, app: Any, clock: FakeClock, catalog: Catalog
) -> None:
    await onboard(chat)
    await hold(chat)
    await hold(chat, "I miss you. Can we talk tonight?", "Tonight")
    listing, _question = await chat.say("/hold")
    assert listing.plain_text.startswith("On hold (2)")
    assert "today at 10:20" in listing.plain_text and "today at 21:00" in listing.plain_text
    await chat.say("/cancel")
    clock.advance(minutes=21)
    (_back,) = await chat.run_jobs("dispatch_prompts")
    edit = await chat.tap(text(catalog, T.btn_hold_edit))
    assert DRAFT in edit[0].plain_text and "Type or paste" in edit[1].plain_text
    assert (await rows(app, HeldMessage))[0].status == "edited"
    await chat.say("/cancel")
    # The second one: brought back early from the list, then let go.
    listing, _question = await chat.say("/hold")
    (early,) = await chat.tap(listing.labels[0])
    assert "I miss you" in early.plain_text
    await chat.say("/cancel")
    (gone,) = await chat.tap(text(catalog, T.btn_hold_let_go))
    assert gone.plain_text in _let_go(catalog)
    clock.advance(hours=12)
    assert await chat.run_jobs("dispatch_prompts") == []  # the early return cancelled it


def _let_go(catalog: Catalog) -> list[str]:
    from bot.fakeapi.text import plain_text

    return [plain_text(v) for v in catalog.texts.entries[T.hold_let_go.value]]


async def test_bad_times_are_asked_again_without_losing_the_message(
    chat: ChatDriver, app: Any, clock: FakeClock, catalog: Catalog
) -> None:
    await onboard(chat)
    await chat.say("/hold")
    await chat.say(DRAFT)
    for typed, key in (
        ("in 0 minutes", T.retry_when_zero),
        ("at 9am", T.retry_when_past),  # 10:00 in Berlin already
        ("in 3 months", T.retry_when_far),
        ("whenever", T.retry_when),
    ):
        retry, again = await chat.say(typed)
        assert retry.plain_text == text(catalog, key), (typed, chat.transcript())
        assert again.labels[0] == "In 20 minutes"
    (sticker,) = await chat.send_sticker()
    assert sticker.plain_text == text(catalog, T.media_unsupported)
    (saved,) = await chat.say("tomorrow 9am")
    assert "tomorrow at 09:00" in saved.plain_text
    (stored,) = await rows(app, HeldMessage)
    assert stored.text == DRAFT
    assert stored.due_at == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)


async def test_empty_huge_and_sticker_drafts_get_a_clear_answer(
    chat: ChatDriver, app: Any, catalog: Catalog
) -> None:
    await onboard(chat)
    await chat.say("/hold")
    retry, _ = await chat.say("x" * 10_000)
    assert retry.plain_text == text(catalog, T.retry_too_long)
    retry, _ = await chat.say("   ")
    assert retry.plain_text == text(catalog, T.retry_empty)
    (sticker,) = await chat.send_sticker()
    assert sticker.plain_text == text(catalog, T.media_unsupported)
    await chat.say("/cancel")
    assert await rows(app, HeldMessage) == []


async def test_delete_while_a_hold_waits_means_it_never_fires(
    chat: ChatDriver, app: Any, clock: FakeClock, catalog: Catalog
) -> None:
    await onboard(chat)
    await hold(chat)
    await chat.say("/delete")
    await chat.tap(text(catalog, T.btn_delete_yes))
    assert await rows(app, HeldMessage) == [] and await rows(app, ScheduledTask) == []
    clock.advance(hours=2)
    assert await chat.run_jobs("dispatch_prompts") == []


async def test_a_hold_claimed_when_delete_lands_is_not_sent(
    chat: ChatDriver, app: Any, clock: FakeClock, catalog: Catalog
) -> None:
    await onboard(chat)
    await hold(chat)
    clock.advance(minutes=21)
    runner = app.bot_data["tasks"]
    original = runner.kinds["hold"].handler

    async def delete_first(task: ScheduledTask) -> Any:
        # /delete arrives between the claim and the send.
        await chat.say("/delete")
        await chat.tap(text(catalog, T.btn_delete_yes))
        return await original(task)

    runner.kinds["hold"] = runner.kinds["hold"].__class__(delete_first)
    arrived = await chat.run_jobs("dispatch_prompts")
    assert not any(DRAFT in m.plain_text for m in arrived), chat.transcript()


async def test_blocking_before_it_fires_sends_nothing(
    chat: ChatDriver, app: Any, clock: FakeClock, fake: FakeTelegram
) -> None:
    await onboard(chat)
    await hold(chat)
    await app.process_update(Update.de_json(fake.block(1001), app.bot))
    clock.advance(minutes=21)
    assert await chat.run_jobs("dispatch_prompts") == []
    (task,) = await rows(app, ScheduledTask)
    assert task.status == "skipped"
    # Blocked without the bot noticing: the send fails, the user is marked inactive, once.
    await app.process_update(Update.de_json(fake.unblock(1001), app.bot))
    await hold(chat, "second")
    fake.block(1001)  # the update never reaches the bot
    clock.advance(minutes=21)
    await chat.run_jobs("dispatch_prompts")
    statuses = sorted(t.status for t in await rows(app, ScheduledTask))
    assert statuses == ["failed", "skipped"]


async def test_a_hold_fires_after_a_restart(
    settings: Settings, catalog: Catalog, fake: FakeTelegram, clock: FakeClock
) -> None:
    build = app_factory(settings, catalog, fake, clock)

    async with running_app(build()) as first:
        chat = ChatDriver(first, fake, user_id=3)
        await onboard(chat)
        await hold(chat, when="In 1 hour")
    clock.advance(hours=4)  # down for a while: past the grace window
    async with running_app(build()) as second:
        chat = ChatDriver(second, fake, user_id=3)
        (back,) = await chat.run_jobs("dispatch_prompts")
        assert DRAFT in back.plain_text
        assert "later than you asked" in back.plain_text, chat.transcript()
        assert await chat.run_jobs("dispatch_prompts") == []


async def test_wanting_to_text_again_offers_a_hold(
    chat: ChatDriver, app: Any, catalog: Catalog
) -> None:
    await onboard(chat)
    (offer,) = await chat.say("I want to text him again")
    assert offer.labels == [
        text(catalog, T.btn_offer_hold),
        text(catalog, T.btn_offer_timeout),
    ]
    (question,) = await chat.tap(text(catalog, T.btn_offer_hold))
    assert "Paste the message" in question.plain_text
    # Inside the flow, the same words are the draft, not a new offer.
    coach = await chat.say("I want to text him again so badly")
    assert "In 20 minutes" in coach[-1].labels


async def test_a_crisis_in_the_held_message_gets_the_safety_path_first(
    chat: ChatDriver, app: Any
) -> None:
    await onboard(chat)
    await chat.say("/hold")
    replies = await chat.say("If you leave me I will kill myself")
    assert await rows(app, HeldMessage) == []
    assert any("/sos" in m.plain_text or m.labels for m in replies), chat.transcript()
    assert not any("In 20 minutes" in m.labels for m in replies)


# -- /timeout ----------------------------------------------------------------------------------


async def test_my_time_out_gives_a_script_and_checks_in_at_the_return(
    chat: ChatDriver, app: Any, clock: FakeClock
) -> None:
    await onboard(chat)
    await chat.say("/timeout")
    await chat.tap("I do")
    script, _meanwhile = await chat.tap("30 minutes")
    assert "about 30 minutes" in script.plain_text
    assert "come back today at 10:30" in script.plain_text, chat.transcript()
    replies = await chat.tap("A walk")
    assert "walk" in replies[0].plain_text
    (task,) = await rows(app, ScheduledTask)
    assert task.kind == "timeout" and json.loads(task.state)["who"] == "mine"
    clock.advance(minutes=31)
    (check_in,) = await chat.run_jobs("dispatch_prompts")
    assert check_in.plain_text.startswith("A small check-in")
    assert check_in.labels == ["Ready", "A little more time", "Not today"]
    more = await chat.tap("A little more time")
    (booked,) = await chat.tap("15 minutes")
    assert "today at 10:46" in booked.plain_text, chat.transcript()
    clock.advance(minutes=16)
    (again,) = await chat.run_jobs("dispatch_prompts")
    assert again.labels[0] == "Ready"
    opener = await chat.tap("Ready")
    assert "gentle way to start" in opener[0].plain_text
    assert more


async def test_their_time_out_helps_me_wait_and_grounding_meanwhile(
    chat: ChatDriver, app: Any, clock: FakeClock, catalog: Catalog
) -> None:
    await onboard(chat)
    await chat.say("/timeout")
    await chat.tap("They asked for one")
    tips, _meanwhile = await chat.tap("Tonight")
    assert "no follow-up texts" in tips.plain_text and "today at 21:00" in tips.plain_text
    replies = await chat.tap("A grounding exercise")
    assert replies[-1].labels == [text(catalog, T.btn_hold_ground)], chat.transcript()
    menu = await chat.tap(text(catalog, T.btn_hold_ground))
    assert menu[0].plain_text == text(catalog, T.ground_menu)
    clock.now = datetime(2026, 3, 2, 20, 1, tzinfo=UTC)
    (check_in,) = await chat.run_jobs("dispatch_prompts")
    assert check_in.labels == ["They came back", "Still waiting", "I'm finding it hard"]


async def test_a_time_out_check_in_hours_late_is_skipped(
    chat: ChatDriver, app: Any, clock: FakeClock
) -> None:
    await onboard(chat)
    await chat.say("/timeout")
    await chat.tap("I do")
    await chat.tap("20 minutes")
    await chat.tap("Just some quiet")
    clock.advance(hours=5)
    assert await chat.run_jobs("dispatch_prompts") == []
    (task,) = await rows(app, ScheduledTask)
    assert task.status == "skipped"


async def test_cancel_half_way_through_a_time_out_books_nothing(
    chat: ChatDriver, app: Any
) -> None:
    await onboard(chat)
    await chat.say("/timeout")
    await chat.tap("I do")
    await chat.say("/cancel")
    assert await rows(app, ScheduledTask) == []


# -- /bids -------------------------------------------------------------------------------------


async def test_a_bid_in_ten_seconds_shows_in_insights(
    chat: ChatDriver, app: Any, clock: FakeClock, catalog: Catalog, fake: FakeTelegram
) -> None:
    await onboard(chat)
    await chat.say("/bids")
    await chat.tap("Theirs")
    await chat.tap("Turned toward: noticed")
    (done,) = await chat.say("He showed me a photo of a dog")
    assert done.plain_text.startswith("Noted.")
    await chat.say("/bids")
    await chat.tap("Mine")
    await chat.tap("Turned away: missed")
    (done,) = await chat.tap("Skip")
    assert "Missed bids happen" in done.plain_text
    stored = await rows(app, Bid)
    assert [(b.by, b.response, b.note) for b in stored] == [
        ("theirs", "toward", "He showed me a photo of a dog"),
        ("mine", "away", None),
    ]
    await chat.say("/insights")
    (photo,) = fake.calls_to("sendPhoto")
    assert "1 met, 1 missed, 0 met with friction" in photo.params["caption"]
