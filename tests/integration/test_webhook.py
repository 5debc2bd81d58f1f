"""The webhook server: secret-token check, bad bodies, /healthz, /metrics, and the real
`python -m bot webhook` process registering its webhook and answering a pushed update.

The in-process tests run the real Starlette app (create_asgi_app) on the real Application
through httpx's ASGI transport; the Application sends through the in-process fake Bot API.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from loopback_bot import (
    TOKEN,
    WEBHOOK_SECRET,
    RemoteUser,
    bot_process,
    child_env,
    eventually,
    free_port,
    http_ready,
    metric_value,
    metrics_when,
    post_update,
    sends_to,
    sqlite_url,
)
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import build_application, running
from bot.domain.catalog import Catalog
from bot.edge.context import SERVICES_KEY, Services
from bot.fakeapi.core import SECRET_HEADER, FakeTelegram
from bot.fakeapi.http import serve_fake_api
from bot.fakeapi.request import InProcessRequest
from bot.fakeapi.spec import SpecValidator
from bot.ops.config import Settings
from bot.webhook import create_asgi_app

HOOK_PATH = "/tg/hook"


@dataclass
class Webhook:
    """The webhook app under test, its bot, and the fake Telegram behind it."""

    client: httpx.AsyncClient
    app: Any
    fake: FakeTelegram

    @property
    def services(self) -> Services:
        services: Services = self.app.bot_data[SERVICES_KEY]
        return services

    async def post(self, update: dict[str, Any], **headers: str) -> httpx.Response:
        """POST an update produced by the fake's user side, with these headers."""
        self.fake.mark_delivered(update)
        return await self.client.post(HOOK_PATH, json=update, headers=headers)

    async def reply(self, chat_id: int, count: int = 1) -> None:
        """Wait until the bot has sent `count` messages to this chat."""
        await eventually(lambda: sends_to(self.fake, chat_id) >= count, f"a reply to {chat_id}")


@pytest.fixture
async def webhook(
    tmp_path: Path, catalog: Catalog, spec_validator: SpecValidator | None
) -> AsyncIterator[Webhook]:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        telegram_bot_token=TOKEN,
        database_url=sqlite_url(tmp_path),
        webhook_url=f"https://bot.example.org{HOOK_PATH}",
        webhook_secret=WEBHOOK_SECRET,
        dispatch_interval_seconds=3600,
    )
    fake = FakeTelegram(token=TOKEN, validator=spec_validator)
    app = build_application(
        settings,
        request=InProcessRequest(fake),
        catalog=catalog,
        rng=random.Random(5),
        rate_limit=False,
        updater=False,
    )
    transport = httpx.ASGITransport(app=create_asgi_app(app, settings))
    async with running(app), httpx.AsyncClient(transport=transport, base_url="http://bot") as c:
        yield Webhook(c, app, fake)
    assert fake.spec_violations == []


async def test_only_the_right_secret_gets_an_update_processed(webhook: Webhook) -> None:
    fake = webhook.fake
    intruder = fake.add_user(66, "Mallory")
    refused = [
        {},
        {SECRET_HEADER: ""},
        {SECRET_HEADER: "wrong"},
        {SECRET_HEADER: WEBHOOK_SECRET[:-1]},
        {SECRET_HEADER: WEBHOOK_SECRET + "x"},
        {SECRET_HEADER: WEBHOOK_SECRET.upper()},
    ]
    for headers in refused:
        response = await webhook.post(fake.send_text(intruder.id, "/start"), **headers)
        assert response.status_code == 403, headers
        assert webhook.app.update_queue.empty()

    ann = fake.add_user(1, "Ann")
    response = await webhook.post(
        fake.send_text(ann.id, "/start"), **{SECRET_HEADER: WEBHOOK_SECRET}
    )
    assert response.status_code == 200
    await webhook.reply(ann.id)
    assert "not a therapist" in fake.messages_to(ann.id)[0].plain_text
    # Updates are handled in order, so a refused one that slipped into the queue would have
    # been answered before Ann's.
    assert fake.messages_to(intruder.id) == []
    assert dict(webhook.services.metrics.updates) == {"message": 1}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"", "application/json"),
        (b"[]", "application/json"),
        (b'"an update"', "application/json"),
        (b"null", "application/json"),
        (b'{"message": {"text": "hi"}}', "application/json"),
        (b'{"update_id": "7"}', "application/json"),
        (b'{"update_id": 7, "message": {"text": "no date, no chat"}}', "application/json"),
    ],
)
async def test_a_body_that_is_not_an_update_is_a_400(
    webhook: Webhook, body: bytes, content_type: str
) -> None:
    response = await webhook.client.post(
        HOOK_PATH,
        content=body,
        headers={SECRET_HEADER: WEBHOOK_SECRET, "Content-Type": content_type},
    )
    assert response.status_code == 400
    assert webhook.app.update_queue.empty()


async def test_healthz_follows_the_database(webhook: Webhook, tmp_path: Path) -> None:
    response = await webhook.client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})

    database = webhook.services.db
    healthy_engine = database.engine
    # A database file that cannot be opened: its folder is a file.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    database.engine = create_async_engine(sqlite_url(blocker))
    try:
        response = await webhook.client.get("/healthz")
        assert (response.status_code, response.json()) == (
            503,
            {"status": "database unavailable"},
        )
    finally:
        await database.engine.dispose()
        database.engine = healthy_engine
    assert (await webhook.client.get("/healthz")).status_code == 200


async def test_metrics_count_updates_by_kind_and_time_them(webhook: Webhook) -> None:
    fake = webhook.fake
    ann = fake.add_user(2, "Ann")
    secret = {SECRET_HEADER: WEBHOOK_SECRET}
    assert (await webhook.post(fake.send_text(ann.id, "/start"), **secret)).status_code == 200
    await webhook.reply(ann.id)
    (welcome,) = fake.messages_to(ann.id)
    consent = welcome.callback_data[0]
    assert consent is not None
    tap = fake.tap(ann.id, welcome.message_id, consent)
    assert (await webhook.post(tap, **secret)).status_code == 200
    await eventually(lambda: not fake.unanswered_callback_queries, "the tap to be answered")
    await webhook.post(fake.send_text(ann.id, "Berlin"), **secret)
    await eventually(
        lambda: webhook.services.metrics.latency.count == 3, "three updates to be handled"
    )

    response = await webhook.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "# TYPE secure_base_updates_total counter" in text
    assert metric_value(text, 'secure_base_updates_total{kind="message"}') == 2
    assert metric_value(text, 'secure_base_updates_total{kind="callback_query"}') == 1
    assert "# TYPE secure_base_handler_seconds histogram" in text
    assert metric_value(text, 'secure_base_handler_seconds_bucket{le="+Inf"}') == 3
    assert metric_value(text, "secure_base_handler_seconds_count") == 3
    assert metric_value(text, "secure_base_handler_seconds_sum") > 0
    buckets = [
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("secure_base_handler_seconds_bucket")
    ]
    assert buckets == sorted(buckets), "histogram buckets must be cumulative"


async def test_the_webhook_process_registers_itself_and_answers_pushed_updates(
    tmp_path: Path, spec_validator: SpecValidator | None
) -> None:
    fake = FakeTelegram(token=TOKEN, validator=spec_validator)
    port = free_port()
    url = f"http://127.0.0.1:{port}{HOOK_PATH}"
    async with serve_fake_api(fake) as base_url:
        env = child_env(
            telegram_bot_token=TOKEN,
            telegram_api_base_url=base_url,
            database_url=sqlite_url(tmp_path),
            webhook_url=url,
            webhook_secret=WEBHOOK_SECRET,
            webhook_listen="127.0.0.1",
            webhook_port=port,
            log_level="DEBUG",
        )
        async with bot_process(["webhook"], env, tmp_path) as bot:
            await http_ready(f"http://127.0.0.1:{port}/healthz", processes=[bot])
            (call,) = fake.calls_to("setWebhook")
            assert call.params["url"] == url
            assert call.params["secret_token"] == WEBHOOK_SECRET
            assert "message" in call.params["allowed_updates"]
            assert "callback_query" in call.params["allowed_updates"]
            assert fake.webhook_url == url

            async def push(_update: object) -> None:
                deliveries = await fake.deliver_webhooks()
                assert deliveries and all(d.ok for d in deliveries), deliveries

            ann = RemoteUser(fake, 31, "Ann", push=push, processes=[bot])
            await ann.say("/start", expect="not a therapist")
            await ann.tap("Yes, let's begin", expect="where are you in the world?")
            async with httpx.AsyncClient() as client:
                # Straight at the server, the way an attacker would: refused, never handled.
                intruder = fake.add_user(32, "Mallory")
                update = fake.send_text(intruder.id, "/start")
                fake.mark_delivered(update)
                refused = await post_update(client, url, update, secret="guess")
                assert refused.status_code == 403
                metrics = await metrics_when(
                    client,
                    f"http://127.0.0.1:{port}/metrics",
                    lambda text: metric_value(text, "secure_base_handler_seconds_count") >= 2,
                )
            assert metric_value(metrics, 'secure_base_updates_total{kind="message"}') == 1
            assert metric_value(metrics, 'secure_base_updates_total{kind="callback_query"}') == 1
            assert fake.spec_violations == []
            assert await bot.terminate() == 0, bot.output()
    assert fake.messages_to(32) == []
    output = bot.output()
    assert TOKEN not in output and WEBHOOK_SECRET not in output
    assert "setWebhook" in output  # DEBUG was on: the redaction was put to the test


HOOK_URL = "https://bot.example.org/hook"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"webhook_url": HOOK_URL, "webhook_secret": WEBHOOK_SECRET}, "TELEGRAM_BOT_TOKEN"),
        ({"telegram_bot_token": TOKEN, "webhook_secret": WEBHOOK_SECRET}, "WEBHOOK_URL"),
        ({"telegram_bot_token": TOKEN, "webhook_url": HOOK_URL}, "WEBHOOK_SECRET"),
        (
            {"telegram_bot_token": TOKEN, "webhook_url": HOOK_URL, "webhook_secret": "a b"},
            "WEBHOOK_SECRET may only use",
        ),
    ],
)
async def test_webhook_mode_needs_a_token_a_url_and_a_valid_secret(
    tmp_path: Path, settings: dict[str, str], message: str
) -> None:
    env = child_env(database_url=sqlite_url(tmp_path), **settings)
    async with bot_process(["webhook"], env, tmp_path) as bot:
        assert await bot.wait() == 2, bot.output()
    assert message in bot.stderr()
    assert TOKEN not in bot.output()
    assert not (tmp_path / "bot.db").exists()
