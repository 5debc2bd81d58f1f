"""`python -m bot webhook`: an ASGI server (Starlette under uvicorn) in front of the bot.

Following PTB's custom-webhook example, with what it leaves out: the secret token is checked
with a constant-time comparison (missing or wrong: 403, nothing processed), updates are queued
and answered at once (Telegram retries slow or failed deliveries), GET /healthz asks the
database, and GET /metrics speaks Prometheus. SIGTERM (or Ctrl-C) lets uvicorn stop accepting,
then the Application finishes the updates already queued and the dispatch under way before
exiting with 0: an update answered with 200 is never lost, because Telegram will not resend it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update

from bot.edge.context import SERVICES_KEY, Services
from bot.ops.config import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
DEFAULT_PATH = "/telegram"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: `serve` below owns SIGTERM and SIGINT.

    uvicorn re-raises the stop signal once it has stopped serving, so that the caller's handler
    runs; with the default handler in place that killed the process (exit -15) before the
    Application had handled the updates it had already acknowledged with 200.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Leave signal handling to `serve`."""
        yield


class _StopSignals:
    """Turn SIGTERM/SIGINT into a graceful stop of a uvicorn server until `remove()`."""

    def __init__(self, server: uvicorn.Server) -> None:
        self.server = server
        self.loop = asyncio.get_running_loop()
        for sig in STOP_SIGNALS:
            self.loop.add_signal_handler(sig, self._stop, sig)
        self.installed = True

    def _stop(self, sig: signal.Signals) -> None:
        log.info("received %s: taking no new updates, finishing the accepted ones", sig.name)
        if self.server.should_exit and sig == signal.SIGINT:
            self.server.force_exit = True  # a second Ctrl-C: stop waiting for open connections
        self.server.should_exit = True

    def remove(self) -> None:
        """Give the signals their default effect back (idempotent)."""
        if self.installed:
            for sig in STOP_SIGNALS:
                self.loop.remove_signal_handler(sig)
            self.installed = False


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
            # Anything but an object with an integer update_id is not an update (de_json would
            # raise AttributeError on a list or a string: a 500 and a traceback).
            if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
                return Response(status_code=400)
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
    server = _Server(
        uvicorn.Config(
            create_asgi_app(application, settings),
            host=settings.webhook_listen,
            port=settings.webhook_port,
            # Our root handler, so uvicorn's lines are redacted and follow LOG_JSON too.
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
    )
    # Installed before start-up, so a SIGTERM while starting stops the server as soon as it runs.
    signals = _StopSignals(server)
    try:
        async with running(application):
            await application.bot.set_webhook(
                url=settings.webhook_url,
                secret_token=settings.webhook_secret.get_secret_value(),
                allowed_updates=Update.ALL_TYPES,
            )
            log.info(
                "webhook server listening on %s:%d",
                settings.webhook_listen,
                settings.webhook_port,
            )
            try:
                await server.serve()
            finally:
                # A second signal now has its default effect, so a stuck drain can be killed.
                signals.remove()
            log.info("webhook server stopped; finishing queued updates")
    finally:
        signals.remove()
    return 0
