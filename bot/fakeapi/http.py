"""Serve a FakeTelegram over real HTTP on loopback, for polling, base_url and webhook tests.

``serve_fake_api`` runs a small Starlette app under uvicorn inside the current event loop and
yields the value for ``TELEGRAM_API_BASE_URL`` (``http://127.0.0.1:<port>/bot``). It answers
``GET|POST /bot<token>/<method>`` with JSON, urlencoded or multipart bodies (and query strings),
and ``GET /file/bot<token>/<path>`` with file bytes. Only the fake's own token is accepted.
``serve_asgi`` is the generic helper underneath, also handy for a test's webhook receiver.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from bot.fakeapi.core import FakeTelegram
from bot.fakeapi.wire import parse_body


class _EmbeddedServer(uvicorn.Server):
    # The host process (pytest, the playground) owns signal handling, not this server.
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _error(status: int, description: str) -> JSONResponse:
    body = {"ok": False, "error_code": status, "description": description}
    return JSONResponse(body, status_code=status)


def fake_api_app(fake: FakeTelegram) -> Starlette:
    """Return the Starlette app that exposes a FakeTelegram the way api.telegram.org does."""

    async def api(request: Request) -> Response:
        if not fake.check_token(request.path_params["token"]):
            return _error(401, "Unauthorized")
        params: dict[str, object] = dict(request.query_params)
        try:
            body = await request.body()
            params.update(parse_body(body, request.headers.get("content-type", "")))
        except ValueError as error:
            return _error(400, f"Bad Request: can't parse request body: {error}")
        status, payload = await fake.handle(request.path_params["method"], params)
        return JSONResponse(payload, status_code=status)

    async def download(request: Request) -> Response:
        if not fake.check_token(request.path_params["token"]):
            return _error(401, "Unauthorized")
        content = fake.file_content(request.path_params["path"])
        if content is None:
            return _error(404, "Not Found")
        return Response(content, media_type="application/octet-stream")

    return Starlette(
        routes=[
            Route("/bot{token}/{method}", api, methods=["GET", "POST"]),
            Route("/file/bot{token}/{path:path}", download, methods=["GET"]),
        ]
    )


@contextlib.asynccontextmanager
async def serve_asgi(app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Run an ASGI app under uvicorn in this event loop; yield its ``http://host:port`` root."""
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only then, and without it every request
    # on a kept-alive connection waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_host, bound_port = sock.getsockname()[:2]
    config = uvicorn.Config(
        app,
        log_config=None,
        log_level="warning",
        access_log=False,
        lifespan="off",
        # A request still in flight must not hold the shutdown hostage for long.
        timeout_graceful_shutdown=2,
    )
    server = _EmbeddedServer(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name="fakeapi-uvicorn")
    try:
        while not server.started:
            if task.done():
                task.result()  # re-raise why the server could not start
                raise RuntimeError("the loopback server stopped before it started")
            await asyncio.sleep(0.001)
        yield f"http://{bound_host}:{bound_port}"
    finally:
        server.should_exit = True
        await task


@contextlib.asynccontextmanager
async def serve_fake_api(
    fake: FakeTelegram, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[str]:
    """Serve a FakeTelegram on loopback; yield the API base URL ending in ``/bot``."""
    async with serve_asgi(fake_api_app(fake), host, port) as root:
        try:
            yield root + "/bot"
        finally:
            # Answer waiting long polls now so the server can close their connections.
            fake.release_pollers()
