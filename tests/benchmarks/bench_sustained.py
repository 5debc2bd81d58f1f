"""Benchmark sustained delivery under Telegram's flood limit; prints one JSON object.

Run: .venv/bin/python tests/benchmarks/bench_sustained.py [--pg URL] [--no-pg] [--users N]
     [--limit PER_S]  (the fake's limit; below the bot's pacing it shows how 429s are handled)
2,000 users are due now. The fake Bot API is served over loopback HTTP (`serve_fake_api`) and
refuses more than 30 sends per second with 429 + retry_after (`fake.rate_limit(30)`), opening a
penalty window in which every further request is refused and counted. The bot is the
production configuration: `build_application(settings)` with `rate_limit=True` (the app's
rate limiter, retries on 429), real HTTP through PTB's HTTPXRequest to
`settings.telegram_api_base_url`, started with `running(app)` so its own repeating job runs the
dispatcher. Figures, per database (SQLite, and PostgreSQL when a server is known):
- `achieved_per_s` over the span from the first to the last accepted sendMessage, and its
  `share_of_limit` (target >= 0.95); `wall_s` is start-up to the end of the tick;
- `responses_429` the fake sent, `requests_during_penalty` (target 0) and the RetryAfter
  errors that reached the dispatcher (`dispatcher_retry_after`);
- `delivered_exactly_once`: one Delivery row per user, all `sent`, and exactly one accepted
  sendMessage per chat at the fake.
It takes about 70 s per database by nature (2,000 / 30 per second).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _seed import TOKEN, arguments, database_url, pg_server, seed_users, settings_for
from sqlalchemy import func, select

from bot.app import build_application, running
from bot.db.engine import Database
from bot.db.models import Delivery
from bot.edge.context import SERVICES_KEY, Services
from bot.fakeapi import FakeTelegram
from bot.fakeapi.http import serve_fake_api

TARGET_SHARE = 0.95
TIMEOUT_S = 300.0


async def sustained(kind: str, server: str | None, users: int, limit: float) -> dict[str, Any]:
    """Deliver to `users` due users through the rate-limited loopback API; return figures."""
    async with database_url(kind, server) as url:
        db = Database(url)
        await db.upgrade()
        # Due a few seconds ago (on a whole minute, as prompt times are).
        due = datetime.now(UTC).replace(second=0, microsecond=0)
        await seed_users(db, users, due=due)
        await db.dispose()

        fake = FakeTelegram(token=TOKEN)
        for user_id in range(1, users + 1):
            fake.add_user(user_id)
        fake.rate_limit(limit)
        async with serve_fake_api(fake) as base_url:
            app = build_application(settings_for(url, telegram_api_base_url=base_url))
            services: Services = app.bot_data[SERVICES_KEY]
            began = time.perf_counter()
            async with running(app):
                # The app's own repeating job starts a second after start-up and runs the
                # dispatcher; wait until its tick has finished.
                metrics = services.metrics
                while metrics.prompts_sent + sum(metrics.send_errors.values()) < users:
                    if time.perf_counter() - began > TIMEOUT_S:
                        break
                    await asyncio.sleep(0.2)
                wall = time.perf_counter() - began
                async with services.db.session() as session:
                    total_rows = await session.scalar(select(func.count()).select_from(Delivery))
                    distinct_users = await session.scalar(
                        select(func.count(func.distinct(Delivery.user_id)))
                    )
                    sent_rows = await session.scalar(
                        select(func.count()).where(Delivery.status == "sent")
                    )
    sends = [c for c in fake.calls if c.method == "sendMessage"]
    accepted = [c for c in sends if c.ok]
    refused = [c for c in sends if c.status == 429]
    chats = [c.params["chat_id"] for c in accepted]
    first = min(c.timestamp for c in accepted)
    last = max(c.timestamp for c in accepted)
    span = last - first
    achieved = (len(accepted) - 1) / span if span > 0 else 0.0
    return {
        "users": users,
        "delivered": len(accepted),
        "achieved_per_s": round(achieved, 2),
        "share_of_limit": round(achieved / limit, 3),
        "share_target_met": achieved / limit >= TARGET_SHARE,
        "send_span_s": round(span, 2),
        "wall_s": round(wall, 1),
        "responses_429": len(refused),
        "requests_during_penalty": fake.requests_during_penalty,
        "dispatcher_retry_after": services.metrics.rate_limit_waits,
        "send_errors": dict(services.metrics.send_errors),
        "delivered_exactly_once": (
            total_rows == distinct_users == sent_rows == users
            and len(chats) == len(set(chats)) == users
        ),
    }


async def run(users: int, server: str | None, limit: float) -> dict[str, Any]:
    figures: dict[str, Any] = {"limit_per_s": limit}
    for kind in ["sqlite"] + (["postgresql"] if server else []):
        print(f"bench_sustained: {kind}", file=sys.stderr)
        figures[kind] = await sustained(kind, server, users, limit)
    figures["python"] = sys.version.split()[0]
    return figures


def main() -> None:
    args = arguments((__doc__ or "").splitlines()[0], default_users=2000, limit=True)
    server = pg_server(args.pg, args.no_pg)
    print(json.dumps(asyncio.run(run(args.users, server, args.limit))))


if __name__ == "__main__":
    main()
