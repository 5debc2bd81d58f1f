"""Drive a real PTB Application as one chat user, for conversation tests and the playground.

``ChatDriver`` asks the FakeTelegram to produce a user update (text, button tap, location...),
feeds it through ``Application.process_update`` and returns the bot messages that were sent,
edited or deleted in that chat in response, as they look afterwards. It keeps a readable
transcript for failure messages and, in strict mode, fails loudly on what a user would notice:
a request the spec rejects, an exception in a handler, a button tap the bot never answered.

Settling: after each step the driver waits for the tasks the step started (``block=False``
handlers, ``Application.create_task``, job callbacks APScheduler launches) by yielding to the
event loop until no task started since the driver's first step is pending. Jobs scheduled for
later are not run by waiting: ``settle(now=...)`` runs every job whose next run time is at or
before ``now`` (APScheduler keeps wall-clock times), ``run_jobs(name)`` runs jobs regardless
of their time; both run each job once, right away, and remove run-once jobs so they do not
fire again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext

from bot.fakeapi.core import JSON, FakeTelegram
from bot.fakeapi.models import BotMessage, Button
from bot.ops.lifecycle import running

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
_MAX_ROUNDS = 50


# Kept under its old name for the tests and the playground.
running_app = running


def format_message(message: BotMessage, *, edited: bool = False, prefix: str = "bot") -> list[str]:
    """Render one bot message as transcript lines: text, numbered buttons, attached file."""
    head = f"{prefix} (edited)" if edited else prefix
    if message.deleted:
        return [f"{head}: [deleted message {message.message_id}]"]
    lines = message.plain_text.splitlines() or [""]
    if message.file is not None:
        name = message.file.filename or message.file.file_id
        lines.insert(0, f"[{message.kind}: {name}, {message.file.size} bytes]")
    rendered = [f"{head}: {lines[0]}"] + [f"     {line}" for line in lines[1:]]
    if message.labels:
        choices = "  ".join(f"[{i}] {label}" for i, label in enumerate(message.labels, 1))
        rendered.append(f"     {choices}")
    return rendered


class ChatDriver:
    """Play one user in a private chat with a running Application backed by a FakeTelegram."""

    def __init__(
        self,
        app: AnyApplication,
        fake: FakeTelegram,
        user_id: int = 1,
        first_name: str = "Ann",
        *,
        language_code: str = "en",
        strict: bool = True,
        require_answers: bool = True,
        settle_timeout: float = 5.0,
    ) -> None:
        """Register the user with the fake; the app must already be initialised and started."""
        self.app = app
        self.fake = fake
        self.user = fake.add_user(user_id, first_name, language_code=language_code)
        self.chat_id = user_id
        self.strict = strict
        self.require_answers = require_answers
        self.settle_timeout = settle_timeout
        self.errors: list[BaseException] = []
        self._log: list[str] = []
        self._seen: set[int] = set()
        # Tasks alive before the first step (the app's update fetcher, the test itself) are
        # not the step's work; taken lazily so the driver can be built outside a loop.
        self._baseline: set[asyncio.Task[Any]] | None = None
        app.add_error_handler(self._record_error)

    # ------------------------------------------------------------------ user actions

    async def say(self, text: str) -> list[BotMessage]:
        """Send a text message (commands included) and return the bot's response."""
        update = self.fake.send_text(self.chat_id, text)
        return await self._feed(update, f"user: {text}")

    async def tap(self, choice: str) -> list[BotMessage]:
        """Tap a button (by label or 1-based number) on the latest message that has buttons."""
        latest = self.latest_buttons()
        if latest is None:
            raise AssertionError(
                f"the bot has shown no buttons in this chat, so {choice!r} cannot be tapped\n"
                + self.transcript()
            )
        return await self._tap_on(latest, choice)

    async def tap_old(self, message_id: int, choice: str) -> list[BotMessage]:
        """Tap a button on an older message, as a user scrolling up might."""
        message = self.fake.message(self.chat_id, message_id)
        if message is None:
            raise AssertionError(f"the bot sent no message {message_id} in this chat")
        return await self._tap_on(message, choice)

    async def share_location(self, latitude: float, longitude: float) -> list[BotMessage]:
        """Share a location and return the bot's response."""
        update = self.fake.send_location(self.chat_id, latitude, longitude)
        return await self._feed(update, f"user: [location {latitude}, {longitude}]")

    async def send_sticker(self) -> list[BotMessage]:
        """Send a sticker and return the bot's response."""
        return await self._feed(self.fake.send_sticker(self.chat_id), "user: [sticker]")

    async def send_photo(self) -> list[BotMessage]:
        """Send a photo and return the bot's response."""
        return await self._feed(self.fake.send_photo(self.chat_id), "user: [photo]")

    async def send_voice(self) -> list[BotMessage]:
        """Send a voice message and return the bot's response."""
        return await self._feed(self.fake.send_voice(self.chat_id), "user: [voice]")

    async def send_document(
        self, filename: str = "notes.txt", content: bytes = b"notes\n"
    ) -> list[BotMessage]:
        """Send a document and return the bot's response."""
        update = self.fake.send_document(self.chat_id, filename, content)
        return await self._feed(update, f"user: [document {filename}]")

    async def edit_last(self, text: str) -> list[BotMessage]:
        """Edit the user's latest message to ``text`` and return the bot's response."""
        update = self.fake.send_text(self.chat_id, text, edited=True)
        return await self._feed(update, f"user (edited): {text}")

    async def settle(self, now: datetime | None = None) -> list[BotMessage]:
        """Let pending work finish (and run jobs due by ``now``); return what the bot changed.

        Job times are APScheduler's, on the wall clock: ``now`` is compared with them.
        """
        jobs = [] if now is None else [job for job in self._jobs() if _due(job, now)]
        return await self._run(jobs)

    async def run_jobs(self, name: str | None = None) -> list[BotMessage]:
        """Run every scheduled job (or those with this name) once, now; return what changed."""
        return await self._run([job for job in self._jobs() if name in (None, job.name)])

    # ------------------------------------------------------------------ observations

    @property
    def messages(self) -> list[BotMessage]:
        """Return every bot message in this chat as it looks now, oldest first."""
        return self.fake.messages_to(self.chat_id)

    @property
    def last(self) -> BotMessage:
        """Return the bot's latest message that is still there."""
        visible = [m for m in self.messages if not m.deleted]
        if not visible:
            raise AssertionError("the bot has sent nothing to this chat yet")
        return visible[-1]

    def transcript(self) -> str:
        """Return the conversation so far as readable 'user: ... / bot: ...' lines."""
        return "\n".join(self._log)

    def latest_buttons(self) -> BotMessage | None:
        """Return the latest bot message that still shows buttons, or None."""
        with_buttons = [m for m in self.messages if m.labels and not m.deleted]
        return with_buttons[-1] if with_buttons else None

    def changed_since(self, call_index: int) -> list[BotMessage]:
        """Return this chat's bot messages sent, edited or deleted by calls from ``call_index``."""
        ids: list[int] = []
        for call in self.fake.calls[call_index:]:
            result = call.result
            if not call.ok:
                continue
            if isinstance(result, dict) and "message_id" in result:
                chat_id, message_id = result.get("chat", {}).get("id"), result["message_id"]
            elif call.method == "deleteMessage":
                chat_id, message_id = call.params.get("chat_id"), call.params.get("message_id")
            else:
                continue
            if chat_id == self.chat_id and message_id not in ids:
                ids.append(message_id)
        found = (self.fake.message(self.chat_id, message_id) for message_id in ids)
        return [message for message in found if message is not None]

    # ------------------------------------------------------------------ internals

    async def _tap_on(self, message: BotMessage, choice: str) -> list[BotMessage]:
        buttons = [button for row in message.buttons for button in row]
        label, data = _pick(buttons, choice, message, self.transcript())
        update = self.fake.tap(self.chat_id, message.message_id, data)
        line = f"user: [tap] {label}"
        latest = self.latest_buttons()
        if latest is None or message.message_id != latest.message_id:
            line += f" (on message {message.message_id})"
        return await self._feed(update, line)

    async def _feed(self, update: JSON, line: str) -> list[BotMessage]:
        self._take_baseline()
        self.fake.mark_delivered(update)
        self._log.append(line)
        start = len(self.fake.calls)
        violations = len(self.fake.spec_violations)
        errors = len(self.errors)
        await self.app.process_update(Update.de_json(update, self.app.bot))
        await self._drain()
        changed = self.changed_since(start)
        self._log_bot(changed)
        self._check(violations, errors, update)
        return changed

    def _take_baseline(self) -> None:
        if self._baseline is None:
            self._baseline = set(asyncio.all_tasks())

    async def _drain(self) -> None:
        self._take_baseline()
        assert self._baseline is not None
        for _ in range(_MAX_ROUNDS):
            await asyncio.sleep(0)
            current = asyncio.current_task()
            busy = {
                task
                for task in asyncio.all_tasks()
                if task is not current and task not in self._baseline and not task.done()
            }
            if not busy:
                return
            _, still_running = await asyncio.wait(busy, timeout=self.settle_timeout)
            # Whatever outlives the timeout is long-lived (a server, a poller): stop waiting on it.
            self._baseline.update(still_running)

    def _jobs(self) -> list[Any]:
        return [] if self.app.job_queue is None else list(self.app.job_queue.jobs())

    async def _run(self, jobs: Iterable[Any]) -> list[BotMessage]:
        self._take_baseline()
        start = len(self.fake.calls)
        violations = len(self.fake.spec_violations)
        errors = len(self.errors)
        await self._drain()
        for job in jobs:
            await job.run(self.app)
            # A run-once job has now run; left scheduled it would fire a second time.
            if type(job.job.trigger).__name__ == "DateTrigger":
                job.schedule_removal()
        await self._drain()
        changed = self.changed_since(start)
        self._log_bot(changed)
        self._check(violations, errors, None)
        return changed

    def _log_bot(self, changed: list[BotMessage]) -> None:
        for message in changed:
            edited = message.message_id in self._seen
            self._seen.add(message.message_id)
            self._log.extend(format_message(message, edited=edited))

    def _check(self, violations: int, errors: int, update: JSON | None) -> None:
        problems: list[str] = []
        if self.strict:
            problems += [f"spec: {v}" for v in self.fake.spec_violations[violations:]]
            problems += [f"handler error: {e!r}" for e in self.errors[errors:]]
        query = update.get("callback_query") if update else None
        if self.require_answers and query and query["id"] in self.fake.unanswered_callback_queries:
            problems.append("the bot never answered the button tap (answerCallbackQuery)")
        if problems:
            raise AssertionError("\n".join([*problems, "--- transcript ---", self.transcript()]))

    async def _record_error(
        self, _update: object, context: CallbackContext[Any, Any, Any, Any]
    ) -> None:
        if context.error is not None:
            self.errors.append(context.error)


def _due(job: Any, now: datetime) -> bool:
    return job.next_t is not None and job.next_t <= now


def match_button(message: BotMessage, choice: str) -> Button | None:
    """Find the button a user means: exact label, then label ignoring case, then its number."""
    buttons = [button for row in message.buttons for button in row]
    wanted = choice.strip().casefold()
    for button in buttons:
        if button[0] == choice:
            return button
    for button in buttons:
        if button[0].strip().casefold() == wanted:
            return button
    if wanted.isdigit() and 1 <= int(wanted) <= len(buttons):
        return buttons[int(wanted) - 1]
    return None


def _pick(
    buttons: list[Button], choice: str, message: BotMessage, transcript: str
) -> tuple[str, str]:
    match = match_button(message, choice)
    if match is None:
        listed = "  ".join(f"[{i}] {label}" for i, (label, _) in enumerate(buttons, 1))
        raise AssertionError(
            f"no button {choice!r} on message {message.message_id} "
            f"({message.plain_text[:60]!r}); buttons: {listed}\n--- transcript ---\n{transcript}"
        )
    label, data = match
    if data is None:
        raise AssertionError(f"button {label!r} opens a link; it has no callback_data to tap")
    return label, data
