"""`python -m bot webhook`: an ASGI server (Starlette under uvicorn) in front of the bot.

Following PTB's custom-webhook example, with what it leaves out: the secret token is checked
with a constant-time comparison (missing or wrong: 403, nothing processed), updates are queued
and answered at once (Telegram retries slow or failed deliveries), GET /healthz asks the
database, and GET /metrics speaks Prometheus. SIGTERM lets uvicorn stop accepting, then the
Application finishes the updates already queued and the dispatch under way before exiting.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any
from urllib.parse import urlparse

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update

from bot.config import Settings
from bot.context import SERVICES_KEY, Services

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
DEFAULT_PATH = "/telegram"


def webhook_path(settings: Settings) -> str:
    """The path Telegram posts to: the path of WEBHOOK_URL, or /telegram."""
    return urlparse(settings.webhook_url).path or DEFAULT_PATH


def create_asgi_app(application: Any, settings: Settings) -> Starlette:
    """The Starlette app: the webhook route, /healthz and /metrics."""
    secret = settings.webhook_secret.get_secret_value().encode()
    services: Services = application.bot_data[SERVICES_KEY]

    async def telegram(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        # Constant time: the comparison must not tell an attacker how much of a guess was right.
        if not secret or not hmac.compare_digest(given, secret):
            return Response(status_code=403)
        try:
            payload = await request.json()
            update = Update.de_json(payload, application.bot)
        except (json.JSONDecodeError, TypeError, KeyError, ValueError):
            return Response(status_code=400)
        await application.update_queue.put(update)
        return Response(status_code=200)

    async def healthz(_: Request) -> Response:
        healthy = await services.db.ping()
        return JSONResponse(
            {"status": "ok" if healthy else "database unavailable"},
            status_code=200 if healthy else 503,
        )

    async def metrics(_: Request) -> Response:
        return PlainTextResponse(services.metrics.render(), media_type="text/plain; version=0.0.4")

    return Starlette(
        routes=[
            Route(webhook_path(settings), telegram, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
        ]
    )


async def serve(settings: Settings) -> int:
    """Run the bot behind the webhook server until SIGTERM or Ctrl-C."""
    from bot.app import build_application, running

    if not settings.webhook_url or not settings.webhook_secret.get_secret_value():
        log.error("webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET")
        return 2
    application = build_application(settings, updater=False)
    server = uvicorn.Server(
        uvicorn.Config(
            create_asgi_app(application, settings),
            host=settings.webhook_listen,
            port=settings.webhook_port,
            log_level="warning",
            lifespan="off",
        )
    )
    async with running(application):
        await application.bot.set_webhook(
            url=settings.webhook_url,
            secret_token=settings.webhook_secret.get_secret_value(),
            allowed_updates=Update.ALL_TYPES,
        )
        log.info(
            "webhook server listening on %s:%d", settings.webhook_listen, settings.webhook_port
        )
        await server.serve()
        log.info("webhook server stopped; finishing queued updates")
    return 0
