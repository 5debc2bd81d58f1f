"""Two `python -m bot webhook` processes on one PostgreSQL database share the work safely.

Many users are due for their daily prompt, half of them when both start and half once both are
running; each dispatcher ticks every second in small batches, so both reach for the same rows
at the same time. Every user gets exactly one
prompt (FOR UPDATE SKIP LOCKED hands each row to one process, the unique delivery key refuses
a second claim). A webhook load split across both processes gets exactly one answer each.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from pathlib import Path

import httpx
from conftest import fresh_postgres_database
from loopback_bot import (
    TOKEN,
    WEBHOOK_SECRET,
    BotProcess,
    bot_process,
    child_env,
    due_users,
    eventually,
    free_port,
    http_ready,
    metric_value,
    post_update,
    sends_to,
)
from sqlmodel import col, select

from bot.db.engine import Database
from bot.db.models import Delivery
from bot.fakeapi.core import FakeTelegram
from bot.fakeapi.http import serve_fake_api

DUE_USERS = range(10_001, 10_081)
WEBHOOK_USERS = range(20_001, 20_061)
ZONE = "Europe/Berlin"
MESSAGES = 'secure_base_updates_total{kind="message"}'
PROMPTS = "secure_base_prompts_sent_total"


async def seed_due_users(database: Database, users: range) -> None:
    """Users who consented yesterday and whose prompt was due five minutes ago."""
    async with database.session() as session:
        session.add_all(due_users(users, ZONE, due_for=timedelta(minutes=5)))


async def sent_deliveries(database: Database) -> list[Delivery]:
    """Every delivery row that is recorded as sent."""
    async with database.session() as session:
        result = await session.exec(select(Delivery).where(col(Delivery.status) == "sent"))
        return list(result.all())


async def final_metrics(client: httpx.AsyncClient, ports: list[int]) -> list[str]:
    """Both processes' /metrics once every prompt and update is counted (counters move a
    moment after the reply: when the tick or the handler returns), or at a deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while True:
        texts = [(await client.get(f"http://127.0.0.1:{port}/metrics")).text for port in ports]
        prompts = sum(metric_value(text, PROMPTS) for text in texts)
        messages = sum(metric_value(text, MESSAGES) for text in texts)
        done = prompts >= len(DUE_USERS) and messages >= len(WEBHOOK_USERS)
        if done or loop.time() > deadline:
            return texts
        await asyncio.sleep(0.05)


async def test_two_processes_share_prompts_and_updates_exactly_once(tmp_path: Path) -> None:
    async with fresh_postgres_database() as url:
        database = Database(url)
        try:
            await database.upgrade()
            # Half are waiting when the processes start (catch-up after downtime)...
            await seed_due_users(database, DUE_USERS[: len(DUE_USERS) // 2])
            await run_two_processes(tmp_path, database)
            deliveries = await sent_deliveries(database)
            async with database.session() as session:
                all_rows = (await session.exec(select(Delivery))).all()
        finally:
            await database.dispose()
    assert sorted(d.user_id for d in all_rows) == list(DUE_USERS)
    assert sorted(d.user_id for d in deliveries) == list(DUE_USERS)


async def run_two_processes(tmp_path: Path, database: Database) -> None:
    fake = FakeTelegram(token=TOKEN)
    for user_id in (*DUE_USERS, *WEBHOOK_USERS):
        fake.add_user(user_id)
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{port}/hook" for port in ports]
    async with serve_fake_api(fake) as base_url, contextlib.AsyncExitStack() as stack:
        bots: list[BotProcess] = []
        for index, port in enumerate(ports):
            env = child_env(
                telegram_bot_token=TOKEN,
                telegram_api_base_url=base_url,
                database_url=str(database.url.render_as_string(hide_password=False)),
                webhook_url=urls[index],
                webhook_secret=WEBHOOK_SECRET,
                webhook_port=port,
                dispatch_interval_seconds=1,
                # Small batches: the two dispatchers take turns on the same due rows.
                dispatch_batch_size=4,
            )
            process = bot_process(["webhook"], env, tmp_path / f"bot{index}", name="bot")
            bots.append(await stack.enter_async_context(process))
        for port in ports:
            await http_ready(f"http://127.0.0.1:{port}/healthz", processes=bots)
        # ...and half fall due while both dispatchers are running.
        await seed_due_users(database, DUE_USERS[len(DUE_USERS) // 2 :])

        await eventually(
            lambda: all(sends_to(fake, u) >= 1 for u in DUE_USERS),
            "every due user to get a prompt",
            within=30,
            processes=bots,
        )
        deadline = asyncio.get_running_loop().time() + 15
        while len(await sent_deliveries(database)) < len(DUE_USERS):
            assert asyncio.get_running_loop().time() < deadline, "deliveries not recorded"
            await asyncio.sleep(0.05)

        async with httpx.AsyncClient() as client:
            updates = [fake.send_text(user_id, "/help") for user_id in WEBHOOK_USERS]
            for update in updates:
                fake.mark_delivered(update)
            responses = await asyncio.gather(
                *(post_update(client, urls[i % 2], u) for i, u in enumerate(updates))
            )
            assert [r.status_code for r in responses] == [200] * len(updates)
            await eventually(
                lambda: all(sends_to(fake, u) >= 1 for u in WEBHOOK_USERS),
                "an answer for every webhook update",
                within=30,
                processes=bots,
            )
            metrics = await final_metrics(client, ports)
        for bot in bots:
            assert await bot.terminate() == 0, bot.output()

    # Nothing can arrive any more: count what each chat got.
    twice = {u: sends_to(fake, u) for u in (*DUE_USERS, *WEBHOOK_USERS) if sends_to(fake, u) != 1}
    assert twice == {}
    prompts = [metric_value(text, PROMPTS) for text in metrics]
    assert sum(prompts) == len(DUE_USERS)
    # Each process handled exactly the half that was posted to it.
    assert [metric_value(text, MESSAGES) for text in metrics] == [len(WEBHOOK_USERS) / 2] * 2
    print(f"prompts sent per process: {prompts}")
