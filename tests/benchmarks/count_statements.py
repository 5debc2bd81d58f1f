"""Count the SQL statements (and connection checkouts) each measured update costs; prints JSON.

Run: .venv/bin/python tests/benchmarks/count_statements.py [--show]
Drives the real Application in process (the conversation tests' fake Bot API) on a fresh
SQLite file through the paths bench_updates.py measures: the tap on "Check a draft", a draft
the coach asks to revise, "/journal <words>", and the four updates of a mood check-in. An
SQLAlchemy `before_cursor_execute` hook counts statements per update; `--show` prints them.
Not a timing: the counts say how many statements (each a pass through SQLAlchemy) an update
costs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT)]

from sqlalchemy import event  # noqa: E402

from bot.app import build_application, load_locales  # noqa: E402
from bot.fakeapi.core import FakeTelegram  # noqa: E402
from bot.fakeapi.driver import ChatDriver, running_app  # noqa: E402
from bot.fakeapi.request import InProcessRequest  # noqa: E402
from bot.ops.config import Settings  # noqa: E402

TOKEN = "123456:TEST-TOKEN"
DRAFT = "You never listen to me"
NOTE = "/journal Today was long, and I noticed I wanted to be heard more than fixed."


async def main(show: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="count-sql-") as tmp:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            telegram_bot_token=TOKEN,
            database_url=f"sqlite+aiosqlite:///{tmp}/bot.db",
            dispatch_interval_seconds=3600,
        )
        fake = FakeTelegram(token=TOKEN)
        app = build_application(
            settings,
            request=InProcessRequest(fake),
            get_updates_request=InProcessRequest(fake),
            locales=load_locales(settings),
            rng=random.Random(7),
            rate_limit=False,
        )
        statements: list[str] = []
        engine = app.bot_data["services"].db.engine.sync_engine
        event.listen(
            engine,
            "before_cursor_execute",
            lambda _c, _cur, sql, *_a: statements.append(" ".join(sql.split())[:110]),
        )
        counts: dict[str, list[int]] = {}
        shown: dict[str, list[list[str]]] = {}
        async with running_app(app):
            chat = ChatDriver(app, fake, user_id=1001, first_name="Ann")

            async def step(name: str, act: Any) -> None:
                statements.clear()
                await act
                counts.setdefault(name, []).append(len(statements))
                shown.setdefault(name, []).append(list(statements))

            await chat.say("/start")
            await chat.tap("Yes, let's begin")
            await chat.say("/practice")
            await step("button", chat.tap("Check a draft"))
            await step("draft", chat.say(DRAFT))
            await step("draft", chat.say(DRAFT))
            await step("note", chat.say(NOTE))
            await step("mood", chat.say("/mood"))
            await step("mood", chat.tap("3 · okay"))
            await step("mood", chat.tap("calm"))
            await step("mood", chat.tap("No, that's all"))
    result: dict[str, Any] = {"statements_per_update": counts}
    if show:
        result["statements"] = shown
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show", action="store_true")
    print(json.dumps(asyncio.run(main(parser.parse_args().show)), indent=1))
