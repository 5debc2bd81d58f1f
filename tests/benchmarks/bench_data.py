"""Benchmark /insights and /export for a user with three years of daily use; prints one JSON object.

Run: .venv/bin/python tests/benchmarks/bench_data.py [--years 3]
The user has, per day, a daily-question answer (a journal entry and its delivery), a mood
check-in (a mood row and its finished flow run) and a practice draft, plus a grounding session
every third day; everything on SQLite, once without and once with ENCRYPTION_KEYS.

Figures (seconds are the best of several warm runs; the first, cold run is reported apart):
- weekly_picture: the whole /insights work (query + compute + render_png); render_png alone
  is its baseline, so `render_share` says how much of it is drawing.
- export: the whole /export work (user_rows query + to_json + to_markdown); the same query on
  the unencrypted database is its baseline, so `encrypted_over_plain` is the Fernet cost.
- bytes of the PNG, the JSON and the Markdown; peak traced memory (tracemalloc, own run);
  the longest the event loop stalls during each call (best of three), which every other
  user of the bot would wait on top of their own update.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402

from bot.app import build_application, load_catalog  # noqa: E402
from bot.db.crypto import Vault, install_vault  # noqa: E402
from bot.db.models import (  # noqa: E402
    Delivery,
    FlowRun,
    GroundingSession,
    JournalEntry,
    MoodEntry,
    PracticeAttempt,
    User,
)
from bot.db.repo import data as data_repo  # noqa: E402
from bot.db.repo import insights as insights_repo  # noqa: E402
from bot.domain.catalog import Catalog  # noqa: E402
from bot.domain.charts import render_png  # noqa: E402
from bot.domain.export import to_json, to_markdown  # noqa: E402
from bot.domain.insights import WEEKS, compute  # noqa: E402
from bot.edge.context import Services  # noqa: E402
from bot.ops.config import Settings  # noqa: E402
from bot.services.weekly import weekly_picture  # noqa: E402

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
USER = 1001
RUNS = 7
R = TypeVar("R")

ANSWER = (
    "Tonight I noticed I went quiet when he changed the subject. I wanted to push, and I "
    "didn't. I told him I'd like ten minutes after dinner to talk about the weekend, and he "
    "said yes. I felt lighter afterwards, and a little proud of how calmly I asked. "
)
DRAFT = "I feel lonely when our plans change at the last minute. Could we talk tonight?"


def day_rows(day: int, when: datetime) -> list[Any]:
    """One day of use: an answer and its delivery, a mood check-in and its run, a draft."""
    rows: list[Any] = [
        Delivery(user_id=USER, slot="prompt", local_date=when.date(), due_at=when,
                 claimed_at=when, status="sent", prompt_id=f"p{day % 90}"),
        JournalEntry(user_id=USER, kind="prompt", ref=f"p{day % 90}",
                     text=f"Day {day}. {ANSWER}", created_at=when + timedelta(minutes=20)),
        MoodEntry(user_id=USER, rating=1 + day % 5, feelings="calm",
                  note="A slow evening." if day % 2 else None,
                  created_at=when + timedelta(hours=9)),
        FlowRun(user_id=USER, flow_id="mood_checkin", step_id="done", status="done",
                state=json.dumps({"vars": {"rating": str(1 + day % 5), "feeling": "calm"}}),
                started_at=when + timedelta(hours=9), updated_at=when + timedelta(hours=9)),
        PracticeAttempt(user_id=USER, exercise="practice_check", text=DRAFT,
                        verdict="ready" if day % 3 else "try_again", codes="",
                        created_at=when + timedelta(hours=10)),
    ]  # fmt: skip
    if day % 3 == 0:
        rows.append(
            GroundingSession(user_id=USER, exercise="box_breathing", before=7, after=4,
                             status="done", created_at=when + timedelta(hours=11))
        )  # fmt: skip
    return rows


async def fill(services: Services, days: int) -> int:
    """Store `days` days of use, oldest first; return the number of rows."""
    start = NOW - timedelta(days=days)
    count = 0
    async with services.db.session() as session:
        session.add(User(id=USER, consented_at=start, timezone="Europe/Berlin",
                         prompt_time="08:00"))  # fmt: skip
        for day in range(days):
            rows = day_rows(day, start + timedelta(days=day))
            session.add_all(rows)
            count += len(rows)
    return count + 1


class Subject:
    """One filled database and the calls measured against it."""

    def __init__(self, services: Services, rows: int, fill_seconds: float) -> None:
        """Wrap a filled database."""
        self.services = services
        self.rows = rows
        self.fill_seconds = fill_seconds

    async def picture(self) -> bytes:
        """The whole /insights work: query, compute, render."""
        result = await weekly_picture(self.services, USER)
        assert result.png is not None
        return result.png

    async def export(self) -> tuple[bytes, bytes]:
        """The whole /export work: every row, then the JSON and the Markdown file."""
        async with self.services.db.session() as session:
            found = await data_repo.user_rows(session, user_id=USER)
        texts = self.services.catalog.texts

        def files() -> tuple[bytes, bytes]:
            return to_json(found, exported_at=NOW), to_markdown(found, texts, exported_at=NOW)

        # As cmd_export does: the files are built in a worker thread.
        return await asyncio.to_thread(files)

    async def export_query(self) -> int:
        """Only the /export query (rows read and decrypted)."""
        async with self.services.db.session() as session:
            found = await data_repo.user_rows(session, user_id=USER)
        return sum(len(v) for v in found.values())

    async def insights_query(self) -> int:
        """Only the /insights query (the last four weeks)."""
        async with self.services.db.session() as session:
            window = await insights_repo.window(
                session, user_id=USER, since=NOW - timedelta(weeks=WEEKS, days=1)
            )
        return sum(len(part) for part in window)


async def subject(catalog: Catalog, folder: Path, days: int, key: str | None) -> Subject:
    """Build an app on a fresh SQLite file and fill it (sealed when a key is given)."""
    settings = Settings(
        _env_file=None,
        telegram_bot_token="1:bench",
        database_url=f"sqlite+aiosqlite:///{folder / ('sealed.db' if key else 'plain.db')}",
        encryption_keys=key or "",
    )
    app = build_application(settings, catalog=catalog, clock=lambda: NOW, rate_limit=False)
    services: Services = app.bot_data["services"]
    install_vault(Vault(settings.key_list))  # process-wide: the one this fill must use
    await services.db.upgrade()
    began = time.perf_counter()
    rows = await fill(services, days)
    return Subject(services, rows, time.perf_counter() - began)


async def peak_mib(func: Callable[[], Awaitable[object]]) -> float:
    """Peak memory traced while one call runs, in MiB."""
    tracemalloc.start()
    try:
        await func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return round(peak / 2**20, 2)


async def longest_stall(func: Callable[[], Awaitable[object]]) -> float:
    """The longest time the event loop could not run anything else during one call: what
    every other user of the bot waits on top of their own update."""
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    await func()
    done.set()
    await task
    return max(gaps, default=0.0)


async def clocked(func: Callable[[], Awaitable[R]]) -> tuple[float, R]:
    """Seconds one call took, and its result."""
    began = time.perf_counter()
    result = await func()
    return time.perf_counter() - began, result


def render_baseline(catalog: Catalog) -> Callable[[], Awaitable[bytes]]:
    """render_png alone on a full four weeks (the drawing part of /insights)."""
    insights = compute(
        today=NOW.date(),
        local_dates_of=lambda when: when.date(),
        moods=[(NOW - timedelta(days=d), 1 + d % 5) for d in range(28)],
        entries=[NOW - timedelta(days=d) for d in range(28)],
        grounding=[(7, 4)] * 9,
        attempts=[(NOW - timedelta(days=d), "ready" if d % 3 else "x") for d in range(28)],
    )

    async def render() -> bytes:
        return render_png(insights, catalog.texts)

    return render


async def main(years: int) -> dict[str, Any]:
    """Fill both databases, then time every call on both, interleaved, and report."""
    catalog = load_catalog(Settings(_env_file=None))
    days = 365 * years
    key = Fernet.generate_key().decode()
    with tempfile.TemporaryDirectory() as folder:
        plain = await subject(catalog, Path(folder), days, None)
        sealed = await subject(catalog, Path(folder), days, key)
        # A vault with the key reads the plain file too (unsealed text passes through), so
        # both can be measured side by side, in turns, under the same machine load.
        install_vault(Vault([key]))
        calls: dict[str, Callable[[], Awaitable[Any]]] = {"render_png": render_baseline(catalog)}
        for name, item in (("plain", plain), ("sealed", sealed)):
            calls[f"{name}.weekly_picture"] = item.picture
            calls[f"{name}.insights_query"] = item.insights_query
            calls[f"{name}.export"] = item.export
            calls[f"{name}.export_query"] = item.export_query
        cold: dict[str, float] = {}
        results: dict[str, Any] = {}
        for name, call in calls.items():
            cold[name], results[name] = await clocked(call)
        best = dict.fromkeys(calls, float("inf"))
        for _ in range(RUNS):
            for name, call in calls.items():
                best[name] = min(best[name], (await clocked(call))[0])
        stalls = {
            name: min([await longest_stall(calls[name]) for _ in range(3)])
            for name in ("sealed.weekly_picture", "sealed.export")
        }
        peaks = {
            name: await peak_mib(calls[name])
            for name in ("sealed.weekly_picture", "sealed.export")
        }
        for item in (plain, sealed):
            await item.services.db.dispose()
    install_vault(Vault([]))

    def side(name: str, item: Subject) -> dict[str, Any]:
        png = results[f"{name}.weekly_picture"]
        json_bytes, md_bytes = results[f"{name}.export"]
        return {
            "rows_stored": item.rows,
            "fill_seconds": round(item.fill_seconds, 3),
            "weekly_picture_seconds": round(best[f"{name}.weekly_picture"], 4),
            "weekly_picture_cold_seconds": round(cold[f"{name}.weekly_picture"], 4),
            "insights_query_seconds": round(best[f"{name}.insights_query"], 4),
            "insights_query_rows": results[f"{name}.insights_query"],
            "export_seconds": round(best[f"{name}.export"], 4),
            "export_cold_seconds": round(cold[f"{name}.export"], 4),
            "export_query_seconds": round(best[f"{name}.export_query"], 4),
            "export_rows": results[f"{name}.export_query"],
            "png_bytes": len(png),
            "json_bytes": len(json_bytes),
            "markdown_bytes": len(md_bytes),
        }

    return {
        "days": days,
        "runs": RUNS,
        "plain": side("plain", plain),
        "encrypted": side("sealed", sealed),
        "weekly_picture_peak_mib": peaks["sealed.weekly_picture"],
        "export_peak_mib": peaks["sealed.export"],
        "weekly_picture_longest_loop_stall_seconds": round(stalls["sealed.weekly_picture"], 4),
        "export_longest_loop_stall_seconds": round(stalls["sealed.export"], 4),
        "render_png_seconds": round(best["render_png"], 4),
        "render_share_of_weekly_picture": round(
            best["render_png"] / best["sealed.weekly_picture"], 3
        ),
        "export_encrypted_over_plain": round(best["sealed.export"] / best["plain.export"], 2),
        "export_query_encrypted_over_plain": round(
            best["sealed.export_query"] / best["plain.export_query"], 2
        ),
        "weekly_picture_encrypted_over_plain": round(
            best["sealed.weekly_picture"] / best["plain.weekly_picture"], 2
        ),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=3)
    arguments = parser.parse_args()
    print(json.dumps(asyncio.run(main(arguments.years)), indent=2))
