"""The fake over real loopback HTTP: PTB long polling, request bodies, tokens, webhook push."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from bot.fakeapi import SECRET_HEADER, FakeTelegram, find_spec, load_validator
from bot.fakeapi.http import serve_asgi, serve_fake_api

REPO_ROOT = Path(__file__).resolve().parents[2]
VALIDATOR = load_validator(find_spec(REPO_ROOT))
TOKEN = "4242:HTTP-TEST"

Context = ContextTypes.DEFAULT_TYPE
AnyApp = Application[Any, Any, Any, Any, Any, Any]


async def pong(update: Update, context: Context) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(f"pong: {update.effective_message.text}")


async def send_file(update: Update, context: Context) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_document(bytes(range(256)), filename="bytes.bin")


def build_app(base_url: str) -> AnyApp:
    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(base_url)
        .base_file_url(base_url.removesuffix("/bot") + "/file/bot")
        .build()
    )
    app.add_handler(CommandHandler("file", send_file))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, pong))
    return app


async def wait_for(condition: Any, rounds: int = 500) -> None:
    """Yield to the loop until the condition holds (bounded by rounds, not by a clock)."""
    for _ in range(rounds):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition never became true")


@pytest.fixture
def fake() -> FakeTelegram:
    return FakeTelegram(token=TOKEN, validator=VALIDATOR)


@pytest.fixture
async def base_url(fake: FakeTelegram) -> AsyncIterator[str]:
    async with serve_fake_api(fake) as url:
        yield url


async def test_base_url_is_a_loopback_bot_url(base_url: str) -> None:
    assert base_url.startswith("http://127.0.0.1:")
    assert base_url.endswith("/bot")


async def test_ptb_long_polling_round_trip(fake: FakeTelegram, base_url: str) -> None:
    app = build_app(base_url)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0)
    try:
        fake.send_text(1, "ping")
        await wait_for(lambda: fake.messages_to(1))
        fake.send_command(1, "file")
        await wait_for(lambda: fake.documents_to(1))
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert next(m.text for m in fake.messages_to(1)) == "pong: ping"
    [document] = fake.documents_to(1)
    assert (document.filename, document.content) == ("bytes.bin", bytes(range(256)))
    # PTB confirmed every update with its final getUpdates offset.
    assert fake.pending_updates == []
    assert "deleteWebhook" in [call.method for call in fake.calls]
    assert fake.spec_violations == []


async def test_only_the_configured_token_is_accepted(base_url: str) -> None:
    root = base_url.removesuffix("/bot")
    async with httpx.AsyncClient() as client:
        wrong = await client.get(f"{root}/bot1:WRONG/getMe")
        right = await client.get(f"{base_url}{TOKEN}/getMe")
    assert (wrong.status_code, wrong.json()["description"]) == (401, "Unauthorized")
    assert right.status_code == 200
    assert right.json()["result"]["is_bot"] is True


async def test_unknown_methods_are_404(base_url: str) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{base_url}{TOKEN}/sendTelepathy")
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


@pytest.mark.parametrize("encoding", ["json", "form", "query"])
async def test_every_body_encoding_is_understood(
    fake: FakeTelegram, base_url: str, encoding: str
) -> None:
    fake.add_user(5)
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    url = f"{base_url}{TOKEN}/sendMessage"
    form = {"chat_id": "5", "text": "héllo", "reply_markup": json.dumps(markup)}
    async with httpx.AsyncClient() as client:
        if encoding == "json":
            response = await client.post(
                url, json={"chat_id": 5, "text": "héllo", "reply_markup": markup}
            )
        elif encoding == "form":
            response = await client.post(url, data=form)
        else:
            response = await client.get(url, params=form)
    assert response.status_code == 200, response.text
    [message] = fake.messages_to(5)
    assert (message.text, message.buttons) == ("héllo", [[("Go", "go")]])
    assert fake.calls[-1].params["chat_id"] == 5


async def test_multipart_uploads_and_file_downloads(fake: FakeTelegram, base_url: str) -> None:
    fake.add_user(5)
    content = b"\x00\r\n--not-a-boundary\r\n\xff" * 50
    async with httpx.AsyncClient() as client:
        sent = await client.post(
            f"{base_url}{TOKEN}/sendDocument",
            data={"chat_id": "5", "caption": "raw bytes"},
            files={"document": ("data.bin", content, "application/octet-stream")},
        )
        assert sent.status_code == 200, sent.text
        file_id = sent.json()["result"]["document"]["file_id"]
        info = (await client.get(f"{base_url}{TOKEN}/getFile", params={"file_id": file_id})).json()
        root = base_url.removesuffix("/bot")
        download = await client.get(f"{root}/file/bot{TOKEN}/{info['result']['file_path']}")
        missing = await client.get(f"{root}/file/bot{TOKEN}/documents/nothing.bin")
    [document] = fake.documents_to(5)
    assert (document.filename, document.size, document.content) == (
        "data.bin",
        len(content),
        content,
    )
    assert document.caption == "raw bytes"
    assert download.content == content
    assert missing.status_code == 404


class Receiver:
    """A webhook endpoint on loopback that records what Telegram (the fake) pushes."""

    def __init__(self, secret: str | None = None, status: int = 200) -> None:
        self.secret = secret
        self.status = status
        self.headers: list[str | None] = []
        self.bodies: list[dict[str, Any]] = []

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            header = request.headers.get(SECRET_HEADER)
            self.headers.append(header)
            if self.secret is not None and header != self.secret:
                return Response(status_code=403)
            self.bodies.append(json.loads(await request.body()))
            return Response(status_code=self.status)

        return Starlette(routes=[Route("/hook", hook, methods=["POST"])])


async def set_webhook(fake: FakeTelegram, url: str, secret: str | None = None) -> None:
    params: dict[str, object] = {"url": url}
    if secret is not None:
        params["secret_token"] = secret
    status, body = await fake.handle("setWebhook", params)
    assert status == 200, body


async def test_webhook_push_carries_the_secret_header(fake: FakeTelegram) -> None:
    receiver = Receiver(secret="s3cret-token")
    async with serve_asgi(receiver.app()) as root:
        await set_webhook(fake, f"{root}/hook", "s3cret-token")
        first = fake.send_text(1, "one")
        second = fake.send_text(1, "two")
        deliveries = await fake.deliver_webhooks()
    assert [d.ok for d in deliveries] == [True, True]
    assert receiver.headers == ["s3cret-token", "s3cret-token"]
    assert [b["update_id"] for b in receiver.bodies] == [first["update_id"], second["update_id"]]
    assert fake.pending_updates == []


async def test_webhook_push_without_a_secret_sends_no_header(fake: FakeTelegram) -> None:
    receiver = Receiver()
    async with serve_asgi(receiver.app()) as root:
        await set_webhook(fake, f"{root}/hook")
        fake.send_text(1, "hi")
        [delivery] = await fake.deliver_webhooks()
    assert delivery.ok
    assert receiver.headers == [None]


async def test_a_refused_push_stays_queued_and_is_reported(fake: FakeTelegram) -> None:
    receiver = Receiver(secret="expected")
    async with serve_asgi(receiver.app()) as root:
        await set_webhook(fake, f"{root}/hook", "different")
        update = fake.send_text(1, "hi")
        fake.send_text(1, "second, not attempted after the failure")
        [delivery] = await fake.deliver_webhooks()
    assert (delivery.update_id, delivery.status, delivery.ok) == (update["update_id"], 403, False)
    assert len(fake.pending_updates) == 2
    _, body = await fake.handle("getWebhookInfo", {})
    assert body["result"]["last_error_message"] == "Wrong response from the webhook: 403 Forbidden"


async def test_webhook_into_a_ptb_application(fake: FakeTelegram, base_url: str) -> None:
    app = build_app(base_url)

    async def hook(request: Request) -> Response:
        if request.headers.get(SECRET_HEADER) != "hook-secret":
            return Response(status_code=403)
        await app.update_queue.put(Update.de_json(json.loads(await request.body()), app.bot))
        return Response()

    receiver = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
    await app.initialize()
    await app.start()
    try:
        async with serve_asgi(receiver) as root:
            await app.bot.set_webhook(f"{root}/hook", secret_token="hook-secret")
            fake.send_text(1, "via webhook")
            [delivery] = await fake.deliver_webhooks()
            await wait_for(lambda: fake.messages_to(1))
    finally:
        await app.stop()
        await app.shutdown()
    assert delivery.ok
    assert fake.messages_to(1)[0].text == "pong: via webhook"
    assert fake.spec_violations == []
