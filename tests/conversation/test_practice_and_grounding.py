"""Practice and grounding through the real app: the drill with the coach, quick checks,
progress, every exercise, a restart mid-exercise, and live paced breathing with Stop."""

from __future__ import annotations

from typing import Any

from conftest import FakeClock, FakeSleep
from helpers import app_factory, onboard, text
from sqlmodel import select

from bot.content.texts import T
from bot.db.models import GroundingSession, JournalEntry, PracticeAttempt, ScheduledTask
from bot.domain.catalog import Catalog
from bot.fakeapi.core import FakeTelegram
from bot.fakeapi.driver import ChatDriver, running_app
from bot.ops.config import Settings

BLAMING = "You never listen to me and you always cancel"
KIND = "I feel lonely when our plans change at the last minute. Could we talk about it tonight?"


async def rows(app: Any, model: type[Any]) -> list[Any]:
    async with app.bot_data["services"].db.session() as session:
        return list((await session.exec(select(model))).all())


async def test_the_drill_coaches_until_ready_and_shows_both_versions(
    chat: ChatDriver, app: Any
) -> None:
    await onboard(chat)
    menu = await chat.say("/practice")
    assert "Say it without blame" in menu[-1].labels
    scene = await chat.tap("Say it without blame")
    assert scene, chat.transcript()
    feedback = await chat.say(BLAMING)
    assert "never" in feedback[0].plain_text  # the coach quotes the words that blame
    done = await chat.say(KIND)
    shown = "\n".join(m.plain_text for m in done)
    assert BLAMING in shown and KIND in shown, chat.transcript()
    attempts = await rows(app, PracticeAttempt)
    assert [a.verdict for a in attempts] == ["try_again", "ready"]
    assert attempts[0].scenario_id and "absolute" in attempts[0].codes
    progress = await chat.say("/practice")
    assert "2 drafts" in progress[0].plain_text and "1 reached" in progress[0].plain_text


async def test_quick_checks_by_command_and_by_prefix(chat: ChatDriver, app: Any) -> None:
    await onboard(chat)
    reply = await chat.say(f"/practice {BLAMING}")
    assert "never" in reply[0].plain_text
    reply = await chat.say(f"check: {KIND}")
    assert reply, chat.transcript()
    assert len(await rows(app, PracticeAttempt)) == 2


async def test_prepare_a_conversation_builds_a_draft_to_copy(chat: ChatDriver, app: Any) -> None:
    await onboard(chat)
    await chat.say("/practice")
    await chat.tap("Prepare a conversation")
    await chat.say("you looked at your phone while I talked about my day")
    await chat.say("lonely")
    await chat.say("feeling close to you")
    end = await chat.say("ten phone-free minutes after dinner")
    draft = "\n".join(m.text for m in end)
    assert "<code>" in draft and "lonely" in draft, chat.transcript()
    (entry,) = await rows(app, JournalEntry)
    assert entry.ref == "practice_prepare" and "lonely" in entry.text


async def test_boundaries_schedule_a_check_in_that_arrives_later(
    chat: ChatDriver, app: Any, clock: FakeClock
) -> None:
    await onboard(chat)
    await chat.say("/practice")
    await chat.tap("Boundaries and self-care")
    await chat.say("I'll say when I need an evening to myself")
    reply = await chat.say("a long walk on Saturday")
    await chat.tap(reply[-1].labels[0])  # yes, check in with me
    (task,) = await rows(app, ScheduledTask)
    assert task.kind == "flow" and task.ref == "practice_boundaries_checkin"
    clock.advance(hours=73)
    checkin = await chat.run_jobs("dispatch_prompts")
    assert any("a long walk on Saturday" in m.plain_text for m in checkin), chat.transcript()


async def test_a_drill_survives_a_restart(
    settings: Settings, catalog: Catalog, fake: FakeTelegram, clock: FakeClock
) -> None:
    build = app_factory(settings, catalog, fake, clock)

    async with running_app(build()) as first:
        chat = ChatDriver(first, fake, user_id=3)
        await onboard(chat)
        await chat.say("/practice")
        await chat.tap("Say it without blame")
        await chat.say(BLAMING)
    async with running_app(build()) as second:
        chat = ChatDriver(second, fake, user_id=3)
        done = await chat.say(KIND)
        assert any(BLAMING in m.plain_text for m in done), chat.transcript()


async def test_paced_breathing_edits_one_message_then_asks_again(
    chat: ChatDriver, app: Any, catalog: Catalog, sleep: FakeSleep
) -> None:
    await onboard(chat)
    menu = await chat.say("/ground")
    assert menu[0].labels[0].startswith("The double sigh")
    reply = await chat.tap(menu[0].labels[0])
    assert reply[0].labels[:3] == ["0", "1", "2"]
    await chat.tap("8")
    await chat.settle()
    exercise = catalog.library.exercises["physiological_sigh"]
    assert sleep.pauses == [p.seconds for p in exercise.phases] * exercise.cycles
    live = [m for m in chat.messages if m.edited]
    assert len(live) == 1 and live[0].edited == len(sleep.pauses)
    assert all(s >= 1 for s in sleep.pauses)  # never more than one edit a second
    reply = await chat.tap("3")
    assert "From 8 to 3" in reply[0].plain_text
    (session,) = await rows(app, GroundingSession)
    assert (session.before, session.after, session.status) == (8, 3, "done")


async def test_stop_in_the_middle_of_breathing(
    chat: ChatDriver, app: Any, catalog: Catalog, sleep: FakeSleep
) -> None:
    await onboard(chat)
    await chat.say("/ground")
    await chat.tap("1")
    sleep.hold()
    await chat.tap("Skip")
    stopped = await chat.tap("Stop")
    assert stopped[0].plain_text == text(catalog, T.ground_stopped)
    await chat.tap("5")
    (session,) = await rows(app, GroundingSession)
    assert session.status == "stopped" and session.after == 5


async def test_interactive_and_guided_exercises_run_to_the_end(chat: ChatDriver, app: Any) -> None:
    await onboard(chat)
    await chat.say("/ground")
    await chat.tap("Five senses · 2 to 5 minutes")
    first = await chat.tap("6")
    assert "five things you can see" in first[-1].plain_text
    for answer in ("lamp, mug, window, plant, book", "chair", "birds", "coffee", "mint"):
        last = await chat.say(answer)
    assert last[-1].labels[0] == "0", chat.transcript()
    await chat.tap("4")
    await chat.say("/ground")
    await chat.tap("Cold water reset · About 2 minutes")
    pages = await chat.tap("Skip")
    assert "heart condition" in pages[0].plain_text
    while chat.last.labels == ["Next"]:
        await chat.tap("Next")
    assert chat.last.labels[0] == "0"


async def test_asking_in_words_offers_grounding_anywhere(
    chat: ChatDriver, catalog: Catalog
) -> None:
    await onboard(chat)
    await chat.say("/practice")
    reply = await chat.say("I'm panicking, my heart is racing")
    assert reply[0].plain_text == text(catalog, T.ground_offer)
    assert reply[1].labels[0].startswith("The double sigh")


async def test_an_exercise_left_for_a_day_expires_and_keeps_what_was_written(
    chat: ChatDriver, app: Any, clock: FakeClock, catalog: Catalog
) -> None:
    await onboard(chat)
    await chat.say("/practice")
    await chat.tap("Say it without blame")
    await chat.say(BLAMING)
    clock.advance(hours=25)
    await chat.run_jobs("dispatch_prompts")  # expires the drill, and today's prompt arrives
    reply = await chat.say("hello again")  # an answer to the prompt, not a draft for the drill
    assert reply[0].plain_text in catalog.library.meta.acknowledgements
    assert len(await rows(app, PracticeAttempt)) == 1
