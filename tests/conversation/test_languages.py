"""The bot in the user's language: a Spanish speaker (Telegram language_code "es") from /start
to /export, a change of language in /settings, scheduled messages in the stored language, and
the safety screen in every language whatever the user chose."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from conftest import FakeClock
from helpers import stored_user, text

from bot.content.texts import T
from bot.domain.catalog import Catalog
from bot.fakeapi.core import FakeTelegram
from bot.fakeapi.driver import ChatDriver
from bot.fakeapi.text import plain_text
from bot.safety import SafetyText


@pytest.fixture
def lucia(app: Any, fake: FakeTelegram) -> ChatDriver:
    """A user whose Telegram app is set to Spanish (Latin America)."""
    return ChatDriver(app, fake, user_id=2002, first_name="Lucía", language_code="es-419")


async def onboard_in_spanish(chat: ChatDriver, spanish: Catalog, *, time: str = "09:00") -> None:
    welcome = await chat.say("/start")
    assert welcome[0].plain_text == text(spanish, T.welcome)
    assert welcome[0].labels == [
        text(spanish, T.btn_consent_yes),
        text(spanish, T.btn_consent_no),
    ]
    thanks = await chat.tap(text(spanish, T.btn_consent_yes))
    assert thanks[0].plain_text == text(spanish, T.consent_thanks)
    assert "¿en qué parte del mundo estás?" in thanks[1].plain_text
    confirm = await chat.say("Madrid")
    assert "Madrid (Europe/Madrid)" in confirm[0].plain_text
    assert "¿Es correcto?" in confirm[0].plain_text
    await chat.tap(confirm[0].labels[0])
    await chat.tap(time)
    done = await chat.tap("Saltar este paso")
    assert done[0].plain_text.startswith("Todo listo.")


async def test_a_spanish_speaker_is_welcomed_and_set_up_in_spanish(
    lucia: ChatDriver, app: Any, spanish: Catalog
) -> None:
    await onboard_in_spanish(lucia, spanish)
    user = await stored_user(app, 2002)
    assert user is not None and user.language == "es"
    assert user.timezone == "Europe/Madrid" and user.prompt_time == "09:00"
    (summary,) = await lucia.say("/settings")
    assert "todos los días" in summary.plain_text
    assert summary.labels[-1] == "Idioma"
    (help_text,) = await lucia.say("/help")
    assert help_text.plain_text == text(spanish, T.help)


async def test_the_daily_question_and_its_reminder_arrive_in_spanish(
    lucia: ChatDriver, app: Any, clock: FakeClock, spanish: Catalog
) -> None:
    await onboard_in_spanish(lucia, spanish, time="12:30")
    clock.now = datetime(2026, 3, 2, 11, 31, tzinfo=UTC)  # 12:31 in Madrid
    (prompt,) = await lucia.run_jobs("dispatch_prompts")
    lead, question = prompt.plain_text.split("\n\n", 1)
    assert lead in spanish.library.meta.teasers
    assert question in {plain_text(p.text) for p in spanish.library.prompts.values()}
    assert prompt.labels == list(spanish.library.meta.buttons.values())

    later = await lucia.tap(spanish.library.meta.buttons["remind_later"])
    assert later[0].plain_text == text(spanish, T.prompt_remind_set)
    clock.advance(hours=1, minutes=1)
    (reminder,) = await lucia.run_jobs("dispatch_prompts")
    assert reminder.plain_text.startswith(text(spanish, T.prompt_reminder_lead))

    replies = await lucia.say("Me di cuenta de que yo también me callo cuando algo me duele.")
    assert replies[0].plain_text in spanish.library.meta.acknowledgements


async def test_practice_grounding_and_export_in_spanish(
    lucia: ChatDriver, fake: FakeTelegram, spanish: Catalog
) -> None:
    await onboard_in_spanish(lucia, spanish)
    menu = await lucia.say("/practice")
    assert "Revisar un borrador" in menu[-1].labels
    ask = await lucia.tap("Revisar un borrador")
    assert ask[0].plain_text.startswith("Escribe o pega las palabras")
    draft = "Nunca me escuchas."
    feedback = await lucia.say(draft)
    coach = spanish.coach
    # The coach's feedback, then (in the same message) the question asking for another version.
    assert feedback[0].plain_text.startswith(plain_text(coach.feedback_html(coach.analyze(draft))))
    assert feedback[0].plain_text.endswith("no se envía nada a nadie.")
    await lucia.say("/cancel")

    grounding = await lucia.say("/ground")
    assert grounding[0].plain_text == text(spanish, T.ground_menu)
    sigh = spanish.library.exercises["physiological_sigh"]
    assert grounding[0].labels[0].startswith(sigh.title)
    before = await lucia.tap(grounding[0].labels[0])
    assert before[0].plain_text == text(spanish, T.ground_rate_before)
    await lucia.say("/cancel")

    await lucia.say("/journal Hoy hablé con calma.")
    await lucia.say("/export")
    json_file, markdown_file = fake.documents_to(2002)
    assert json_file.caption == text(spanish, T.export_caption)
    assert json_file.content is not None and markdown_file.content is not None
    document = json.loads(json_file.content)
    assert document["tables"]["users"][0]["language"] == "es"
    markdown = markdown_file.content.decode()
    assert markdown.startswith("# " + text(spanish, T.export_title))
    assert "## " + text(spanish, T.export_heading_journal) in markdown


async def test_an_unknown_app_language_gets_english(
    app: Any, fake: FakeTelegram, catalog: Catalog
) -> None:
    chat = ChatDriver(app, fake, user_id=3003, first_name="Jo", language_code="pt-BR")
    welcome = await chat.say("/start")
    assert welcome[0].plain_text == text(catalog, T.welcome)
    await chat.tap("Yes, let's begin")
    user = await stored_user(app, 3003)
    assert user is not None and user.language == "en"


async def test_switching_language_in_settings(
    chat: ChatDriver, app: Any, clock: FakeClock, catalog: Catalog, spanish: Catalog
) -> None:
    from helpers import onboard

    await onboard(chat)
    await chat.say("/settings")
    (choose,) = await chat.tap("Language")
    assert choose.plain_text == text(catalog, T.language_choose)
    assert choose.labels == ["English", "Español"]
    (saved,) = await chat.tap("Español")
    assert saved.plain_text == text(spanish, T.language_saved)
    user = await stored_user(app, 1001)
    assert user is not None and user.language == "es"
    (help_text,) = await chat.say("/help")
    assert help_text.plain_text == text(spanish, T.help)
    # Scheduled messages follow the stored choice too.
    clock.now = datetime(2026, 3, 2, 8, 1, tzinfo=UTC) + timedelta(days=1)  # 09:01 Berlin
    (prompt,) = await chat.run_jobs("dispatch_prompts")
    assert prompt.labels == list(spanish.library.meta.buttons.values())
    # And back again.
    await chat.say("/settings")
    await chat.tap("Idioma")
    (saved,) = await chat.tap("English")
    assert saved.plain_text == text(catalog, T.language_saved)
    reply = await chat.say("I keep thinking about last weekend.")  # answers the prompt
    assert reply[0].plain_text in catalog.library.meta.acknowledgements


async def test_a_crisis_in_spanish_from_an_english_speaker_gets_the_crisis_path(
    chat: ChatDriver, catalog: Catalog, spanish: Catalog
) -> None:
    if "safety/screen.yml" in spanish.borrowed:
        pytest.skip("the Spanish safety screen (locales/es/safety/screen.yml) is not there yet")
    from helpers import onboard

    await onboard(chat)
    replies = await chat.say("ya no puedo más, quiero morirme")
    assert replies[0].plain_text == plain_text(
        catalog.safety_texts.get(SafetyText.crisis_self_harm)
    )


async def test_a_crisis_in_english_from_a_spanish_speaker_is_answered_in_spanish(
    lucia: ChatDriver, spanish: Catalog
) -> None:
    await onboard_in_spanish(lucia, spanish)
    replies = await lucia.say("I want to kill myself")
    assert replies[0].plain_text == plain_text(
        spanish.safety_texts.get(SafetyText.crisis_self_harm)
    )
    assert any("112" in m.plain_text for m in replies)  # Spain's emergency number


async def test_a_language_changed_by_another_process_is_picked_up_within_a_minute(
    lucia: ChatDriver,
    app: Any,
    spanish: Catalog,
    catalog: Catalog,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Several webhook workers share one database: one remembers a user's language, another
    stores a new one. The first reads it again once its memory is REMEMBER_FOR old."""
    from bot.db.repo import users as user_repo
    from bot.services import language

    await onboard_in_spanish(lucia, spanish)
    services = app.bot_data["services"]
    async with services.db.session() as session:  # what another process's /settings does
        await user_repo.update_user(session, user_id=2002, language="en")
    (still,) = await lucia.say("/help")
    assert still.plain_text == text(spanish, T.help)  # remembered here, for now
    later = language._now() + language.REMEMBER_FOR + 1
    monkeypatch.setattr(language, "_now", lambda: later)
    (fresh,) = await lucia.say("/help")
    assert fresh.plain_text == text(catalog, T.help)
