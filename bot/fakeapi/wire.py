"""Decode Bot API request parameters the way Telegram does, whatever transport carried them.

Telegram accepts a query string, a urlencoded or multipart form, or a JSON body. Forms carry
every value as a string (PTB sends ``"123"``, ``"true"`` and JSON-serialized objects), a JSON
body carries native values. ``decode_params`` turns both into native Python values so the
fake's method handlers and the recorded ``ApiCall.params`` look the same for every transport.
The multipart parser is a small stdlib one, so the fake needs no python-multipart.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from bot.fakeapi.models import UploadedFile

# Parameters whose value is a JSON-serialized object or array when sent as a form field.
JSON_FIELDS = frozenset(
    {
        "reply_markup", "entities", "caption_entities", "link_preview_options",
        "reply_parameters", "commands", "scope", "allowed_updates", "media",
        "suggested_post_parameters", "results", "button",
    }
)  # fmt: skip
INT_FIELDS = frozenset(
    {
        "message_id", "offset", "limit", "timeout", "cache_time", "max_connections",
        "message_thread_id", "reply_to_message_id", "user_id", "direct_messages_topic_id",
        "until_date", "from_chat_id",
    }
)  # fmt: skip
BOOL_FIELDS = frozenset(
    {
        "show_alert", "disable_notification", "protect_content", "drop_pending_updates",
        "disable_content_type_detection", "has_spoiler", "show_caption_above_media",
        "allow_paid_broadcast", "allow_sending_without_reply", "disable_web_page_preview",
    }
)  # fmt: skip
_INTEGER = re.compile(r"-?\d+")
_NAME = re.compile(r'\bname="([^"]*)"')
_FILENAME = re.compile(r'\bfilename="([^"]*)"')
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?')


def decode_value(name: str, value: object) -> object:
    """Return the native value of one parameter (strings from forms become ints, dicts...)."""
    if not isinstance(value, str):
        return value
    if name == "chat_id":
        # chat_id is Integer or String (@channelusername): only digits become an int.
        return int(value) if _INTEGER.fullmatch(value) else value
    if name in INT_FIELDS and _INTEGER.fullmatch(value):
        return int(value)
    if name in BOOL_FIELDS and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if name in JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def decode_params(params: Mapping[str, object]) -> dict[str, Any]:
    """Return all parameters decoded to native values, dropping explicit nulls."""
    return {name: decode_value(name, value) for name, value in params.items() if value is not None}


def parse_urlencoded(body: bytes) -> dict[str, object]:
    """Return the fields of an application/x-www-form-urlencoded body."""
    return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))


def parse_multipart(body: bytes, content_type: str) -> dict[str, object]:
    """Return the fields of a multipart/form-data body; file parts become UploadedFile."""
    match = _BOUNDARY.search(content_type)
    if match is None:
        raise ValueError("multipart body without a boundary")
    delimiter = b"--" + match.group(1).encode("latin-1")
    fields: dict[str, object] = {}
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break  # the closing delimiter
        head, _, content = chunk.partition(b"\r\n\r\n")
        # Each part ends with the CRLF that precedes the next delimiter.
        content = content.removesuffix(b"\r\n")
        headers = _part_headers(head.decode("utf-8", "replace"))
        disposition = headers.get("content-disposition", "")
        name_match = _NAME.search(disposition)
        if name_match is None:
            continue
        filename_match = _FILENAME.search(disposition)
        if filename_match is None:
            fields[name_match.group(1)] = content.decode("utf-8")
        else:
            fields[name_match.group(1)] = UploadedFile(
                filename=filename_match.group(1),
                content=content,
                mime_type=headers.get("content-type", "application/octet-stream"),
            )
    return fields


def parse_body(body: bytes, content_type: str) -> dict[str, object]:
    """Return the parameters of a request body of any content type Telegram accepts."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if not body.strip():
        return {}
    if kind == "application/json":
        loaded = json.loads(body)
        if not isinstance(loaded, dict):
            raise ValueError("a JSON body must be an object")
        return loaded
    if kind == "multipart/form-data":
        return parse_multipart(body, content_type)
    return parse_urlencoded(body)


def _part_headers(head: str) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in head.strip("\r\n").split("\r\n"):
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return headers
