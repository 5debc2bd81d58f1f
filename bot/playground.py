"""Chat with the real bot in a terminal: no Telegram, no token, no network.

``run_playground`` builds the real Application against an in-process FakeTelegram, starts it
(job queue running, no updater) and plays one user with a ChatDriver. Each input line is one
user message; a number or a button's label taps that button on the latest message that has
buttons; a few ``:`` commands send a location, sticker, photo or voice message. Bot replies are
printed as plain text (HTML tags stripped, entities unescaped) with buttons as numbered
choices. Piped input works too: ``printf '/start\\n1\\n' | python -m bot playground`` prints
the transcript and exits at end of input (status 1 if the bot broke a Bot API rule or a
handler raised, so the playground doubles as a smoke test).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import shutil
import tempfile
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from pydantic import SecretStr
from telegram.ext import Application

from bot.fakeapi import (
    ChatDriver,
    FakeTelegram,
    InProcessRequest,
    find_spec,
    format_message,
    load_validator,
    running_app,
)
from bot.fakeapi.driver import match_button
from bot.ops.config import REPO_ROOT, Settings

PLAYGROUND_TOKEN = "123456:PLAYGROUND"  # noqa: S105 (the fake's token, not a credential)
# Requests never leave the process; this host cannot resolve, by design (RFC 6761 .invalid).
PLAYGROUND_API_URL = "http://fake-telegram.invalid/bot"
TEMP_PREFIX = "secure-base-playground-"
PLAYGROUND_USER_ID = 1001
WATCH_INTERVAL_SECONDS = 0.5

# Developer tooling only (not bot content): every string the playground itself prints.
PLAYGROUND_TEXT = {
    "banner": (
        "Secure Base playground: you are chatting with the real bot, offline.\n"
        "Type a message, a button's number or label, or :help. :quit leaves."
    ),
    "help": (
        "  <text>              send a message (commands like /start included)\n"
        "  <number> | <label>  tap a button on the latest message that has buttons\n"
        "  :location LAT LON   share a location\n"
        "  :sticker  :photo  :voice   send that kind of message\n"
        "  :later MINUTES      move the bot's clock ahead and run what falls due (held\n"
        "                      messages, time-out check-ins, daily questions)\n"
        "  :quit               leave (end of input works too)"
    ),
    "prompt": "you> ",
    "echo": "you: {line}",
    "location_usage": "usage: :location LAT LON (for example :location 52.52 13.40)",
    "later_usage": "usage: :later MINUTES (for example :later 25)",
    "later": "[clock] {minutes} minute(s) later",
    "unknown_command": "unknown playground command {command}; :help lists them",
    "violation": "[fake api] {problem}",
    "error": "[handler error] {error!r}",
    "user_first_name": "Alex",
}
SPECIAL = (":location", ":sticker", ":photo", ":voice", ":later", ":quit", ":help")

Builder = Callable[..., Application[Any, Any, Any, Any, Any, Any]]


def playground_settings(base: Settings | None = None) -> Settings:
    """Return settings for the playground: fake token and API, throwaway SQLite unless set."""
    base = base or Settings()
    update: dict[str, object] = {
        "telegram_bot_token": SecretStr(PLAYGROUND_TOKEN),
        "telegram_api_base_url": PLAYGROUND_API_URL,
    }
    # model_fields_set holds what the environment or .env provided, not defaults.
    if "database_url" not in base.model_fields_set:
        directory = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
        scheme = base.database_url.split(":///", 1)[0]
        if not scheme.startswith("sqlite"):
            scheme = "sqlite+aiosqlite"
        update["database_url"] = f"{scheme}:///{directory / 'playground.db'}"
    return base.model_copy(update=update)


async def run_playground(
    settings: Settings,
    stdin: TextIO,
    stdout: TextIO,
    *,
    interactive: bool,
    build: Builder | None = None,
    language: str = "en",
) -> int:
    """Chat with the bot over stdin/stdout until :quit or end of input; return the exit code.

    `language` is the fake user's Telegram language_code (what their app is set to)."""
    # `:later` moves the bot's clock ahead by this much (only for the real bot).
    offset = [timedelta(0)]
    try:
        if build is None:
            from bot.app import build_application  # late: the playground module stays light

            def clock() -> datetime:
                return datetime.now(UTC) + offset[0]

            build = functools.partial(build_application, clock=clock)
        fake = FakeTelegram(
            token=settings.telegram_bot_token.get_secret_value(),
            validator=load_validator(find_spec(REPO_ROOT)),
        )
        app = build(
            settings, request=InProcessRequest(fake), get_updates_request=InProcessRequest(fake)
        )
        async with running_app(app):
            driver = ChatDriver(
                app,
                fake,
                PLAYGROUND_USER_ID,
                PLAYGROUND_TEXT["user_first_name"],
                strict=False,
                require_answers=False,
                language_code=language,
            )
            session = _Session(driver, stdout, interactive, offset)
            await session.run(stdin)
            return 1 if fake.spec_violations or driver.errors else 0
    finally:
        _remove_temp_database(settings.database_url)


class _Session:
    """One playground conversation: reads lines, feeds the driver, prints what changed."""

    def __init__(
        self,
        driver: ChatDriver,
        stdout: TextIO,
        interactive: bool,
        offset: list[timedelta] | None = None,
    ) -> None:
        self.driver = driver
        self.offset = offset if offset is not None else [timedelta(0)]
        self.stdout = stdout
        self.interactive = interactive
        self.printed_calls = len(driver.fake.calls)
        self.printed_violations = len(driver.fake.spec_violations)
        self.printed_errors = len(driver.errors)
        self.seen: set[int] = set()
        self.busy = False

    async def run(self, stdin: TextIO) -> None:
        lines = _read_lines(stdin)
        watcher = asyncio.create_task(self._watch()) if self.interactive else None
        if self.interactive:
            self._print(PLAYGROUND_TEXT["banner"])
        try:
            while True:
                if self.interactive:
                    self.stdout.write(PLAYGROUND_TEXT["prompt"])
                    self.stdout.flush()
                raw = await lines.get()
                if not raw:
                    break
                line = raw.rstrip("\r\n")
                if not line.strip():
                    continue
                if not self.interactive:
                    self._print(PLAYGROUND_TEXT["echo"].format(line=line))
                self.busy = True
                try:
                    if not await self._handle(line):
                        break
                finally:
                    self.busy = False
                self._flush()
            await self.driver.settle()
            self._flush()
        finally:
            if watcher is not None:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher

    async def _handle(self, line: str) -> bool:
        """Act on one input line; return False when the user wants to leave."""
        command, _, rest = line.strip().partition(" ")
        if command.startswith(":"):
            if command not in SPECIAL:
                self._print(PLAYGROUND_TEXT["unknown_command"].format(command=command))
                return True
            return await self._special(command, rest.split())
        latest = self.driver.latest_buttons()
        if latest is not None and match_button(latest, line) is not None:
            await self.driver.tap(line)
        else:
            await self.driver.say(line)
        return True

    async def _special(self, command: str, args: list[str]) -> bool:
        if command == ":quit":
            return False
        if command == ":help":
            self._print(PLAYGROUND_TEXT["help"])
        elif command == ":location":
            try:
                latitude, longitude = (float(arg) for arg in args)
            except ValueError:
                self._print(PLAYGROUND_TEXT["location_usage"])
                return True
            await self.driver.share_location(latitude, longitude)
        elif command == ":later":
            try:
                (minutes,) = (int(arg) for arg in args)
            except ValueError:
                self._print(PLAYGROUND_TEXT["later_usage"])
                return True
            self.offset[0] += timedelta(minutes=max(0, minutes))
            self._print(PLAYGROUND_TEXT["later"].format(minutes=max(0, minutes)))
            from bot.app import DISPATCH_JOB  # late, like build_application

            await self.driver.run_jobs(DISPATCH_JOB)
        elif command == ":sticker":
            await self.driver.send_sticker()
        elif command == ":photo":
            await self.driver.send_photo()
        elif command == ":voice":
            await self.driver.send_voice()
        return True

    async def _watch(self) -> None:
        # Jobs (scheduled prompts) may write while the user is thinking.
        while True:
            await asyncio.sleep(WATCH_INTERVAL_SECONDS)
            # While a step runs, its own flush prints the replies in order.
            if not self.busy and self._flush():
                self.stdout.write(PLAYGROUND_TEXT["prompt"])
                self.stdout.flush()

    def _flush(self) -> bool:
        """Print bot messages, spec problems and handler errors not printed yet."""
        fake = self.driver.fake
        lines: list[str] = []
        for message in self.driver.changed_since(self.printed_calls):
            lines.extend(format_message(message, edited=message.message_id in self.seen))
            self.seen.add(message.message_id)
        self.printed_calls = len(fake.calls)
        for problem in fake.spec_violations[self.printed_violations :]:
            lines.append(PLAYGROUND_TEXT["violation"].format(problem=problem))
        self.printed_violations = len(fake.spec_violations)
        for error in self.driver.errors[self.printed_errors :]:
            lines.append(PLAYGROUND_TEXT["error"].format(error=error))
        self.printed_errors = len(self.driver.errors)
        if lines and self.interactive:
            self.stdout.write("\n")
        for line in lines:
            self._print(line)
        return bool(lines)

    def _print(self, line: str) -> None:
        self.stdout.write(line + "\n")
        self.stdout.flush()


def _read_lines(stdin: TextIO) -> asyncio.Queue[str]:
    """Read stdin on a daemon thread into a queue; '' marks the end of input.

    A daemon thread, not the default executor: a thread blocked in readline() must not keep
    the process alive after Ctrl-C.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str] = asyncio.Queue()

    def pump() -> None:
        while True:
            line = stdin.readline()
            try:
                loop.call_soon_threadsafe(queue.put_nowait, line)
            except RuntimeError:
                return  # the playground has already finished and closed its loop
            if not line:
                return

    threading.Thread(target=pump, name="playground-stdin", daemon=True).start()
    return queue


def _remove_temp_database(database_url: str) -> None:
    """Delete the playground's throwaway database directory (never anything else)."""
    if ":///" not in database_url:
        return
    directory = Path(database_url.split(":///", 1)[1]).parent
    temp_root = Path(tempfile.gettempdir()).resolve()
    if directory.name.startswith(TEMP_PREFIX) and directory.resolve().parent == temp_root:
        shutil.rmtree(directory, ignore_errors=True)
