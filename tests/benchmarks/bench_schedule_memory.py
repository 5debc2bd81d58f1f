"""Benchmark memory and start-up with 100,000 scheduled users; prints one JSON object.

Run: .venv/bin/python tests/benchmarks/bench_schedule_memory.py [--pg URL] [--no-pg] [--users N]
Two ways to schedule a daily prompt per user, side by side in one run:
- `ours`: the users live in the database (next_prompt_at) and the app runs ONE repeating
  dispatcher job. Measured: the app's start-up path (`build_application` + entering
  `running(app)`: migrations check, crash recovery, the one job, the command menu) and the
  memory it leaves behind, with N users in the database and with none (it must not grow with
  users), on SQLite and on PostgreSQL;
- `per_user_jobs`: the common alternative, PTB `JobQueue.run_daily` once per user at start-up
  (N jobs from the same rows, each at the user's local time in their own ZoneInfo, on their
  weekdays), registered the way a post_init hook would, before the scheduler starts.
Each variant runs in a fresh interpreter, plain (times and RSS; ours best of three cold
starts) and under tracemalloc (memory held by Python objects once started, and the peak on
the way), so nothing one variant allocates shows in another. RSS figures are growth over the
same interpreter right after its imports. tracemalloc slows job registration about fivefold,
so for the alternative it runs on a 10,000-user sample and is scaled up (marked by
`traced_sample_users`); its RSS and times are for all N. The users are due tomorrow, so the
dispatcher finds nothing to send while measured.
"""

from __future__ import annotations

import asyncio
import gc
import json
import random
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _seed import TOKEN, arguments, database_url, pg_server, rss_kib, seed_users, settings_for
from sqlalchemy import select

from bot.app import build_application, running
from bot.db.engine import Database
from bot.db.models import User
from bot.edge.context import SERVICES_KEY, BotContext, Services
from bot.fakeapi import FakeTelegram, InProcessRequest
from bot.scheduling import zone_of

STARTS = 3
# tracemalloc slows job registration about fivefold: it runs on this many users and the
# figures are scaled up (per-job memory is the same for every job).
TRACED_SAMPLE = 10_000


def due_tomorrow() -> datetime:
    """The instant every seeded user is next due: this minute tomorrow."""
    return datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=1)


async def prepare(url: str, users: int) -> None:
    """Migrate a database and seed it (in the parent, so children start from a ready DB)."""
    db = Database(url)
    try:
        await db.upgrade()
        if users:
            await seed_users(db, users, due=due_tomorrow())
    finally:
        await db.dispose()


async def remind(context: BotContext) -> None:
    """Stand in for a per-user prompt job (never runs during the measurement)."""


def ptb_days(mask: int) -> tuple[int, ...]:
    """Convert our weekday bitmask (bit 0 = Monday) to PTB's day numbers (0 = Sunday)."""
    return tuple((day + 1) % 7 for day in range(7) if mask >> day & 1)


async def start_up(variant: str, url: str, traced: bool, limit: int | None) -> dict[str, Any]:
    """Start the app the way the variant does, measure, and shut it down again."""
    fake = FakeTelegram(token=TOKEN)
    gc.collect()
    rss_before = rss_kib()
    if traced:
        tracemalloc.start()
    began = time.perf_counter()
    app = build_application(
        settings_for(url),
        request=InProcessRequest(fake),
        get_updates_request=InProcessRequest(fake),
        rng=random.Random(1),
        rate_limit=False,
    )
    built = time.perf_counter() - began
    figures: dict[str, Any] = {}
    if variant == "ours":
        async with running(app):
            startup = time.perf_counter() - began
            figures["jobs"] = len(app.job_queue.jobs()) if app.job_queue else 0
            figures |= _memory(rss_before, traced)
    else:
        # What a per-user scheduler does at start-up: the usual start, plus one job per user
        # registered before the scheduler runs (as a post_init hook would).
        await app.initialize()
        assert app.post_init is not None and app.job_queue is not None
        await app.post_init(app)
        if traced:
            figures["tracemalloc_before_jobs_mib"] = tracemalloc.get_traced_memory()[0] / 2**20
        registering = time.perf_counter()
        services: Services = app.bot_data[SERVICES_KEY]
        async with services.db.session() as session:
            rows = (
                await session.execute(
                    select(User.id, User.timezone, User.prompt_time, User.prompt_days)
                    .where(User.prompts_enabled, User.active)
                    .order_by(User.id)
                    .limit(limit)
                )
            ).all()
        for user_id, zone, at, days in rows:
            local = wall_time.fromisoformat(at).replace(tzinfo=zone_of(zone))
            app.job_queue.run_daily(
                remind,
                local,
                days=ptb_days(days),
                chat_id=user_id,
                user_id=user_id,
                name=f"prompt:{user_id}",
            )
        del rows
        await app.start()
        startup = time.perf_counter() - began
        if not traced:
            figures["register_s"] = round(time.perf_counter() - registering, 2)
        figures["jobs"] = len(app.job_queue.jobs())
        figures |= _memory(rss_before, traced)
        await app.stop()
        await app.shutdown()
        await app.post_shutdown(app)  # type: ignore[misc]
    if not traced:
        figures["startup_s"] = round(startup, 3)
        figures["build_s"] = round(built, 3)
    return figures


def _memory(rss_before: int, traced: bool) -> dict[str, Any]:
    gc.collect()
    if traced:
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {
            "tracemalloc_held_mib": round(current / 2**20, 2),
            "tracemalloc_peak_mib": round(peak / 2**20, 2),
        }
    return {"rss_growth_mib": round((rss_kib() - rss_before) / 1024, 1)}


def child(variant: str, url: str, traced: bool, limit: int | None = None) -> dict[str, Any]:
    """Run one variant in a fresh interpreter and return its figures."""
    command = [sys.executable, __file__, "--child", variant, url, str(limit or 0)]
    if traced:
        command.append("traced")
    print(f"bench_schedule_memory: {variant} {url.split(':', 1)[0]}", file=sys.stderr)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{variant} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def ours(url: str) -> dict[str, Any]:
    """Measure our start-up: best of three cold starts (it is about a second, and noisy)."""
    runs = [child("ours", url, traced=False) for _ in range(STARTS)]
    best = min(runs, key=lambda r: r["startup_s"])
    best["rss_growth_mib"] = sorted(r["rss_growth_mib"] for r in runs)[STARTS // 2]
    return best | child("ours", url, traced=True)


def per_user_jobs(url: str, users: int) -> dict[str, Any]:
    """Measure the per-user-job alternative; tracemalloc on a sample, scaled to all users."""
    figures = child("per_user_jobs", url, traced=False)
    sample = min(users, TRACED_SAMPLE)
    traced = child("per_user_jobs", url, traced=True, limit=sample)
    scale = users / sample
    base = traced["tracemalloc_before_jobs_mib"]
    figures["traced_sample_users"] = sample
    for key in ("tracemalloc_held_mib", "tracemalloc_peak_mib"):
        # The app's own share is the same for any number of jobs; only the jobs scale.
        figures[key] = round(base + (traced[key] - base) * scale, 1)
    return figures


async def run(users: int, server: str | None) -> dict[str, Any]:
    figures: dict[str, Any] = {"users": users}
    for kind in ["sqlite"] + (["postgresql"] if server else []):
        async with database_url(kind, server) as empty, database_url(kind, server) as full:
            await prepare(empty, 0)
            await prepare(full, users)
            ours_empty = ours(empty)
            ours_full = ours(full)
            result: dict[str, Any] = {
                "ours_0_users": ours_empty,
                "ours_n_users": ours_full,
                "ours_rss_ratio_n_to_0": _ratio(ours_full, ours_empty, "rss_growth_mib"),
                "ours_tracemalloc_ratio_n_to_0": _ratio(
                    ours_full, ours_empty, "tracemalloc_held_mib"
                ),
                "ours_startup_ratio_n_to_0": _ratio(ours_full, ours_empty, "startup_s"),
            }
            if kind == "sqlite":
                alternative = per_user_jobs(full, users)
                result["per_user_jobs"] = alternative
                # The app itself is the same in both; what the jobs add, per user.
                result["per_user_job_kib"] = round(
                    (alternative["rss_growth_mib"] - ours_full["rss_growth_mib"]) * 1024 / users,
                    2,
                )
                for key in ("rss_growth_mib", "tracemalloc_held_mib", "startup_s"):
                    result[f"ratio_per_user_jobs_to_ours_{key}"] = _ratio(
                        alternative, ours_full, key
                    )
            figures[kind] = result
    figures["python"] = sys.version.split()[0]
    return figures


def _ratio(numerator: dict[str, Any], denominator: dict[str, Any], key: str) -> float:
    return round(numerator[key] / denominator[key], 2) if denominator[key] else float("inf")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        variant, url, limit = sys.argv[2], sys.argv[3], int(sys.argv[4]) or None
        traced = "traced" in sys.argv[5:]
        print(json.dumps(asyncio.run(start_up(variant, url, traced, limit))))
        return
    args = arguments((__doc__ or "").splitlines()[0])
    print(json.dumps(asyncio.run(run(args.users, pg_server(args.pg, args.no_pg)))))


if __name__ == "__main__":
    main()
