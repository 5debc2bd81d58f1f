"""Benchmark start-up and memory of `python -m bot run`; prints one JSON object.

Run: .venv/bin/python tests/benchmarks/bench_startup.py [--runs 5] [--users 10 100000]
Each run starts a fresh subprocess against the loopback fake Bot API (in this process) and
records, from the moment before the spawn: when its first getUpdates request arrives at the
fake (`first_poll_s`) and when it answers a /start that was already waiting (`first_reply_s`).
After a few more updates (consent, a time zone) it reads the child's peak resident memory
(VmHWM from /proc/<pid>/status), then stops it with SIGTERM. The baseline is a bare PTB echo
bot (one Application, a message and a button handler, run_polling) started the same way; runs
alternate between the two so machine noise hits both alike. Figures are medians. The import
breakdown (`python -X importtime -c "import bot.app"`, one run, self times summed by top-level
package) and the time to load and check content/ (one run) say where start-up goes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "integration")]

from loopback_bot import (  # noqa: E402
    TOKEN,
    RemoteUser,
    bot_process,
    child_env,
    eventually,
    sqlite_url,
)

from bot.db.engine import Database  # noqa: E402
from bot.fakeapi.core import JSON, FakeTelegram  # noqa: E402
from bot.fakeapi.http import serve_fake_api  # noqa: E402

ECHO_BOT = '''\
"""A bare python-telegram-bot echo bot: the baseline for start-up and memory."""
import os

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters


async def echo(update, context):
    await update.effective_message.reply_text(update.effective_message.text or "?")


async def tapped(update, context):
    await update.callback_query.answer()
    await context.bot.send_message(update.effective_chat.id, update.callback_query.data)


def main():
    application = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .build()
    )
    application.add_handler(MessageHandler(filters.ALL, echo))
    application.add_handler(CallbackQueryHandler(tapped))
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
'''
IMPORTS_SHOWN = 8
# Not among the seeded users (ids 1..n), so /start greets a newcomer.
NEWCOMER = 999_999_999


class TimedFake(FakeTelegram):
    """The fake Bot API, noting when the first long poll arrives (not when it returns)."""

    first_poll: float | None = None

    async def handle(self, method: str, params: Mapping[str, object]) -> tuple[int, JSON]:
        """Answer a request; remember the arrival of the first getUpdates."""
        if self.first_poll is None and method.lower() == "getupdates":
            self.first_poll = time.time()
        return await super().handle(method, params)


async def seeded_database(workdir: Path, users: int) -> None:
    """A database at the newest migration with `users` scheduled users (due tomorrow)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from _seed import seed_users

    workdir.mkdir(parents=True, exist_ok=True)
    database = Database(sqlite_url(workdir))
    try:
        await database.upgrade()
        await seed_users(database, users, due=datetime.now(UTC) + timedelta(days=1))
    finally:
        await database.dispose()


async def one_run(
    kind: str, workdir: Path, echo_script: Path, users: int | None = None
) -> dict[str, float]:
    """Start one bot, time it to its first poll and first reply, read its peak memory."""
    if users is not None:
        await seeded_database(workdir, users)
    fake = TimedFake(token=TOKEN)
    async with serve_fake_api(fake) as base_url:
        env = child_env(
            telegram_bot_token=TOKEN,
            telegram_api_base_url=base_url,
            database_url=sqlite_url(workdir),
            log_level="WARNING",
        )
        user = RemoteUser(fake, NEWCOMER, "Ann", timeout=60)
        update = fake.send_text(NEWCOMER, "/start")
        script = echo_script if kind == "echo" else None
        args = [] if kind == "echo" else ["run"]
        async with bot_process(args, env, workdir, script=script) as bot:
            await eventually(
                lambda: any(c.method == "sendMessage" for c in fake.calls),
                "the first reply",
                within=60,
                processes=[bot],
            )
            first_reply = next(c.timestamp for c in fake.calls if c.method == "sendMessage")
            assert fake.first_poll is not None and update["update_id"] == 1
            user.processes = [bot]
            if kind == "echo":
                await user.say("hello", expect="hello")
                await user.say("Berlin", expect="Berlin")
            else:
                await user.tap("Yes, let's begin", expect="where are you in the world?")
                await user.say("Berlin", expect="Is that right?")
            peak = bot.peak_memory_kib()
            exit_code = await bot.terminate(within=30)
        if exit_code != 0:
            raise RuntimeError(f"{kind} exited with {exit_code}\n{bot.output()}")
    return {
        "first_poll_s": fake.first_poll - bot.started_at,
        "first_reply_s": first_reply - bot.started_at,
        "peak_rss_mib": peak / 1024,
    }


def import_breakdown() -> dict[str, float]:
    """Seconds spent importing `bot.app`, by top-level package (self times summed), from one
    `-X importtime` run: the heaviest few and the total."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import bot.app"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    by_package: defaultdict[str, float] = defaultdict(float)
    charts = 0.0
    for line in result.stderr.splitlines():
        parts = [p.strip() for p in line.removeprefix("import time:").split("|")]
        if len(parts) == 3 and parts[0].isdigit():
            by_package[parts[2].split(".")[0]] += int(parts[0]) / 1e6
            if parts[2] == "bot.domain.charts":
                # Cumulative: matplotlib and everything it pulls in, for the /insights chart.
                charts = int(parts[1]) / 1e6
    heaviest = sorted(by_package.items(), key=lambda item: -item[1])[:IMPORTS_SHOWN]
    return {
        "total": round(sum(by_package.values()), 3),
        "bot.charts_cumulative": round(charts, 3),
    } | {name: round(seconds, 3) for name, seconds in heaviest}


CONTENT_LOAD = """
import sys, tempfile, time
from bot.app import load_catalog
from bot.ops.config import Settings
with tempfile.TemporaryDirectory() as cache:
    settings = Settings(_env_file=None, content_cache_dir=cache)
    began = time.perf_counter()
    load_catalog(settings, use_cache=sys.argv[1] == "cached")
    print(time.perf_counter() - began)
"""
CONTENT_WARM = CONTENT_LOAD.replace("with tempfile.TemporaryDirectory() as cache:", "if True:")


def content_load_seconds() -> dict[str, float]:
    """Seconds to load and check all of content/ (what the bot does before it connects):
    parsed and checked (`cold`, no cache), and from the content cache (`cached`, in a fresh
    process after another one wrote it)."""

    def one(script: str, mode: str) -> float:
        result = subprocess.run(
            [sys.executable, "-c", script, mode],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        )
        return round(float(result.stdout.strip().splitlines()[-1]), 3)

    with tempfile.TemporaryDirectory(prefix="bench-cache-") as cache:
        warm = CONTENT_WARM.replace("cache)", f"{cache!r})", 1)
        one(warm, "cached")  # writes the cache
        return {"cold": one(CONTENT_LOAD, "fresh"), "cached": one(warm, "cached")}


def median(runs: list[dict[str, float]], key: str) -> float:
    """The median of one figure over the runs."""
    return statistics.median(run[key] for run in runs)


async def main(runs: int, user_counts: list[int]) -> dict[str, Any]:
    """Alternate bot and echo runs; return medians and ratios."""
    variants: dict[str, int | None] = {"bot": None}
    variants |= {f"bot_{count}_users": count for count in user_counts}
    results: dict[str, list[dict[str, float]]] = {name: [] for name in [*variants, "echo"]}
    keys = ("first_poll_s", "first_reply_s", "peak_rss_mib")
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        echo_script = Path(tmp) / "echo_bot.py"
        echo_script.write_text(ECHO_BOT)
        for index in range(runs):
            for name in results:
                workdir = Path(tmp) / f"{name}{index}"
                kind = "echo" if name == "echo" else "bot"
                seed = variants.get(name)
                results[name].append(await one_run(kind, workdir, echo_script, seed))
    figures: dict[str, Any] = {"runs": runs}
    for name, measured in results.items():
        figures[name] = {key: round(median(measured, key), 3) for key in keys}
    echo = figures["echo"]
    figures["ratios"] = {
        name: {key: round(figures[name][key] / echo[key], 2) for key in keys} for name in variants
    }
    figures["import_s"] = import_breakdown()
    figures["content_load_s"] = content_load_seconds()
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--users", type=int, nargs="*", default=[10, 100_000])
    options = parser.parse_args()
    print(json.dumps(asyncio.run(main(options.runs, options.users))))
