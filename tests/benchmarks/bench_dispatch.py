"""Benchmark one dispatcher tick: 100,000 users due in the same minute; prints one JSON object.

Run: .venv/bin/python tests/benchmarks/bench_dispatch.py [--pg URL] [--no-pg] [--users N]
For SQLite (a temp file) and PostgreSQL (the server from --pg, TEST_POSTGRES_URL or
/tmp/pgurl), each in fresh subprocesses so memory readings are clean:
- `full`: the real app (`build_application(..., rate_limit=False)` + `make_dispatcher`) sending
  through `send_messages(app.bot, ...)` into the in-process fake Bot API, so claim, rendering,
  PTB serialisation, the fake server and recording the outcome are all counted;
- `bot_only`: the same Dispatcher with a send that only returns a counter, so the figure is the
  bot's own claim + render + record cost (`claim_render_record_cpu_ms_per_prompt`; target 0.2);
- `bot_only` once more under tracemalloc, on 20,000 users (its peak is one batch's worth
  for any number; tracemalloc slows Python threefold, so its timings are not used).
The ratio `full / bot_only` says how much of a tick is Telegram-side work in this process.
Memory: `rss_growth_mib` of the full run is mostly the fake server keeping every message it
received; the bot's own peak is `bot_only.tracemalloc_peak_mib` (bounded by the batch size).
tracemalloc slows the full path about fivefold, so it is measured on the bot-only path only.
Takes about 6 minutes with PostgreSQL (`--no-pg` or `--users 20000` for a quicker look).
`all_delivered_once`: every user has exactly one Delivery row, marked sent, and (full run)
the fake received exactly one sendMessage per user.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import random
import subprocess
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _seed import (
    DUE,
    TOKEN,
    arguments,
    database_url,
    max_rss_kib,
    pg_server,
    rss_kib,
    seed_users,
    settings_for,
)
from sqlalchemy import func, select

from bot.app import build_application, make_dispatcher
from bot.db.models import Delivery
from bot.edge.context import SERVICES_KEY, Services
from bot.edge.outgoing import Outgoing
from bot.fakeapi import FakeTelegram, InProcessRequest
from bot.services.dispatcher import Dispatcher

NOW = DUE + timedelta(seconds=30)
TARGET_MS = 0.2  # bot-side CPU per prompt, from the daily-prompts issue
# The bot's peak is one batch's worth, whatever the number of users, and tracemalloc triples
# the run time: it runs on this many users.
TRACED_USERS = 20_000


async def measure(
    kind: str, mode: str, server: str | None, users: int, traced: bool
) -> dict[str, Any]:
    """Seed a fresh database, run one tick and return its figures."""
    async with database_url(kind, server) as url:
        fake = FakeTelegram(token=TOKEN)
        for user_id in range(1, users + 1 if mode == "full" else 1):
            fake.add_user(user_id)
        app = build_application(
            settings_for(url),
            request=InProcessRequest(fake),
            get_updates_request=InProcessRequest(fake),
            clock=lambda: NOW,
            rng=random.Random(1),
            rate_limit=False,
        )
        services: Services = app.bot_data[SERVICES_KEY]
        await services.db.upgrade()
        began = time.perf_counter()
        await seed_users(services.db, users)
        seed_seconds = time.perf_counter() - began
        await app.initialize()
        try:
            if mode == "full":
                dispatcher = make_dispatcher(app)
            else:
                counter = 0

                async def count(chat_id: int, message: Outgoing) -> int:
                    nonlocal counter
                    counter += 1
                    return counter

                dispatcher = Dispatcher(services, count)
            gc.collect()
            if traced:
                tracemalloc.start()
            rss_before, max_rss_before = rss_kib(), max_rss_kib()
            cpu_began, wall_began = time.process_time(), time.perf_counter()
            report = await dispatcher.tick()
            cpu = time.process_time() - cpu_began
            wall = time.perf_counter() - wall_began
            figures: dict[str, Any]
            if traced:
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                figures = {"tracemalloc_peak_mib": round(peak / 2**20, 2)}
            else:
                figures = {
                    "wall_s": round(wall, 2),
                    "cpu_s": round(cpu, 2),
                    "cpu_ms_per_prompt": round(cpu * 1000 / max(report.sent, 1), 4),
                    "prompts_per_s": round(report.sent / wall),
                    "rss_growth_mib": round((rss_kib() - rss_before) / 1024, 1),
                    "max_rss_growth_mib": round((max_rss_kib() - max_rss_before) / 1024, 1),
                    "batches": report.batches,
                    "seed_s": round(seed_seconds, 1),
                }
            async with services.db.session() as session:
                sent_rows = await session.scalar(
                    select(func.count(func.distinct(Delivery.user_id))).where(
                        Delivery.status == "sent"
                    )
                )
                all_rows = await session.scalar(select(func.count()).select_from(Delivery))
            chats = [c.params["chat_id"] for c in fake.calls if c.method == "sendMessage"]
            expected_chats = users if mode == "full" else 0
            figures["ok"] = (
                report.sent == users
                and sent_rows == users
                and all_rows == users
                and len(chats) == len(set(chats)) == expected_chats
            )
            return figures
        finally:
            await app.shutdown()
            await services.db.dispose()


def child(kind: str, mode: str, server: str | None, users: int, traced: bool) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and return its JSON."""
    command = [sys.executable, __file__, "--child", kind, mode, str(users)]
    if traced:
        command.append("traced")
    if server:
        command += ["--pg", server]
    print(f"bench_dispatch: {kind} {mode}{' traced' if traced else ''}", file=sys.stderr)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{kind}/{mode} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, mode, users = sys.argv[2], sys.argv[3], int(sys.argv[4])
        traced = "traced" in sys.argv[5:]
        server = sys.argv[sys.argv.index("--pg") + 1] if "--pg" in sys.argv else None
        print(json.dumps(asyncio.run(measure(kind, mode, server, users, traced))))
        return
    args = arguments((__doc__ or "").splitlines()[0])
    server = pg_server(args.pg, args.no_pg)
    began = time.perf_counter()
    figures: dict[str, Any] = {
        "users": args.users,
        "batch_size": settings_for("sqlite://").dispatch_batch_size,
        "load_average_at_start": round(os.getloadavg()[0], 2),
    }
    for kind in ["sqlite"] + (["postgresql"] if server else []):
        full = child(kind, "full", server, args.users, traced=False)
        bot = child(kind, "bot_only", server, args.users, traced=False)
        traced = child(kind, "bot_only", server, min(args.users, TRACED_USERS), traced=True)
        bot["tracemalloc_peak_mib"] = traced["tracemalloc_peak_mib"]
        bot["tracemalloc_users"] = min(args.users, TRACED_USERS)
        ok = full.pop("ok") and bot.pop("ok") and traced["ok"]
        figures[kind] = {
            "full": full,
            "bot_only": bot,
            "claim_render_record_cpu_ms_per_prompt": bot["cpu_ms_per_prompt"],
            "telegram_side_cpu_ms_per_prompt": round(
                full["cpu_ms_per_prompt"] - bot["cpu_ms_per_prompt"], 4
            ),
            "ratio_full_to_bot_only_cpu": round(
                full["cpu_ms_per_prompt"] / bot["cpu_ms_per_prompt"], 2
            ),
            "bot_cpu_target_ms": TARGET_MS,
            "bot_cpu_target_met": bot["cpu_ms_per_prompt"] < TARGET_MS,
            "all_delivered_once": ok,
        }
    figures["total_s"] = round(time.perf_counter() - began)
    figures["python"] = sys.version.split()[0]
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
