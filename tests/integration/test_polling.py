"""`python -m bot run` for real: a subprocess long-polls the loopback fake Bot API over HTTP.

One user onboards end to end through real HTTP; every request the bot makes passes the Bot
API spec check; SIGTERM ends the process cleanly; the token never reaches its output, even at
DEBUG; and a broken flow in the content keeps the bot from starting at all.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from loopback_bot import TOKEN, RemoteUser, bot_process, child_env, sqlite_url

from bot.domain.catalog import Catalog
from bot.fakeapi.core import FakeTelegram
from bot.fakeapi.http import serve_fake_api
from bot.fakeapi.spec import SpecValidator
from bot.ops.config import REPO_ROOT

DANGLING_FLOW = REPO_ROOT / "tests" / "data" / "flows_bad" / "dangling.yml"


async def test_polling_bot_onboards_a_user_and_stops_cleanly_on_sigterm(
    tmp_path: Path, spec_validator: SpecValidator | None, catalog: Catalog
) -> None:
    fake = FakeTelegram(token=TOKEN, validator=spec_validator)
    async with serve_fake_api(fake) as base_url:
        env = child_env(
            telegram_bot_token=TOKEN,
            telegram_api_base_url=base_url,
            database_url=sqlite_url(tmp_path),
            log_level="DEBUG",
        )
        async with bot_process(["run"], env, tmp_path) as bot:
            # No need to wait for the bot: the update waits in the fake until it polls.
            ann = RemoteUser(fake, 4242, "Ann", processes=[bot], timeout=30)

            welcome = await ann.say("/start", expect="not a therapist")
            assert welcome[-1].labels == ["Yes, let's begin", "Not now"]
            asked = await ann.tap("Yes, let's begin", expect="where are you in the world?")
            assert any("Let's set a few things up" in m.plain_text for m in asked), ann.text()
            confirm = await ann.say("Berlin", expect="Is that right?")
            assert "Europe/Berlin" in confirm[-1].plain_text
            times = await ann.tap("Yes, that's right", expect="What time of day")
            assert "09:00" in times[-1].labels
            await ann.tap("09:00", expect="which country do you live in?")
            done = await ann.tap("Skip this", expect="All set")
            assert "09:00" in done[-1].plain_text, ann.text()

            assert [c["command"] for c in fake.commands()] == [e.command for e in catalog.commands]
            assert fake.unanswered_callback_queries == []
            assert fake.spec_violations == []
            # Every request was a success except long polls cut short by a newer one.
            failed = [c for c in fake.calls if not c.ok and c.method != "getUpdates"]
            assert failed == [], failed

            assert await bot.terminate(within=10) == 0, bot.output()
        output = bot.output()
        assert TOKEN not in output
        assert TOKEN.split(":", 1)[1] not in output
        # DEBUG really was on, so the check above looked at a chatty log.
        assert "DEBUG" in output and "getUpdates" in output, output[-2000:]


async def test_the_bot_refuses_to_start_on_a_dangling_flow_step(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(REPO_ROOT / "content", content)
    shutil.copy(DANGLING_FLOW, content / "locales" / "en" / "flows" / "dangling.yml")
    env = child_env(
        telegram_bot_token=TOKEN,
        # Nothing listens here: the bot must stop before it makes any request.
        telegram_api_base_url="http://127.0.0.1:9/bot",
        database_url=sqlite_url(tmp_path),
        content_dir=content,
    )
    async with bot_process(["run"], env, tmp_path) as bot:
        assert await bot.wait(within=30) == 1, bot.output()
    stderr = bot.stderr()
    assert "refusing to start" in stderr
    assert "dangling.yml" in stderr and "ask_nmae" in stderr, stderr
    assert not (tmp_path / "bot.db").exists()
