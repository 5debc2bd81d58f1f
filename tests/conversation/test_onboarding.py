"""Onboarding, consent and the basics, as transcripts through the real Application."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from conftest import FakeClock
from helpers import onboard, stored_user, text
from sqlmodel import select
from telegram import Update

from bot.app import build_application
from bot.content.texts import T
from bot.db.models import FlowRun
from bot.domain.catalog import Catalog
from bot.fakeapi.core import FakeTelegram
from bot.fakeapi.driver import ChatDriver, running_app
from bot.fakeapi.request import InProcessRequest
from bot.fakeapi.text import plain_text
from bot.ops.config import Settings


async def test_new_user_onboards_end_to_end(chat: ChatDriver, app: Any, catalog: Catalog) -> None:
    welcome = await chat.say("/start")
    assert "not a therapist" in welcome[0].plain_text
    assert "18+" in welcome[0].plain_text
    assert welcome[0].labels == ["Yes, let's begin", "Not now"]

    reply = await chat.tap("Yes, let's begin")
    assert reply[0].plain_text == text(catalog, T.consent_thanks)
    assert "where are you in the world?" in reply[1].plain_text

    reply = await chat.say("new york")
    assert "America/New_York" in reply[0].plain_text
    reply = await chat.tap("Yes, that's right")
    assert "What time of day" in reply[0].plain_text
    assert "20:30" in reply[0].labels

    reply = await chat.say("8pm")
    assert "which country do you live in?" in reply[0].plain_text
    reply = await chat.say("Ireland")
    assert "20:00" in reply[0].plain_text, chat.transcript()

    user = await stored_user(app, 1001)
    assert user is not None
    assert (user.timezone, user.prompt_time, user.country) == ("America/New_York", "20:00", "IE")
    assert user.prompts_enabled
    # 9:00 UTC on 2 March is 04:00 in New York: the first prompt is that evening.
    assert user.next_prompt_at == datetime(2026, 3, 3, 1, 0, tzinfo=UTC)


async def test_declining_consent_stores_nothing(
    chat: ChatDriver, app: Any, catalog: Catalog
) -> None:
    await chat.say("/start")
    reply = await chat.tap("Not now")
    assert reply[0].plain_text == text(catalog, T.consent_declined)
    reply = await chat.say("hello?")
    assert reply[0].plain_text == text(catalog, T.consent_needed)
    await chat.say("/prompt")
    assert await stored_user(app, 1001) is None
    async with app.bot_data["services"].db.session() as session:
        assert (await session.exec(select(FlowRun))).all() == []


async def test_bad_answers_get_a_kind_re_ask_and_nothing_is_lost(chat: ChatDriver) -> None:
    await chat.say("/start")
    await chat.tap("Yes, let's begin")
    reply = await chat.say("Atlantis under the sea")
    assert "couldn't find that place" in reply[0].plain_text
    assert "where are you in the world?" in reply[1].plain_text
    reply = await chat.share_location(48.8566, 2.3522)
    assert "Europe/Paris" in reply[0].plain_text
    await chat.tap("Yes, that's right")
    reply = await chat.say("25:99")
    assert "couldn't read that as a time" in reply[0].plain_text
    reply = await chat.say("half past banana")
    assert "couldn't read that as a time" in reply[0].plain_text
    reply = await chat.say("7:45")
    assert "which country" in reply[0].plain_text


async def test_onboarding_survives_a_restart(
    settings: Settings, catalog: Catalog, fake: FakeTelegram, clock: FakeClock
) -> None:
    def build() -> Any:
        return build_application(
            settings,
            request=InProcessRequest(fake),
            get_updates_request=InProcessRequest(fake),
            catalog=catalog,
            clock=clock,
            rng=random.Random(1),
            rate_limit=False,
        )

    async with running_app(build()) as first:
        chat = ChatDriver(first, fake, user_id=7, first_name="Sam")
        await chat.say("/start")
        await chat.tap("Yes, let's begin")
        await chat.say("Tokyo")
    async with running_app(build()) as second:
        chat = ChatDriver(second, fake, user_id=7, first_name="Sam")
        reply = await chat.tap("Yes, that's right")
        assert "What time of day" in reply[0].plain_text
        await chat.say("21:15")
        reply = await chat.tap("Skip this")
        assert "21:15" in reply[0].plain_text
        user = await stored_user(second, 7)
        assert user is not None and user.timezone == "Asia/Tokyo"
        # Skipping the optional question stores no country.
        assert user.country is None


async def test_old_and_repeated_button_taps_are_answered_kindly(
    chat: ChatDriver, catalog: Catalog
) -> None:
    welcome = await chat.say("/start")
    await chat.tap("Yes, let's begin")
    reply = await chat.tap_old(welcome[0].message_id, "Yes, let's begin")
    assert reply[0].plain_text == text(catalog, T.stale_button)
    await chat.say("Berlin")
    confirm = chat.last
    await chat.tap("Yes, that's right")
    reply = await chat.tap_old(confirm.message_id, "No, let me fix it")
    assert reply[0].plain_text == text(catalog, T.stale_button)


async def test_every_kind_of_input_gets_an_answer(chat: ChatDriver, catalog: Catalog) -> None:
    await onboard(chat)
    assert (await chat.send_sticker())[0].plain_text == text(catalog, T.media_unsupported)
    assert (await chat.send_photo())[0].plain_text == text(catalog, T.media_unsupported)
    assert (await chat.send_voice())[0].plain_text == text(catalog, T.media_unsupported)
    assert (await chat.send_document())[0].plain_text == text(catalog, T.media_unsupported)
    assert (await chat.say("🙂🙂"))[0].plain_text == text(catalog, T.emoji_only)
    assert (await chat.edit_last("changed"))[0].plain_text == text(catalog, T.edited_message)
    assert (await chat.share_location(1.0, 2.0))[0].plain_text == text(
        catalog, T.location_unexpected
    )
    assert (await chat.say("/frobnicate"))[0].plain_text == text(catalog, T.unknown_command)
    long_reply = await chat.say("word " * 800)
    assert long_reply, chat.transcript()
    unknown = await chat.say("what is this?")
    assert unknown[0].plain_text in [plain_text(t) for t in catalog.texts.entries["unknown_text"]]


async def test_commands_in_the_middle_of_a_flow_keep_the_users_place(
    chat: ChatDriver, catalog: Catalog
) -> None:
    await chat.say("/start")
    await chat.tap("Yes, let's begin")
    reply = await chat.say("/help")
    assert reply[0].plain_text == text(catalog, T.help)
    assert reply[1].plain_text == text(catalog, T.flow_resumed)
    assert "where are you in the world?" in reply[2].plain_text
    reply = await chat.say("Lisbon")
    assert "Europe/Lisbon" in reply[0].plain_text
    reply = await chat.say("/cancel")
    assert reply[0].plain_text == text(catalog, T.cancelled)
    reply = await chat.say("/cancel")
    assert reply[0].plain_text == text(catalog, T.nothing_to_cancel)


async def test_groups_and_channels_get_a_polite_refusal_and_nothing_is_stored(
    app: Any, fake: FakeTelegram, catalog: Catalog
) -> None:
    update = fake.add_bot_to_group(5, -100, chat_type="supergroup", title="Friends")
    await app.process_update(Update.de_json(update, app.bot))
    update = fake.send_text(5, "/start", chat_type="group", chat_id=-200)
    await app.process_update(Update.de_json(update, app.bot))
    refusals = fake.messages_to(-100) + fake.messages_to(-200)
    assert [m.plain_text for m in refusals] == [text(catalog, T.group_refusal)] * 2
    assert {c.params["chat_id"] for c in fake.calls_to("leaveChat")} == {-100, -200}
    assert await stored_user(app, 5) is None


async def test_the_command_menu_is_registered_in_each_language(
    app: Any, fake: FakeTelegram, catalog: Catalog, spanish: Catalog
) -> None:
    calls = fake.calls_to("setMyCommands")
    assert len(calls) == 2
    registered = [c["command"] for c in fake.commands()]
    assert registered == [entry.command for entry in catalog.commands]
    in_spanish = fake.commands(language_code="es")
    assert [c["command"] for c in in_spanish] == registered
    assert [c["description"] for c in in_spanish] == [e.description for e in spanish.commands]


async def test_settings_show_and_change_the_time(chat: ChatDriver, app: Any) -> None:
    await onboard(chat)
    reply = await chat.say("/settings")
    assert "Europe/Berlin" in reply[0].plain_text and "09:00" in reply[0].plain_text
    assert reply[0].labels == [
        "Time zone",
        "Time",
        "Days",
        "Country",
        "Mood check-in",
        "Weekly picture",
        "Language",
    ]
    await chat.tap("Time")
    reply = await chat.say("6:45pm")
    assert "18:45" in reply[0].plain_text
    await chat.say("/settings")
    await chat.tap("Days")
    await chat.tap("Weekdays")
    user = await stored_user(app, 1001)
    assert user is not None and (user.prompt_time, user.prompt_days) == ("18:45", 31)
    reply = await chat.say("/settings")
    assert "on weekdays" in reply[0].plain_text
