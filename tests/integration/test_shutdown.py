"""A planned restart loses nothing: SIGTERM while updates are still being handled.

Polling: updates the bot has fetched (and so confirmed to Telegram, which will not send them
again) are all answered before the process exits. Webhook: every update the server accepted
with 200 is answered before the process exits. The fake answers each request a little late,
so the bot is still working through its queue when the signal arrives.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from loopback_bot import (
    TOKEN,
    WEBHOOK_SECRET,
    BotProcess,
    bot_process,
    child_env,
    eventually,
    free_port,
    http_ready,
    post_update,
    sends_to,
    sqlite_url,
)

from bot.fakeapi.core import JSON, FakeTelegram
from bot.fakeapi.http import serve_fake_api

USERS = range(501, 521)
# Each Bot API answer waits this long: 20 replies take at least 20 x this to send.
API_DELAY = 0.05


def help_from_everyone(fake: FakeTelegram) -> list[JSON]:
    """Each user sends /help; return the updates."""
    return [fake.send_text(user_id, "/help") for user_id in USERS]


def answered(fake: FakeTelegram) -> int:
    """How many of the users have their answer."""
    return sum(1 for user_id in USERS if sends_to(fake, user_id) >= 1)


async def first_answer(fake: FakeTelegram, bot: BotProcess) -> None:
    """Wait until user 1 has an answer, so the bot is fully started."""
    await eventually(lambda: sends_to(fake, 1) >= 1, "the first answer", processes=[bot])


async def test_polling_finishes_every_fetched_update_after_sigterm(tmp_path: Path) -> None:
    fake = FakeTelegram(token=TOKEN)
    async with serve_fake_api(fake) as base_url:
        env = child_env(
            telegram_bot_token=TOKEN,
            telegram_api_base_url=base_url,
            database_url=sqlite_url(tmp_path),
        )
        async with bot_process(["run"], env, tmp_path) as bot:
            fake.send_text(1, "/help")
            await first_answer(fake, bot)
            fake.delay(API_DELAY)
            ids = [update["update_id"] for update in help_from_everyone(fake)]
            # Once they are no longer pending, Telegram considers them delivered: the bot has
            # them in its queue and will never be offered them again.
            await eventually(
                lambda: not set(ids) & {u["update_id"] for u in fake.pending_updates},
                "the bot to fetch and confirm the updates",
                processes=[bot],
            )
            before = answered(fake)
            assert await bot.terminate(within=20) == 0, bot.output()
        assert before < len(USERS), "the signal came too late to test anything"
        missing = [u for u in USERS if sends_to(fake, u) != 1]
        assert missing == [], bot.output()


async def test_webhook_finishes_every_accepted_update_after_sigterm(tmp_path: Path) -> None:
    fake = FakeTelegram(token=TOKEN)
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    async with serve_fake_api(fake) as base_url:
        env = child_env(
            telegram_bot_token=TOKEN,
            telegram_api_base_url=base_url,
            database_url=sqlite_url(tmp_path),
            webhook_url=url,
            webhook_secret=WEBHOOK_SECRET,
            webhook_port=port,
        )
        async with bot_process(["webhook"], env, tmp_path) as bot, httpx.AsyncClient() as client:
            await http_ready(f"http://127.0.0.1:{port}/healthz", processes=[bot])
            fake.send_text(1, "/help")
            await fake.deliver_webhooks(client=client)
            await first_answer(fake, bot)
            fake.delay(API_DELAY)
            updates = help_from_everyone(fake)
            for update in updates:
                fake.mark_delivered(update)
            responses = await asyncio.gather(*(post_update(client, url, u) for u in updates))
            assert [r.status_code for r in responses] == [200] * len(USERS)
            before = answered(fake)
            assert await bot.terminate(within=20) == 0, bot.output()
        assert before < len(USERS), "the signal came too late to test anything"
        missing = [u for u in USERS if sends_to(fake, u) != 1]
        assert missing == [], bot.output()
