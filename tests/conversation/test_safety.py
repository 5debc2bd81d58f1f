"""Safety first, through the real app: crisis and abuse are answered before anything else,
even in the middle of a flow, with local resources; /sos works for anyone, anywhere."""

from __future__ import annotations

from typing import Any

from conftest import FakeClock
from helpers import onboard, stored_user, text
from sqlmodel import select
from telegram import Update

from bot.content.texts import T
from bot.db.models import SafetyEvent, ScheduledTask
from bot.domain.catalog import Catalog
from bot.fakeapi.core import FakeTelegram
from bot.fakeapi.driver import ChatDriver
from bot.fakeapi.text import plain_text
from bot.safety import SafetyText


def safety(catalog: Catalog, key: SafetyText) -> str:
    return plain_text(catalog.safety_texts.get(key))


async def test_a_crisis_message_inside_a_practice_flow_is_answered_by_safety_first(
    chat: ChatDriver, app: Any, catalog: Catalog
) -> None:
    await onboard(chat)
    await chat.say("/practice")
    await chat.tap("Say it without blame")
    reply = await chat.say("honestly i want to kill myself")
    assert reply[0].plain_text == safety(catalog, SafetyText.crisis_self_harm)
    assert reply[2].labels == [
        catalog.safety_texts.get(k)
        for k in (
            SafetyText.btn_talk_now,
            SafetyText.btn_safety_plan,
            SafetyText.btn_grounding,
            SafetyText.btn_safe_now,
        )
    ]
    async with app.bot_data["services"].db.session() as session:
        (event,) = (await session.exec(select(SafetyEvent))).all()
    assert (event.level, event.kind) == ("crisis", "self_harm")
    # The flow is paused, not fed the message: "I'm safe for now" brings it back.
    back = await chat.tap(catalog.safety_texts.get(SafetyText.btn_safe_now))
    assert back[0].plain_text == safety(catalog, SafetyText.safe_now_ack)
    assert back[1].plain_text == text(catalog, T.flow_resumed)
    async with app.bot_data["services"].db.session() as session:
        (task,) = (await session.exec(select(ScheduledTask))).all()
    assert task.kind == "safety_followup"


async def test_the_follow_up_arrives_a_day_later(
    chat: ChatDriver, catalog: Catalog, clock: FakeClock
) -> None:
    await onboard(chat)
    await chat.say("I want to end my life")
    await chat.tap(catalog.safety_texts.get(SafetyText.btn_safe_now))
    clock.advance(hours=25)
    later = await chat.run_jobs("dispatch_prompts")
    assert any(m.plain_text == safety(catalog, SafetyText.followup_checkin) for m in later)


async def test_resources_follow_the_users_country(chat: ChatDriver, catalog: Catalog) -> None:
    await chat.say("/start")
    await chat.tap("Yes, let's begin")
    await chat.say("Dublin")
    await chat.tap("Yes, that's right")
    await chat.tap("09:00")
    await chat.tap("Skip this")  # no country given: the zone's country is used
    reply = await chat.say("I want to die")
    assert reply[1].text == catalog.helplines.render_html("IE", "self_harm")


async def test_idioms_do_not_trigger(chat: ChatDriver, catalog: Catalog) -> None:
    await onboard(chat)
    reply = await chat.say("this deadline is killing me")
    assert reply[0].plain_text != safety(catalog, SafetyText.crisis_self_harm)


async def test_sos_works_for_everyone_even_without_consent(
    chat: ChatDriver, app: Any, catalog: Catalog
) -> None:
    reply = await chat.say("/sos")
    assert reply[0].plain_text == safety(catalog, SafetyText.sos_intro)
    assert reply[1].text == catalog.helplines.render_html(None, "self_harm")
    breathe = await chat.tap(catalog.safety_texts.get(SafetyText.btn_grounding))
    assert breathe, chat.transcript()
    reply = await chat.tap(catalog.safety_texts.get(SafetyText.btn_safe_now))
    assert reply[0].plain_text == text(catalog, T.safe_now_unstored)
    assert await stored_user(app, 1001) is None


async def test_crisis_without_consent_stores_nothing(
    chat: ChatDriver, app: Any, catalog: Catalog
) -> None:
    reply = await chat.say("i want to die")
    assert reply[0].plain_text == safety(catalog, SafetyText.crisis_self_harm)
    async with app.bot_data["services"].db.session() as session:
        assert (await session.exec(select(SafetyEvent))).all() == []


async def test_abuse_pauses_relationship_skills_until_the_user_turns_them_back_on(
    chat: ChatDriver, app: Any, catalog: Catalog
) -> None:
    await onboard(chat)
    reply = await chat.say("he hit me last night and I'm scared to go home")
    assert reply[0].plain_text == safety(catalog, SafetyText.crisis_abuse)
    user = await stored_user(app, 1001)
    assert user is not None and user.skills_paused
    paused = await chat.say("/practice")
    assert paused[0].plain_text == text(catalog, T.practice_paused_for_safety)
    back = await chat.tap(catalog.texts.get(T.btn_skills_back_on))
    assert back[0].plain_text == safety(catalog, SafetyText.skills_resumed)
    assert "Say it without blame" in (await chat.say("/practice"))[-1].labels


async def test_a_check_asks_one_question_and_no_leads_back(
    chat: ChatDriver, catalog: Catalog
) -> None:
    await onboard(chat)
    await chat.say("/practice")
    await chat.tap("Check a draft")
    reply = await chat.say("I can't do this anymore")
    assert reply[0].plain_text == safety(catalog, SafetyText.check_self_harm)
    back = await chat.tap(catalog.safety_texts.get(SafetyText.btn_no))
    assert back[0].plain_text == safety(catalog, SafetyText.check_no_ack)
    assert back[1].plain_text == text(catalog, T.flow_resumed)
    yes = await chat.say("I can't do this anymore")
    crisis = await chat.tap(catalog.safety_texts.get(SafetyText.btn_yes))
    assert crisis[0].plain_text == safety(catalog, SafetyText.crisis_self_harm), yes


async def test_the_safety_plan_is_saved_to_the_journal(chat: ChatDriver, catalog: Catalog) -> None:
    await onboard(chat)
    await chat.say("/sos")
    await chat.tap(catalog.safety_texts.get(SafetyText.btn_safety_plan))
    for answer in ("I stop eating", "music", "the park", "my sister", "my GP", "go outside"):
        last = await chat.say(answer)
    assert "saved" in last[-1].plain_text.lower()
    journal = await chat.say("/journal")
    assert "my sister" in journal[0].plain_text


async def test_a_caption_under_a_photo_is_screened_too(
    chat: ChatDriver, app: Any, fake: FakeTelegram, catalog: Catalog
) -> None:
    await onboard(chat)
    update = fake.send_photo(chat.chat_id, caption="i want to die")
    await app.process_update(Update.de_json(update, app.bot))
    (first, *_rest) = fake.messages_to(chat.chat_id)[-3:]
    assert first.plain_text == safety(catalog, SafetyText.crisis_self_harm)
