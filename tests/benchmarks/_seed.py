"""Shared helpers for the scheduling benchmarks: databases, fast seeding, memory readings.

The benchmarks need many scheduled users quickly, so `seed_users` writes them with bulk Core
inserts (no ORM object per user). Every user is due at the same UTC minute `DUE`: their local
prompt time is that minute seen from one of `ZONES`, so the rows look like a real audience
spread over the world. One in ten has been quiet for six days (the re-entry cadence), the rest
answered yesterday. PostgreSQL databases are created on the server given by `--pg`, else
TEST_POSTGRES_URL, else the URL in /tmp/pgurl, and dropped afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import sys
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
# PTB 22 warns when RetryAfter.retry_after is read as a number; opt into timedeltas.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from pgtools import temporary_database  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from bot.db.engine import Database  # noqa: E402
from bot.db.models import User  # noqa: E402
from bot.ops.config import Settings  # noqa: E402
from bot.scheduling import zone_of  # noqa: E402

TOKEN = "123456:BENCH-TOKEN"
DUE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
ZONES = (
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Africa/Nairobi",
    "+05:30",
)
PG_URL_FILE = Path("/tmp/pgurl")
CHUNK = 5000


def arguments(
    description: str, default_users: int = 100_000, *, limit: bool = False
) -> argparse.Namespace:
    """Parse the common command line: --pg URL, --no-pg, --users N (and --limit PER_S)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--pg", default=None, help="PostgreSQL server URL (postgresql+asyncpg)")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--users", type=int, default=default_users)
    if limit:
        parser.add_argument("--limit", type=float, default=30.0, help="the fake's sends/s")
    return parser.parse_args()


def pg_server(explicit: str | None, disabled: bool = False) -> str | None:
    """Return the PostgreSQL server to use, or None when there is none."""
    if disabled:
        return None
    if explicit:
        return explicit
    if os.environ.get("TEST_POSTGRES_URL"):
        return os.environ["TEST_POSTGRES_URL"]
    if PG_URL_FILE.exists():
        return PG_URL_FILE.read_text().strip() or None
    return None


@contextlib.asynccontextmanager
async def database_url(kind: str, server: str | None) -> AsyncIterator[str]:
    """Yield the URL of an empty database (a temp SQLite file or a new PostgreSQL one)."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bench_") as directory:
            yield f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        return
    if server is None:
        raise RuntimeError("no PostgreSQL server: pass --pg URL")
    async with temporary_database(server, prefix="bench") as url:
        yield url


def settings_for(url: str, **overrides: Any) -> Settings:
    """Settings for a benchmark app: the fake's token, this database, a quiet job."""
    values: dict[str, Any] = {
        "telegram_bot_token": TOKEN,
        "database_url": url,
        "dispatch_interval_seconds": 3600,
        "log_level": "WARNING",
    }
    return Settings(_env_file=None, **(values | overrides))  # type: ignore[call-arg]


def user_rows(count: int, *, first_id: int = 1, due: datetime = DUE) -> list[dict[str, Any]]:
    """Build `count` user rows, all due at `due`, local times spread over ZONES."""
    local_times = {zone: due.astimezone(zone_of(zone)).strftime("%H:%M") for zone in ZONES}
    consented = due - timedelta(days=30)
    answered = due - timedelta(days=1)
    quiet = due - timedelta(days=6)
    rows = []
    for user_id in range(first_id, first_id + count):
        zone = ZONES[user_id % len(ZONES)]
        rows.append(
            {
                "id": user_id,
                "consented_at": consented,
                "timezone": zone,
                "prompt_time": local_times[zone],
                "prompt_days": 127,
                "themes": "",
                "prompts_enabled": True,
                "next_prompt_at": due,
                "active": True,
                "skills_paused": False,
                "prompt_cursor": user_id % 7,
                "last_answer_at": quiet if user_id % 10 == 0 else answered,
                "last_seen_at": answered,
            }
        )
    return rows


async def seed_users(db: Database, count: int, *, due: datetime = DUE) -> None:
    """Insert `count` scheduled users in bulk (the schema must exist)."""
    table = User.__table__  # type: ignore[attr-defined]
    for start in range(0, count, CHUNK):
        rows = user_rows(min(CHUNK, count - start), first_id=start + 1, due=due)
        async with db.engine.begin() as conn:
            await conn.execute(insert(table), rows)


def rss_kib() -> int:
    """Return the resident set size of this process now, in KiB."""
    with Path("/proc/self/statm").open() as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def max_rss_kib() -> int:
    """Return the peak resident set size of this process so far, in KiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
