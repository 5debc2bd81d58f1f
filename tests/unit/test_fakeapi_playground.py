"""The terminal playground: settings it derives, piped and interactive sessions, exit codes."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.ops.config import Settings
from bot.playground import (
    PLAYGROUND_API_URL,
    PLAYGROUND_TEXT,
    PLAYGROUND_TOKEN,
    TEMP_PREFIX,
    playground_settings,
    run_playground,
)

Context = ContextTypes.DEFAULT_TYPE
AnyApp = Application[Any, Any, Any, Any, Any, Any]


async def start(update: Update, context: Context) -> None:
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Yes", callback_data="y"),
                InlineKeyboardButton("Not now", callback_data="n"),
            ]
        ]
    )
    await update.effective_message.reply_text(
        "<b>Hello</b> &amp; welcome\nSecond line", parse_mode="HTML", reply_markup=keyboard
    )


async def tapped(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(f"Chose &lt;{query.data}&gt;", parse_mode="HTML")


async def echo(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    if message.text is not None:
        await message.reply_text(f"echo {message.text}")
    elif message.location is not None:
        await message.reply_text(f"at {message.location.latitude} {message.location.longitude}")
    else:
        await message.reply_text("something else")


async def too_long(update: Update, context: Context) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("x" * 5000)


def build(settings: Settings, *, request: BaseRequest, get_updates_request: BaseRequest) -> AnyApp:
    app = (
        Application.builder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .request(request)
        .get_updates_request(get_updates_request)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("long", too_long))
    app.add_handler(CallbackQueryHandler(tapped))
    app.add_handler(MessageHandler(filters.ALL, echo))
    return app


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        telegram_bot_token=SecretStr(PLAYGROUND_TOKEN),
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'p.db'}",
    )


async def play(settings: Settings, text: str, *, interactive: bool = False) -> tuple[int, str]:
    stdout = io.StringIO()
    code = await run_playground(
        settings, io.StringIO(text), stdout, interactive=interactive, build=build
    )
    return code, stdout.getvalue()


async def test_piped_session_prints_a_plain_text_transcript(settings: Settings) -> None:
    code, out = await play(settings, "/start\n2\n\nhello there\n:sticker\n:location 52.5 13.4\n")
    assert code == 0
    assert out.splitlines() == [
        "you: /start",
        "bot: Hello & welcome",
        "     Second line",
        "     [1] Yes  [2] Not now",
        "you: 2",
        "bot (edited): Chose <n>",
        "you: hello there",
        "bot: echo hello there",
        "you: :sticker",
        "bot: something else",
        "you: :location 52.5 13.4",
        "bot: at 52.5 13.4",
    ]


async def test_button_labels_work_like_numbers(settings: Settings) -> None:
    _, out = await play(settings, "/start\nnot now\n")
    assert "bot (edited): Chose <n>" in out


async def test_quit_stops_reading(settings: Settings) -> None:
    code, out = await play(settings, "hi\n:quit\nnever sent\n")
    assert code == 0
    assert "never sent" not in out


async def test_bad_playground_commands_explain_themselves(settings: Settings) -> None:
    _, out = await play(settings, ":bogus\n:location north\n:help\n")
    assert PLAYGROUND_TEXT["unknown_command"].format(command=":bogus") in out
    assert PLAYGROUND_TEXT["location_usage"] in out
    assert PLAYGROUND_TEXT["help"] in out


async def test_a_request_telegram_would_refuse_is_shown_and_fails_the_run(
    settings: Settings,
) -> None:
    code, out = await play(settings, "/long\n")
    assert code == 1
    assert "[fake api] sendMessage.text: 5000 characters" in out
    assert "[handler error] BadRequest" in out


async def test_interactive_session_shows_banner_and_prompts(settings: Settings) -> None:
    code, out = await play(settings, "hi\n", interactive=True)
    assert code == 0
    assert out.startswith(PLAYGROUND_TEXT["banner"])
    assert out.count(PLAYGROUND_TEXT["prompt"]) == 2  # before "hi" and before end of input
    assert "bot: echo hi" in out
    assert "you: hi" not in out  # a terminal already shows what was typed


def test_playground_settings_use_the_fake_and_a_throwaway_database() -> None:
    base = Settings(_env_file=None)
    derived = playground_settings(base)
    assert derived.telegram_bot_token.get_secret_value() == PLAYGROUND_TOKEN
    assert derived.telegram_api_base_url == PLAYGROUND_API_URL
    assert derived.database_url.startswith("sqlite+aiosqlite:///")
    directory = Path(derived.database_url.split(":///", 1)[1]).parent
    assert directory.name.startswith(TEMP_PREFIX)
    assert directory.is_dir()
    directory.rmdir()


def test_playground_settings_keep_an_explicit_database(settings: Settings) -> None:
    assert playground_settings(settings).database_url == settings.database_url


async def test_the_throwaway_database_directory_is_removed_afterwards() -> None:
    derived = playground_settings(Settings(_env_file=None))
    directory = Path(derived.database_url.split(":///", 1)[1]).parent
    assert directory.is_dir()
    code, _ = await play(derived, "hi\n")
    assert code == 0
    assert not directory.exists()


async def test_later_moves_the_clock_and_a_held_message_comes_back(tmp_path: Path) -> None:
    from bot.playground import playground_settings

    settings = playground_settings(
        Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 'h.db'}")
    )
    script = "/start\n1\nBerlin\n1\n2\n1\n/hold\nI miss you\n1\n:later 21\n3\n"
    stdout = io.StringIO()
    code = await run_playground(settings, io.StringIO(script), stdout, interactive=False)
    out = stdout.getvalue()
    assert code == 0, out
    assert "Something you set aside is back" in out and "I miss you" in out
    assert out.index("[clock] 21 minute(s) later") < out.index("Something you set aside")
