"""Run the real bot CLI in a subprocess against a loopback fake Bot API, and play users.

Shared by the loopback integration tests (polling, webhook, shutdown, two processes) and the
startup and webhook benchmarks. ``bot_process`` starts ``python -m bot <command>`` with a clean
environment (no developer `.env`, no inherited settings) and output captured in files, and
always reaps it. ``eventually`` polls a condition with a deadline while the event loop keeps
serving the fake. ``RemoteUser`` plays one Telegram user through the fake: it sends, waits for
the bot's expected reply over real HTTP, and returns the messages that changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from bot.db.models import User
from bot.edge.context import utc_now
from bot.fakeapi.core import JSON, SECRET_HEADER, FakeTelegram
from bot.fakeapi.driver import match_button
from bot.fakeapi.models import BotMessage
from bot.ops.config import REPO_ROOT, Settings

# A token shaped like a real one, so a leak in the logs is unmistakable.
TOKEN = "7310046221:AAF-loopbackTokenNeverLogged_x9"
WEBHOOK_SECRET = "loopback-webhook-secret_0123456789"
# Every environment name Settings reads: a child gets only the ones a test chooses.
SETTING_NAMES = frozenset(name.upper() for name in Settings.model_fields)
DEFAULT_TIMEOUT = 20.0


def child_env(**settings: object) -> dict[str, str]:
    """The environment for a bot subprocess: this one minus bot settings, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTING_NAMES}
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p
    )
    env["PTB_TIMEDELTA"] = "true"
    env["PYTHONUNBUFFERED"] = "1"
    env.update({name.upper(): str(value) for name, value in settings.items()})
    return env


def sqlite_url(directory: Path, name: str = "bot.db") -> str:
    """A SQLite database file in `directory`."""
    return f"sqlite+aiosqlite:///{directory / name}"


def free_port() -> int:
    """Ask the kernel for a loopback port that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class BotProcess:
    """A running `python -m bot ...` child with its output going to files."""

    process: asyncio.subprocess.Process
    stdout_path: Path
    stderr_path: Path
    started_at: float  # time.time() just before the spawn

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self.process.pid

    @property
    def exited(self) -> bool:
        """Whether the child has exited (its status is collected in the background)."""
        return self.process.returncode is not None

    def stdout(self) -> str:
        """Everything the child wrote to stdout so far."""
        return self.stdout_path.read_text(errors="replace")

    def stderr(self) -> str:
        """Everything the child wrote to stderr so far."""
        return self.stderr_path.read_text(errors="replace")

    def output(self) -> str:
        """Both streams, labelled, for failure messages."""
        return f"--- stdout ---\n{self.stdout()}\n--- stderr ---\n{self.stderr()}"

    def peak_memory_kib(self) -> int:
        """The child's peak resident set size (VmHWM) in KiB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        raise RuntimeError("no VmHWM in /proc status")

    async def wait(self, within: float = DEFAULT_TIMEOUT) -> int:
        """Wait for the child to exit; fail with its output if it takes longer than `within`."""
        try:
            return await asyncio.wait_for(self.process.wait(), within)
        except TimeoutError:
            raise AssertionError(
                f"the bot did not exit within {within} s\n{self.output()}"
            ) from None

    async def terminate(self, within: float = DEFAULT_TIMEOUT) -> int:
        """Send SIGTERM (a planned restart) and return the exit code."""
        self.process.send_signal(signal.SIGTERM)
        return await self.wait(within)


@contextlib.asynccontextmanager
async def bot_process(
    args: Sequence[str],
    env: Mapping[str, str],
    workdir: Path,
    *,
    name: str = "bot",
    script: Path | None = None,
) -> AsyncIterator[BotProcess]:
    """Start `python -m bot <args>` (or `python <script> <args>`) in `workdir`; kill it on the
    way out if it still runs."""
    workdir.mkdir(parents=True, exist_ok=True)
    stdout_path = workdir / f"{name}.stdout"
    stderr_path = workdir / f"{name}.stderr"
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        started_at = time.time()
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *(["-m", "bot"] if script is None else [str(script)]),
            *args,
            cwd=workdir,  # so no developer .env is read
            env=dict(env),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
    child = BotProcess(process, stdout_path, stderr_path, started_at)
    try:
        yield child
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def eventually(
    condition: Callable[[], bool],
    what: str,
    *,
    within: float = DEFAULT_TIMEOUT,
    processes: Sequence[BotProcess] = (),
) -> None:
    """Poll `condition` until it holds, keeping the loop free to serve the fake; fail clearly
    (with the children's output) at the deadline or when a child died."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        dead = [p for p in processes if p.exited]
        if dead:
            raise AssertionError(
                f"waiting for {what}: the bot exited with {dead[0].process.returncode}\n"
                + dead[0].output()
            )
        if loop.time() > deadline:
            output = "\n".join(p.output() for p in processes)
            raise AssertionError(f"timed out after {within} s waiting for {what}\n{output}")
        await asyncio.sleep(0.005)


async def http_ready(
    url: str, *, processes: Sequence[BotProcess] = (), within: float = 30.0
) -> None:
    """Wait until GET `url` answers at all (a server finished starting)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    async with httpx.AsyncClient() as client:
        while True:
            with contextlib.suppress(httpx.TransportError):
                await client.get(url, timeout=1.0)
                return
            dead = [p for p in processes if p.exited]
            if dead:
                raise AssertionError(f"the bot exited before {url} answered\n{dead[0].output()}")
            if loop.time() > deadline:
                output = "\n".join(p.output() for p in processes)
                raise AssertionError(f"{url} never answered\n{output}")
            await asyncio.sleep(0.02)


def changed_messages(fake: FakeTelegram, chat_id: int, since: int) -> list[BotMessage]:
    """Bot messages in a chat sent, edited or deleted by the calls from index `since` on."""
    ids: list[int] = []
    for call in fake.calls[since:]:
        if not call.ok:
            continue
        result = call.result
        if isinstance(result, dict) and "message_id" in result:
            chat, message_id = result.get("chat", {}).get("id"), result["message_id"]
        elif call.method == "deleteMessage":
            chat, message_id = call.params.get("chat_id"), call.params.get("message_id")
        else:
            continue
        if chat == chat_id and message_id not in ids:
            ids.append(message_id)
    found = (fake.message(chat_id, message_id) for message_id in ids)
    return [message for message in found if message is not None]


def sends_to(fake: FakeTelegram, chat_id: int) -> int:
    """How many messages the bot sent to a chat (successful sendMessage calls)."""
    return sum(
        1 for c in fake.calls_to("sendMessage") if c.ok and c.params.get("chat_id") == chat_id
    )


Push = Callable[[JSON], Awaitable[None]]


@dataclass
class RemoteUser:
    """One user of a bot that runs in another process, talking through the fake.

    In polling mode the bot fetches the update itself; in webhook mode `push` delivers it.
    Each step waits until a bot message in this chat contains `expect` (and, for taps, until
    the tap was answered), then returns the messages that step changed.
    """

    fake: FakeTelegram
    user_id: int
    first_name: str = "Ann"
    push: Push | None = None
    processes: Sequence[BotProcess] = ()
    timeout: float = DEFAULT_TIMEOUT
    transcript: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.fake.add_user(self.user_id, self.first_name)

    async def say(self, text: str, *, expect: str) -> list[BotMessage]:
        """Send a text (commands included) and wait for a reply containing `expect`."""
        self.transcript.append(f"user: {text}")
        return await self._step(lambda: self.fake.send_text(self.user_id, text), expect)

    async def tap(self, label: str, *, expect: str) -> list[BotMessage]:
        """Tap a button on the latest message that has buttons; wait for `expect`."""
        shown = [m for m in self.fake.messages_to(self.user_id) if m.labels and not m.deleted]
        if not shown:
            raise AssertionError(f"no buttons to tap {label!r}\n" + self.text())
        button = match_button(shown[-1], label)
        if button is None or button[1] is None:
            raise AssertionError(f"no button {label!r} in {shown[-1].labels}\n" + self.text())
        self.transcript.append(f"user: [tap] {button[0]}")
        update = await self._step(
            lambda: self.fake.tap(self.user_id, shown[-1].message_id, str(button[1])), expect
        )
        await eventually(
            lambda: not self.fake.unanswered_callback_queries,
            "the bot to answer the button tap",
            within=self.timeout,
            processes=self.processes,
        )
        return update

    def text(self) -> str:
        """The conversation so far."""
        return "\n".join(self.transcript)

    async def _step(self, act: Callable[[], JSON], expect: str) -> list[BotMessage]:
        since = len(self.fake.calls)
        update = act()
        if self.push is not None:
            await self.push(update)

        def answered() -> bool:
            changed = changed_messages(self.fake, self.user_id, since)
            return any(expect in m.plain_text for m in changed)

        await eventually(
            answered,
            f"a reply containing {expect!r}\n{self.text()}",
            within=self.timeout,
            processes=self.processes,
        )
        changed = changed_messages(self.fake, self.user_id, since)
        self.transcript += [f"bot: {m.plain_text}" for m in changed]
        return changed


async def post_update(
    client: httpx.AsyncClient, url: str, update: JSON, secret: str = WEBHOOK_SECRET
) -> httpx.Response:
    """POST one update to a webhook the way Telegram does."""
    return await client.post(url, json=update, headers={SECRET_HEADER: secret})


async def metrics_when(
    client: httpx.AsyncClient,
    url: str,
    condition: Callable[[str], bool],
    *,
    within: float = DEFAULT_TIMEOUT,
) -> str:
    """GET /metrics until `condition` holds for the text (an update is counted only once its
    handler has returned, a moment after its reply); return the last text either way."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        text = (await client.get(url)).text
        if condition(text) or loop.time() > deadline:
            return text
        await asyncio.sleep(0.02)


def metric_value(text: str, name: str) -> float:
    """One sample's value from a Prometheus text exposition (0 when absent)."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


def due_users(users: range, zone: str, *, due_for: timedelta) -> list[User]:
    """Users who consented yesterday, in `zone`, whose daily question fell due `due_for` ago."""
    now = utc_now()
    due = now - due_for
    local = due.astimezone(ZoneInfo(zone))
    return [
        User(
            id=user_id,
            consented_at=now - timedelta(days=1),
            last_seen_at=now - timedelta(days=1),
            timezone=zone,
            prompt_time=f"{local:%H:%M}",
            prompts_enabled=True,
            next_prompt_at=due,
        )
        for user_id in users
    ]
