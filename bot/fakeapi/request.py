"""A python-telegram-bot request class that hands every Bot API call to a FakeTelegram.

No sockets are opened: ``do_request`` takes the method name from the URL
(``.../bot<token>/<method>``), the parameters as PTB would put them on the wire
(``RequestData.json_parameters``: numbers, booleans and objects JSON-encoded as strings) plus
any multipart files, and returns the fake's status and JSON body. File downloads
(``.../file/bot<token>/<path>``) are served from the files the fake knows. Use one instance for
``.request(...)`` and another for ``.get_updates_request(...)``, as PTB recommends.
"""

from __future__ import annotations

import json
import re
from typing import IO
from urllib.parse import unquote

from telegram.request import BaseRequest, RequestData
from typing_extensions import override

from bot.fakeapi.core import FakeTelegram
from bot.fakeapi.models import UploadedFile

_API_PATH = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>[A-Za-z0-9_]+)/?$")
_FILE_PATH = re.compile(r"/file/bot(?P<token>[^/]+)/(?P<path>.+)$")


def _json_error(status: int, description: str) -> tuple[int, bytes]:
    body = {"ok": False, "error_code": status, "description": description}
    return status, json.dumps(body).encode()


class InProcessRequest(BaseRequest):
    """Route PTB's Bot API requests straight into a FakeTelegram, in the same event loop."""

    def __init__(self, fake: FakeTelegram) -> None:
        """Serve requests from this fake."""
        self.fake = fake

    @property
    @override
    def read_timeout(self) -> float | None:
        """Return None: nothing here can time out on a socket."""
        return None

    @override
    async def initialize(self) -> None:
        """Do nothing; there is no connection pool."""

    @override
    async def shutdown(self) -> None:
        """Do nothing; there is no connection pool."""

    @override
    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        write_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Answer one request from the fake and return (status, JSON payload)."""
        # PTB percent-encodes file URLs (the token's ':' becomes %3A).
        path = unquote(url.split("?", 1)[0])
        file_match = _FILE_PATH.search(path)
        if file_match is not None:
            if not self.fake.check_token(file_match.group("token")):
                return _json_error(401, "Unauthorized")
            found = self.fake.file_content(file_match.group("path"))
            return (404, b"Not Found") if found is None else (200, found)
        api_match = _API_PATH.search(path)
        if api_match is None:
            return _json_error(404, "Not Found")
        if not self.fake.check_token(api_match.group("token")):
            return _json_error(401, "Unauthorized")
        params: dict[str, object] = {}
        if request_data is not None:
            params.update(request_data.json_parameters)
            for name, (filename, content, mime_type) in request_data.multipart_data.items():
                params[name] = UploadedFile(filename, _read(content), mime_type)
        status, body = await self.fake.handle(api_match.group("method"), params)
        return status, json.dumps(body).encode()


def _read(content: bytes | IO[bytes]) -> bytes:
    return content if isinstance(content, bytes) else content.read()
