"""Decoding request bodies and parameters the way Telegram does, for every transport."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.fakeapi import UploadedFile
from bot.fakeapi.wire import decode_params, parse_body

FIELD_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
FILENAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-.", min_size=1, max_size=20)


@given(
    content=st.binary(max_size=2048),
    filename=FILENAME,
    caption=FIELD_TEXT,
)
def test_multipart_round_trips_any_bytes(content: bytes, filename: str, caption: str) -> None:
    request = httpx.Request(
        "POST",
        "http://127.0.0.1/bot1:A/sendDocument",
        data={"chat_id": "5", "caption": caption},
        files={"document": (filename, content, "application/octet-stream")},
    )
    fields = parse_body(request.read(), request.headers["content-type"])
    assert fields["chat_id"] == "5"
    assert fields["caption"] == caption
    assert fields["document"] == UploadedFile(filename, content, "application/octet-stream")


def test_urlencoded_and_json_bodies() -> None:
    form = httpx.Request("POST", "http://x", data={"text": "a&b=c", "chat_id": "-5"})
    assert parse_body(form.read(), form.headers["content-type"]) == {
        "text": "a&b=c",
        "chat_id": "-5",
    }
    body = json.dumps({"chat_id": 5, "text": "hi"}).encode()
    assert parse_body(body, "application/json; charset=utf-8") == {"chat_id": 5, "text": "hi"}
    assert parse_body(b"", "application/json") == {}
    with pytest.raises(ValueError, match="object"):
        parse_body(b"[1, 2]", "application/json")


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ({"chat_id": "42"}, {"chat_id": 42}),
        ({"chat_id": "-100123"}, {"chat_id": -100123}),
        ({"chat_id": "@channel"}, {"chat_id": "@channel"}),
        ({"message_id": "7", "offset": "-1"}, {"message_id": 7, "offset": -1}),
        (
            {"show_alert": "true", "drop_pending_updates": "False"},
            {"show_alert": True, "drop_pending_updates": False},
        ),
        ({"reply_markup": '{"inline_keyboard": []}'}, {"reply_markup": {"inline_keyboard": []}}),
        ({"allowed_updates": '["message"]'}, {"allowed_updates": ["message"]}),
        # Text stays text even when it looks like a number or JSON.
        ({"text": "123", "caption": "[1]"}, {"text": "123", "caption": "[1]"}),
        # Broken JSON is left for the validator to report.
        ({"reply_markup": "{nope"}, {"reply_markup": "{nope"}),
        ({"text": None, "chat_id": 1}, {"chat_id": 1}),
    ],
)
def test_decode_params(raw: dict[str, object], decoded: dict[str, object]) -> None:
    assert decode_params(raw) == decoded
