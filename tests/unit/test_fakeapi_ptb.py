"""python-telegram-bot itself drives the fake (in process): an echo bot and the ChatDriver."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, EndPointNotFound, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.fakeapi import ChatDriver, FakeTelegram, InProcessRequest, find_spec, load_validator
from bot.fakeapi.driver import running_app

REPO_ROOT = Path(__file__).resolve().parents[2]
VALIDATOR = load_validator(find_spec(REPO_ROOT))
TOKEN = "123456:ECHO"

Context = ContextTypes.DEFAULT_TYPE


async def start(update: Update, context: Context) -> None:
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Yes, I agree", callback_data="yes"),
                InlineKeyboardButton("Not now", callback_data="no"),
            ],
            [InlineKeyboardButton("Silent", callback_data="silent")],
        ]
    )
    await update.effective_message.reply_text(
        "Welcome, <b>friend</b> &amp; hello", parse_mode="HTML", reply_markup=keyboard
    )


async def tapped(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    if query.data == "silent":
        return  # deliberately never answered
    await query.answer()
    await query.edit_message_text(f"You chose {query.data}")


async def echo(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    if message.text == "boom":
        raise RuntimeError("boom")
    await message.reply_text(message.text)


async def edited(update: Update, context: Context) -> None:
    assert update.edited_message is not None
    await update.edited_message.reply_text(f"edited: {update.edited_message.text}")


async def media(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    if message.location is not None:
        await message.reply_text(f"at {message.location.latitude},{message.location.longitude}")
    elif message.document is not None:
        data = await (await message.document.get_file()).download_as_bytearray()
        await message.reply_text(f"document of {len(data)} bytes")
    else:
        kind = "sticker" if message.sticker else "photo" if message.photo else "voice"
        await message.reply_text(kind)


async def send_file(update: Update, context: Context) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_document(
        b"line one\nline two\n", filename="export.txt", caption="Your export"
    )


async def too_long(update: Update, context: Context) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("x" * 5000)


async def later(update: Update, context: Context) -> None:
    assert context.job_queue is not None
    assert update.effective_chat is not None
    context.job_queue.run_once(remind, when=60, chat_id=update.effective_chat.id, name="remind")


async def remind(context: Context) -> None:
    assert context.job is not None
    assert context.job.chat_id is not None
    await context.bot.send_message(context.job.chat_id, "Reminder")


async def redo(update: Update, context: Context) -> None:
    assert update.effective_message is not None
    draft = await update.effective_message.reply_text("draft")
    await draft.delete()
    await update.effective_message.reply_text("final")


async def background(update: Update, context: Context) -> None:
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id

    async def work() -> None:
        await context.bot.send_chat_action(chat_id, "typing")
        await context.bot.send_message(chat_id, "done in the background")

    context.application.create_task(work(), update=update)


def build_echo_app(
    fake: FakeTelegram, token: str = TOKEN
) -> Application[Any, Any, Any, Any, Any, Any]:
    app = (
        Application.builder()
        .token(token)
        .request(InProcessRequest(fake))
        .get_updates_request(InProcessRequest(fake))
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("file", send_file))
    app.add_handler(CommandHandler("long", too_long))
    app.add_handler(CommandHandler("later", later))
    app.add_handler(CommandHandler("bg", background))
    app.add_handler(CommandHandler("redo", redo))
    app.add_handler(CallbackQueryHandler(tapped))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, edited))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(MessageHandler(filters.ALL, media))
    return app


@pytest.fixture
def fake() -> FakeTelegram:
    return FakeTelegram(token=TOKEN, validator=VALIDATOR)


@pytest.fixture
async def app(fake: FakeTelegram) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    application = build_echo_app(fake)
    async with running_app(application):
        yield application


@pytest.fixture
def driver(app: Application[Any, Any, Any, Any, Any, Any], fake: FakeTelegram) -> ChatDriver:
    return ChatDriver(app, fake, user_id=1, first_name="Ann")


async def test_start_shows_buttons_and_a_tap_edits_the_message(
    driver: ChatDriver, fake: FakeTelegram
) -> None:
    [welcome] = await driver.say("/start")
    assert welcome.plain_text == "Welcome, friend & hello"
    assert welcome.labels == ["Yes, I agree", "Not now", "Silent"]
    assert welcome.buttons[0] == [("Yes, I agree", "yes"), ("Not now", "no")]
    [after] = await driver.tap("Yes, I agree")
    assert (after.message_id, after.text, after.edited, after.buttons) == (
        welcome.message_id,
        "You chose yes",
        1,
        [],
    )
    assert fake.unanswered_callback_queries == []
    assert fake.spec_violations == []


@pytest.mark.parametrize(("choice", "data"), [("2", "no"), ("not NOW", "no"), ("1", "yes")])
async def test_buttons_can_be_tapped_by_number_or_loose_label(
    driver: ChatDriver, choice: str, data: str
) -> None:
    await driver.say("/start")
    [after] = await driver.tap(choice)
    assert after.text == f"You chose {data}"


async def test_an_unknown_button_lists_the_available_ones(driver: ChatDriver) -> None:
    await driver.say("/start")
    with pytest.raises(AssertionError, match=r"\[1\] Yes, I agree  \[2\] Not now  \[3\] Silent"):
        await driver.tap("Maybe")


async def test_tapping_without_buttons_is_a_clear_failure(driver: ChatDriver) -> None:
    await driver.say("hello")
    with pytest.raises(AssertionError, match="no buttons"):
        await driver.tap("Yes")


async def test_tap_old_reaches_an_earlier_message(driver: ChatDriver) -> None:
    [first] = await driver.say("/start")
    await driver.say("/start")
    [after] = await driver.tap_old(first.message_id, "Not now")
    assert (after.message_id, after.text) == (first.message_id, "You chose no")
    assert "(on message" in driver.transcript()


async def test_an_unanswered_tap_fails_the_step(driver: ChatDriver) -> None:
    await driver.say("/start")
    with pytest.raises(AssertionError, match="never answered the button tap"):
        await driver.tap("Silent")


async def test_handler_errors_fail_strict_drivers_and_are_kept_otherwise(
    app: Application[Any, Any, Any, Any, Any, Any], fake: FakeTelegram
) -> None:
    strict = ChatDriver(app, fake, user_id=1)
    with pytest.raises(AssertionError, match="handler error: RuntimeError"):
        await strict.say("boom")
    relaxed = ChatDriver(app, fake, user_id=2, strict=False)
    assert await relaxed.say("boom") == []
    assert [repr(e) for e in relaxed.errors] == ["RuntimeError('boom')"]


async def test_requests_telegram_would_refuse_fail_the_step(
    driver: ChatDriver, fake: FakeTelegram
) -> None:
    with pytest.raises(AssertionError, match="5000 characters"):
        await driver.say("/long")
    assert len(fake.spec_violations) == 1
    assert isinstance(driver.errors[0], BadRequest)


async def test_media_and_edits_reach_the_bot(driver: ChatDriver) -> None:
    assert [m.text for m in await driver.share_location(52.52, 13.4)] == ["at 52.52,13.4"]
    assert [m.text for m in await driver.send_sticker()] == ["sticker"]
    assert [m.text for m in await driver.send_photo()] == ["photo"]
    assert [m.text for m in await driver.send_voice()] == ["voice"]
    assert [m.text for m in await driver.send_document("a.txt", b"abcd")] == [
        "document of 4 bytes"
    ]
    await driver.say("typo")
    assert [m.text for m in await driver.edit_last("fixed")] == ["edited: fixed"]


async def test_uploaded_documents_keep_name_size_and_bytes(
    driver: ChatDriver, fake: FakeTelegram
) -> None:
    [sent] = await driver.say("/file")
    assert (sent.kind, sent.plain_text) == ("document", "Your export")
    [document] = fake.documents_to(driver.chat_id)
    assert (document.filename, document.size) == ("export.txt", 18)
    assert document.content == b"line one\nline two\n"
    assert "[document: export.txt, 18 bytes]" in driver.transcript()


async def test_deleted_messages_are_part_of_the_response(driver: ChatDriver) -> None:
    draft, final = await driver.say("/redo")
    assert (draft.text, draft.deleted) == ("draft", True)
    assert (final.text, final.deleted) == ("final", False)
    assert driver.last == final
    assert f"bot: [deleted message {draft.message_id}]" in driver.transcript()


async def test_background_tasks_are_waited_for(driver: ChatDriver, fake: FakeTelegram) -> None:
    new = await driver.say("/bg")
    assert [m.text for m in new] == ["done in the background"]
    assert [c.method for c in fake.calls[-2:]] == ["sendChatAction", "sendMessage"]


async def test_settle_runs_jobs_due_by_the_given_time_once(driver: ChatDriver) -> None:
    assert await driver.say("/later") == []
    assert await driver.settle() == []
    now = datetime.now(UTC)
    assert await driver.settle(now=now + timedelta(seconds=30)) == []
    [reminder] = await driver.settle(now=now + timedelta(minutes=2))
    assert reminder.text == "Reminder"
    assert await driver.settle(now=now + timedelta(minutes=3)) == []


async def test_run_jobs_runs_named_jobs_now(driver: ChatDriver) -> None:
    await driver.say("/later")
    assert await driver.run_jobs("someone-else") == []
    [reminder] = await driver.run_jobs("remind")
    assert reminder.text == "Reminder"
    assert await driver.run_jobs() == []  # the run-once job is gone


async def test_transcript_reads_like_a_chat(driver: ChatDriver) -> None:
    await driver.say("/start")
    await driver.tap("2")
    await driver.say("hi")
    assert driver.transcript() == "\n".join(
        [
            "user: /start",
            "bot: Welcome, friend & hello",
            "     [1] Yes, I agree  [2] Not now  [3] Silent",
            "user: [tap] Not now",
            "bot (edited): You chose no",
            "user: hi",
            "bot: hi",
        ]
    )


async def test_blocked_user_raises_forbidden_in_ptb(
    app: Application[Any, Any, Any, Any, Any, Any], fake: FakeTelegram
) -> None:
    fake.add_user(9)
    fake.block(9)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await app.bot.send_message(9, "Are you there?")


async def test_flood_limit_raises_retry_after_in_ptb(
    app: Application[Any, Any, Any, Any, Any, Any],
    fake: FakeTelegram,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.add_user(9)
    fake.rate_limit(1.0)
    await app.bot.send_message(9, "one")
    with pytest.raises(RetryAfter) as caught:
        await app.bot.send_message(9, "two")
    assert caught.value.retry_after == timedelta(seconds=1)


async def test_unknown_methods_are_endpoint_not_found_in_ptb(
    app: Application[Any, Any, Any, Any, Any, Any], fake: FakeTelegram
) -> None:
    with pytest.raises(EndPointNotFound):
        await app.bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": 1})
    if VALIDATOR is not None:
        assert fake.spec_violations == [f"sendTelepathy: no such method in {VALIDATOR.version}"]


async def test_a_wrong_token_is_refused() -> None:
    fake = FakeTelegram(token=TOKEN)
    app = build_echo_app(fake, token="999:WRONG")
    with pytest.raises(InvalidToken):
        await app.initialize()
    assert fake.calls == []
