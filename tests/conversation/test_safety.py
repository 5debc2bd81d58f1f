"""Safety first, through the real app: crisis and abuse are answered before anything else,
even in the middle of a flow, with local resources; /sos works for anyone, anywhere."""

from __future__ import annotations

from typing import Any

import pytest
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
    assert crisis[0].plain_text == safety(catalog, SafetyText.check_yes_self_harm), yes


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


# ---------------------------------------------------------------- the check is a conversation


def _labels(catalog: Catalog, *keys: SafetyText) -> list[str]:
    return [catalog.safety_texts.get(key) for key in keys]


async def _in_a_check(chat: ChatDriver, catalog: Catalog, message: str) -> list[Any]:
    """Onboard, open a practice flow, and write something that asks the check question."""
    await onboard(chat)
    await chat.say("/practice")
    await chat.tap("Check a draft")
    return await chat.say(message)


async def test_the_check_question_offers_three_answers_and_a_person_to_talk_to(
    chat: ChatDriver, app: Any, catalog: Catalog
) -> None:
    (question,) = await _in_a_check(chat, catalog, "honestly they'd all be lighter without me")
    assert question.plain_text == safety(catalog, SafetyText.check_self_harm)
    assert question.labels == _labels(
        catalog,
        SafetyText.btn_yes,
        SafetyText.btn_no,
        SafetyText.btn_not_sure,
        SafetyText.btn_talk_now,
    )
    talk = await chat.tap(catalog.safety_texts.get(SafetyText.btn_talk_now))
    assert talk[0].plain_text == safety(catalog, SafetyText.talk_now_intro)
    assert talk[1].text == catalog.helplines.render_html("DE", "self_harm")
    async with app.bot_data["services"].db.session() as session:
        (event,) = (await session.exec(select(SafetyEvent))).all()
    assert (event.level, event.kind) == ("check", "self_harm")


async def test_a_typed_no_brings_the_flow_back(
    chat: ChatDriver, app: Any, catalog: Catalog
) -> None:
    await _in_a_check(chat, catalog, "i feel like such a burden")
    back = await chat.say("no, I'm ok. just a long day")
    assert back[0].plain_text == safety(catalog, SafetyText.check_no_ack)
    assert back[1].plain_text == text(catalog, T.flow_resumed)
    # Answered: the next message is the draft again, not another answer.
    draft = await chat.say("no")
    assert all(m.plain_text != safety(catalog, SafetyText.check_no_ack) for m in draft)
    async with app.bot_data["services"].db.session() as session:
        events = (await session.exec(select(SafetyEvent))).all()
    assert [(e.level, e.followup_due_at) for e in events] == [("check", None)]


@pytest.mark.parametrize("answer", ["yeah", "sometimes", "Yes."])
async def test_a_typed_yes_opens_the_crisis_path(
    chat: ChatDriver, app: Any, catalog: Catalog, answer: str
) -> None:
    await _in_a_check(chat, catalog, "whats even the point anymore")
    crisis = await chat.say(answer)
    assert crisis[0].plain_text == safety(catalog, SafetyText.check_yes_self_harm)
    assert crisis[1].text == catalog.helplines.render_html("DE", "self_harm")
    assert crisis[2].labels == _labels(
        catalog,
        SafetyText.btn_talk_now,
        SafetyText.btn_safety_plan,
        SafetyText.btn_grounding,
        SafetyText.btn_safe_now,
    )
    async with app.bot_data["services"].db.session() as session:
        levels = [e.level for e in (await session.exec(select(SafetyEvent))).all()]
    assert levels == ["check", "crisis"]


@pytest.mark.parametrize("answer", ["idk", "not sure", "what do you mean?"])
async def test_not_sure_or_an_unclear_reply_opens_the_crisis_path_gently(
    chat: ChatDriver, catalog: Catalog, answer: str
) -> None:
    await _in_a_check(chat, catalog, "i cant see any future for myself")
    crisis = await chat.say(answer)
    assert crisis[0].plain_text == safety(catalog, SafetyText.check_unsure_self_harm)
    assert crisis[1].text == catalog.helplines.render_html("DE", "self_harm")


async def test_tapping_not_sure_opens_the_crisis_path(chat: ChatDriver, catalog: Catalog) -> None:
    await _in_a_check(chat, catalog, "i'm just a weight on everyone")
    crisis = await chat.tap(catalog.safety_texts.get(SafetyText.btn_not_sure))
    assert crisis[0].plain_text == safety(catalog, SafetyText.check_unsure_self_harm)
    # "I'm safe for now" is still one tap away, and brings the flow back.
    back = await chat.tap(catalog.safety_texts.get(SafetyText.btn_safe_now))
    assert back[0].plain_text == safety(catalog, SafetyText.safe_now_ack)
    assert back[1].plain_text == text(catalog, T.flow_resumed)


async def test_a_warning_sign_in_the_reply_opens_the_crisis_path(
    chat: ChatDriver, catalog: Catalog
) -> None:
    await _in_a_check(chat, catalog, "nothing is ever going to get better")
    reply = await chat.say("no. I'm not going to do anything stupid, I just wrote the letters")
    assert reply[0].plain_text == safety(catalog, SafetyText.crisis_self_harm)


async def test_another_check_phrase_in_the_reply_counts_as_yes(
    chat: ChatDriver, catalog: Catalog
) -> None:
    await _in_a_check(chat, catalog, "i'm such a burden to everyone")
    reply = await chat.say("honestly i just dont want to be here anymore")
    assert reply[0].plain_text == safety(catalog, SafetyText.check_yes_self_harm)


async def test_the_abuse_check_yes_pauses_the_relationship_tips(
    chat: ChatDriver, app: Any, catalog: Catalog
) -> None:
    question = await _in_a_check(chat, catalog, "he reads all my messages")
    assert question[0].plain_text == safety(catalog, SafetyText.check_abuse)
    crisis = await chat.say("yes")
    assert crisis[0].plain_text == safety(catalog, SafetyText.crisis_abuse)
    assert crisis[1].text == catalog.helplines.render_html("DE", "abuse")
    user = await stored_user(app, 1001)
    assert user is not None and user.skills_paused


async def test_the_abuse_check_not_sure_pauses_the_tips_too(
    chat: ChatDriver, app: Any, catalog: Catalog
) -> None:
    await _in_a_check(chat, catalog, "sometimes he scares me")
    crisis = await chat.tap(catalog.safety_texts.get(SafetyText.btn_not_sure))
    assert crisis[0].plain_text == safety(catalog, SafetyText.check_unsure_abuse)
    user = await stored_user(app, 1001)
    assert user is not None and user.skills_paused


async def test_a_late_reply_is_not_read_as_the_answer(
    chat: ChatDriver, catalog: Catalog, clock: FakeClock
) -> None:
    await _in_a_check(chat, catalog, "i feel like a burden")
    clock.advance(hours=2)
    later = await chat.say("yes")
    assert all(m.plain_text != safety(catalog, SafetyText.check_yes_self_harm) for m in later)


async def test_a_command_sets_the_question_aside(chat: ChatDriver, catalog: Catalog) -> None:
    await _in_a_check(chat, catalog, "i feel like a burden")
    await chat.say("/help")
    after = await chat.say("yes")
    assert all(m.plain_text != safety(catalog, SafetyText.check_yes_self_harm) for m in after)


async def test_the_check_works_before_consent_and_stores_nothing(
    chat: ChatDriver, app: Any, catalog: Catalog
) -> None:
    question = await chat.say("everyone would be happier without me")
    assert question[0].plain_text == safety(catalog, SafetyText.check_self_harm)
    crisis = await chat.say("kinda")
    assert crisis[0].plain_text == safety(catalog, SafetyText.check_yes_self_harm)
    assert crisis[1].text == catalog.helplines.render_html(None, "self_harm")
    again = await chat.say("im such a burden")
    ack = await chat.say("no")
    assert again[0].plain_text == safety(catalog, SafetyText.check_self_harm)
    assert ack[0].plain_text == safety(catalog, SafetyText.check_no_ack)
    async with app.bot_data["services"].db.session() as session:
        assert (await session.exec(select(SafetyEvent))).all() == []
    assert await stored_user(app, 1001) is None
