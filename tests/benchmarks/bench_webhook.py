"""Benchmark update handling through the webhook server; prints one JSON object.

Run: .venv/bin/python tests/benchmarks/bench_webhook.py [--updates 1000] [--concurrency 16]
     [--pg URL | --no-pg]
The bot runs in a subprocess behind the real Starlette app (`create_asgi_app`) under uvicorn,
on SQLite and then on PostgreSQL (a fresh database on the server from --pg, TEST_POSTGRES_URL
or /tmp/pgurl; left out when there is none). This process plays Telegram twice over: the fake
Bot API on loopback receives the bot's requests, and simulated users POST updates to the
webhook with the secret header, `concurrency` users at a time. Each user runs a realistic
script: /start, consent (button), "Berlin" (text in a flow), confirm, a time, skip the country
(buttons), /help, /settings, and a free message. Latency is POST to the moment the fake
received the step's last reply (the number of replies per step is measured first on two
warm-up users); throughput is updates per second of wall time for the whole run.
The baseline is a bare PTB echo bot (plain Application: a message handler that replies, a
button handler that answers and replies) behind the same Starlette wrapper, fed the same kinds
of update in the same order, in the same run. The bot is built without AIORateLimiter here:
Telegram's own 30 messages/s limit would otherwise be what is measured (`python -m bot
webhook` keeps it on). The fake is served by `serve_fake_api` on loopback.
`server_cpu_ms_per_update` (CPU the server process used, per update) does not depend on how
fast this process could feed it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "integration")]

import httpx  # noqa: E402
from loopback_bot import (  # noqa: E402
    TOKEN,
    WEBHOOK_SECRET,
    bot_process,
    child_env,
    free_port,
    http_ready,
    post_update,
    sqlite_url,
)

from bot.fakeapi.core import JSON, FakeTelegram  # noqa: E402
from bot.fakeapi.driver import match_button  # noqa: E402
from bot.fakeapi.http import serve_fake_api  # noqa: E402

HOOK = "/hook"
# (kind, text or button label); "tap" steps press a button on the latest message with buttons.
SCRIPT: tuple[tuple[str, str], ...] = (
    ("say", "/start"),
    ("tap", "Yes, let's begin"),
    ("say", "Berlin"),
    ("tap", "Yes, that's right"),
    ("tap", "09:00"),
    ("tap", "Skip this"),
    ("say", "/help"),
    ("say", "/settings"),
    ("say", "I feel lonely when we don't talk in the evening"),
)
STEP_TIMEOUT = 30.0
QUIET = 0.3  # warm-up: a step is complete once its chat was quiet this long


# ---------------------------------------------------------------- the servers (subprocesses)


def serve(kind: str) -> None:
    """Run the bot or the echo baseline behind create_asgi_app until SIGTERM."""
    import uvicorn
    from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

    from bot.app import build_application, running
    from bot.edge.context import SERVICES_KEY
    from bot.ops.config import Settings
    from bot.ops.logs import setup_logging
    from bot.ops.metrics import Metrics
    from bot.webhook import create_asgi_app

    settings = Settings()
    setup_logging("WARNING", secrets=[settings.telegram_bot_token.get_secret_value()])
    if kind == "bot":
        application: Any = build_application(settings, updater=False, rate_limit=False)
    else:
        application = (
            Application.builder()
            .token(settings.telegram_bot_token.get_secret_value())
            .base_url(settings.telegram_api_base_url)
            .updater(None)
            .build()
        )

        async def echo(update: Any, _: Any) -> None:
            await update.effective_message.reply_text(update.effective_message.text or "?")

        async def tapped(update: Any, context: Any) -> None:
            await update.callback_query.answer()
            await context.bot.send_message(update.effective_chat.id, "tapped")

        application.add_handler(MessageHandler(filters.ALL, echo))
        application.add_handler(CallbackQueryHandler(tapped))

        class Healthy:
            async def ping(self) -> bool:
                return True

        # What the wrapper reads: /metrics and /healthz.
        application.bot_data[SERVICES_KEY] = type("S", (), {"metrics": Metrics(), "db": Healthy()})

    server = uvicorn.Server(
        uvicorn.Config(
            create_asgi_app(application, settings),
            host="127.0.0.1",
            port=settings.webhook_port,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
    )

    async def run() -> None:
        if kind == "bot":
            async with running(application):
                await server.serve()
        else:
            async with application:
                await application.start()
                await server.serve()
                await application.stop()

    asyncio.run(run())


# ---------------------------------------------------------------- this side: fake and users


class CountingFake(FakeTelegram):
    """The fake Bot API, counting each chat's requests and when the latest one arrived."""

    def __init__(self) -> None:
        super().__init__(token=TOKEN)
        self.counts: defaultdict[int, int] = defaultdict(int)
        self.last_at: dict[int, float] = {}
        self.query_chat: dict[str, int] = {}
        self.changed: defaultdict[int, asyncio.Event] = defaultdict(asyncio.Event)

    async def handle(self, method: str, params: Mapping[str, object]) -> tuple[int, JSON]:
        """Answer, then note which chat the request was about."""
        status, body = await super().handle(method, params)
        chat = params.get("chat_id")
        if chat is None and "callback_query_id" in params:
            chat = self.query_chat.get(str(params["callback_query_id"]))
        if chat is not None:
            chat_id = int(str(chat))
            self.counts[chat_id] += 1
            self.last_at[chat_id] = time.perf_counter()
            self.changed[chat_id].set()
        return status, body

    async def wait_count(self, chat_id: int, target: int, within: float) -> float:
        """Wait until the chat has `target` requests; return when the last of them arrived."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while self.counts[chat_id] < target:
            event = self.changed[chat_id]
            event.clear()
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"chat {chat_id}: {self.counts[chat_id]} of {target}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
        return self.last_at[chat_id]

    async def wait_quiet(self, chat_id: int, before: int, within: float) -> None:
        """Wait until the chat has more than `before` requests and then none for QUIET
        seconds (warm-up only)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while (
            self.counts[chat_id] == before or time.perf_counter() - self.last_at[chat_id] < QUIET
        ):
            if loop.time() > deadline:
                raise TimeoutError(f"chat {chat_id} never went quiet")
            await asyncio.sleep(0.05)


@dataclass
class Load:
    """One server under load: where it listens and what it is expected to answer."""

    fake: CountingFake
    client: httpx.AsyncClient
    url: str
    echo: bool
    expected: list[int] = field(default_factory=list)  # requests per step of SCRIPT

    def update_for(self, user_id: int, step: tuple[str, str]) -> JSON:
        """Make the user's next update in the fake, as a Telegram client would."""
        action, value = step
        if action == "say":
            return self.fake.send_text(user_id, value)
        shown = [m for m in self.fake.messages_to(user_id) if not m.deleted]
        if self.echo:
            # The echo bot shows no buttons: tap its latest message, as an old keyboard would.
            target, data = shown[-1], "tap"
        else:
            with_buttons = [m for m in shown if m.labels]
            target = with_buttons[-1]
            button = match_button(target, value)
            if button is None or button[1] is None:
                raise RuntimeError(f"no button {value!r} on {target.labels}")
            data = button[1]
        update = self.fake.tap(user_id, target.message_id, data)
        self.fake.query_chat[update["callback_query"]["id"]] = user_id
        return update

    async def post(self, update: JSON) -> None:
        """Deliver one update to the webhook; it must be accepted."""
        self.fake.mark_delivered(update)
        response = await post_update(self.client, self.url, update)
        if response.status_code != 200:
            raise RuntimeError(f"webhook answered {response.status_code}")

    async def calibrate(self, user_id: int) -> list[int]:
        """Play the script once, waiting for quiet after each step; return requests per step."""
        self.fake.add_user(user_id)
        counts = []
        for step in SCRIPT:
            before = self.fake.counts[user_id]
            await self.post(self.update_for(user_id, step))
            await self.fake.wait_quiet(user_id, before, STEP_TIMEOUT)
            counts.append(self.fake.counts[user_id] - before)
        return counts

    async def run_user(self, user_id: int, steps: int, latencies: list[float]) -> None:
        """Play the first `steps` steps of the script, timing each."""
        self.fake.add_user(user_id)
        for step, expected in zip(SCRIPT[:steps], self.expected, strict=False):
            target = self.fake.counts[user_id] + expected
            update = self.update_for(user_id, step)
            began = time.perf_counter()
            await self.post(update)
            done = await self.fake.wait_count(user_id, target, STEP_TIMEOUT)
            latencies.append(done - began)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(
    load: Load, updates: int, concurrency: int, first_user: int, pid: int
) -> dict[str, Any]:
    """Warm up and calibrate on two users, then run `updates` updates; return the figures."""
    first = await load.calibrate(first_user)
    second = await load.calibrate(first_user + 1)
    if first != second:
        raise RuntimeError(f"replies per step differ between users: {first} vs {second}")
    load.expected = first
    users = math.ceil(updates / len(SCRIPT))
    plan = [
        (first_user + 2 + i, min(len(SCRIPT), updates - i * len(SCRIPT))) for i in range(users)
    ]
    queue: asyncio.Queue[tuple[int, int]] = asyncio.Queue()
    for item in plan:
        queue.put_nowait(item)
    latencies: list[float] = []

    async def worker() -> None:
        while not queue.empty():
            user_id, steps = queue.get_nowait()
            await load.run_user(user_id, steps, latencies)

    began, server_cpu, own_cpu = time.perf_counter(), cpu_seconds(pid), time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    server_cpu = cpu_seconds(pid) - server_cpu
    own_cpu = time.process_time() - own_cpu
    ordered = sorted(latencies)
    return {
        "updates": len(latencies),
        "seconds": round(elapsed, 2),
        "updates_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1),
        # What one update costs the server, whatever the load generator could keep up with.
        "server_cpu_ms_per_update": round(server_cpu / len(latencies) * 1000, 2),
        # Telegram's side (fake + users) runs in this process: its share shows who saturated.
        "load_side_cpu_ms_per_update": round(own_cpu / len(latencies) * 1000, 2),
        "replies_per_step": first,
    }


async def run_server(
    kind: str, database_url: str, workdir: Path, updates: int, concurrency: int, first_user: int
) -> dict[str, Any]:
    """Start one server subprocess, load it, read its peak memory, stop it."""
    fake = CountingFake()
    port = free_port()
    url = f"http://127.0.0.1:{port}{HOOK}"
    async with serve_fake_api(fake) as base_url:
        env = child_env(
            telegram_bot_token=TOKEN,
            telegram_api_base_url=base_url,
            database_url=database_url,
            webhook_url=url,
            webhook_secret=WEBHOOK_SECRET,
            webhook_port=port,
            dispatch_interval_seconds=3600,
        )
        args = ["--serve", kind]
        script = Path(__file__).resolve()
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with (
            bot_process(args, env, workdir, script=script, name=kind) as server,
            httpx.AsyncClient(limits=limits, timeout=STEP_TIMEOUT) as client,
        ):
            await http_ready(f"http://127.0.0.1:{port}/healthz", processes=[server], within=60)
            load = Load(fake, client, url, echo=kind == "echo")
            figures = await measure(load, updates, concurrency, first_user, server.pid)
            if kind == "bot":
                figures["server_peak_rss_mib"] = round(server.peak_memory_kib() / 1024, 1)
            code = await server.terminate(within=30)
            # Plain uvicorn re-raises SIGTERM once it has stopped, so -15 is a normal end here.
            if code not in (0, -15):
                raise RuntimeError(f"{kind} exited with {code}\n{server.output()}")
    return figures


@contextlib.asynccontextmanager
async def postgres_database(server: str | None) -> AsyncIterator[str | None]:
    """A fresh database on the server, dropped afterwards (None when there is no server)."""
    if server is None:
        yield None
        return
    import asyncpg

    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = server.replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(admin)
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        connection = await asyncpg.connect(admin)
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


def postgres_server(args: argparse.Namespace) -> str | None:
    """The PostgreSQL server to use, if any."""
    if args.no_pg:
        return None
    if args.pg:
        return str(args.pg)
    if os.environ.get("TEST_POSTGRES_URL"):
        return os.environ["TEST_POSTGRES_URL"]
    pgurl = Path("/tmp/pgurl")
    return pgurl.read_text().strip() if pgurl.exists() else None


async def main(args: argparse.Namespace) -> dict[str, Any]:
    """Measure the echo baseline, the bot on SQLite and on PostgreSQL; return the figures."""
    figures: dict[str, Any] = {
        "updates": args.updates,
        "concurrency": args.concurrency,
        "script": [f"{action}:{value}" for action, value in SCRIPT],
    }
    with tempfile.TemporaryDirectory(prefix="bench-webhook-") as tmp:
        work = Path(tmp)
        figures["echo"] = await run_server(
            "echo", sqlite_url(work, "echo.db"), work, args.updates, args.concurrency, 1_000_000
        )
        figures["sqlite"] = await run_server(
            "bot", sqlite_url(work), work, args.updates, args.concurrency, 2_000_000
        )
        async with postgres_database(postgres_server(args)) as url:
            if url is not None:
                figures["postgres"] = await run_server(
                    "bot", url, work, args.updates, args.concurrency, 3_000_000
                )
    echo = figures["echo"]
    figures["ratios"] = {
        f"{db}_vs_echo": {
            "throughput": round(figures[db]["updates_per_s"] / echo["updates_per_s"], 3),
            "p50": round(figures[db]["p50_ms"] / echo["p50_ms"], 2),
            "p99": round(figures[db]["p99_ms"] / echo["p99_ms"], 2),
            "server_cpu_per_update": round(
                figures[db]["server_cpu_ms_per_update"] / echo["server_cpu_ms_per_update"], 2
            ),
        }
        for db in ("sqlite", "postgres")
        if db in figures
    }
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--pg", help="PostgreSQL server URL (postgresql+asyncpg://...)")
    parser.add_argument("--no-pg", action="store_true", help="SQLite and the baseline only")
    parser.add_argument("--serve", choices=["bot", "echo"], help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve:
        serve(arguments.serve)
    else:
        print(json.dumps(asyncio.run(main(arguments))))
