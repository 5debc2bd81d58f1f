"""Request validation: against api.json (SpecValidator) and the built-in text rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.fakeapi import FakeTelegram, SpecValidator, UploadedFile, find_spec, load_validator
from bot.fakeapi.spec import builtin_problems

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = find_spec(REPO_ROOT)
VALIDATOR = load_validator(SPEC_PATH)
needs_spec = pytest.mark.skipif(VALIDATOR is None, reason="api.json not found next to the repo")


def spec() -> SpecValidator:
    assert VALIDATOR is not None
    return VALIDATOR


def button(data: str) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": "Go", "callback_data": data}]]}


# (case id, method, params, a fragment of the expected problem or None when valid,
#  whether the built-in rules (no api.json) must catch it too)
CASES: list[tuple[str, str, dict[str, Any], str | None, bool]] = [
    ("valid text", "sendMessage", {"chat_id": 1, "text": "Hi"}, None, True),
    ("missing chat_id", "sendMessage", {"text": "Hi"}, "'chat_id' is missing", True),
    ("missing text", "sendMessage", {"chat_id": 1}, "'text' is missing", True),
    ("empty text", "sendMessage", {"chat_id": 1, "text": ""}, "must not be empty", True),
    (
        "4097 visible characters",
        "sendMessage",
        {"chat_id": 1, "text": "<b>" + "a" * 4097 + "</b>", "parse_mode": "HTML"},
        "4097 characters after HTML parsing",
        True,
    ),
    (
        "4096 visible characters in longer HTML",
        "sendMessage",
        {"chat_id": 1, "text": "<b>" + "a" * 4090 + "</b>&amp;&lt;&gt;xyz", "parse_mode": "HTML"},
        None,
        True,
    ),
    (
        "only tags, nothing visible",
        "sendMessage",
        {"chat_id": 1, "text": "<b> </b>", "parse_mode": "HTML"},
        "must not be empty",
        True,
    ),
    (
        "unsupported tag",
        "sendMessage",
        {"chat_id": 1, "text": "<blink>hi</blink>", "parse_mode": "HTML"},
        "can't parse entities: tag <blink>",
        True,
    ),
    (
        "bare ampersand",
        "sendMessage",
        {"chat_id": 1, "text": "you & me", "parse_mode": "HTML"},
        "bare '&'",
        True,
    ),
    (
        "unclosed tag",
        "editMessageText",
        {"chat_id": 1, "message_id": 2, "text": "<i>soft", "parse_mode": "HTML"},
        "never closed",
        True,
    ),
    (
        "ampersand is fine without parse_mode",
        "sendMessage",
        {"chat_id": 1, "text": "you & me"},
        None,
        True,
    ),
    (
        "unknown parse mode",
        "sendMessage",
        {"chat_id": 1, "text": "x", "parse_mode": "html5"},
        "unsupported parse mode",
        True,
    ),
    (
        "65-byte callback_data",
        "sendMessage",
        {"chat_id": 1, "text": "x", "reply_markup": button("a" * 65)},
        "65 bytes, Telegram allows 1-64",
        True,
    ),
    (
        "33 two-byte characters are 66 bytes",
        "sendMessage",
        {"chat_id": 1, "text": "x", "reply_markup": button("é" * 33)},
        "66 bytes",
        True,
    ),
    (
        "64-byte callback_data",
        "sendMessage",
        {"chat_id": 1, "text": "x", "reply_markup": button("a" * 64)},
        None,
        True,
    ),
    (
        "callback_data as PTB sends it (JSON string)",
        "sendMessage",
        {"chat_id": "1", "text": "x", "reply_markup": json.dumps(button("b" * 70))},
        "70 bytes",
        False,
    ),
    (
        "button with two actions",
        "sendMessage",
        {
            "chat_id": 1,
            "text": "x",
            "reply_markup": {
                "inline_keyboard": [[{"text": "A", "callback_data": "a", "url": "https://a.b"}]]
            },
        },
        "exactly one action field",
        True,
    ),
    (
        "button with no action",
        "sendMessage",
        {"chat_id": 1, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "A"}]]}},
        "exactly one action field",
        True,
    ),
    (
        "button without text",
        "sendMessage",
        {"chat_id": 1, "text": "x", "reply_markup": {"inline_keyboard": [[{"url": "https://a"}]]}},
        "'text' is missing",
        False,
    ),
    (
        "keyboard rows must be arrays",
        "sendMessage",
        {"chat_id": 1, "text": "x", "reply_markup": {"inline_keyboard": [{"text": "A"}]}},
        "inline_keyboard[0]",
        False,
    ),
    (
        "unknown field",
        "sendMessage",
        {"chat_id": 1, "text": "x", "colour": "red"},
        "colour",
        False,
    ),
    ("bool is not a chat id", "sendMessage", {"chat_id": True, "text": "x"}, "expected", False),
    ("wire integer", "deleteMessage", {"chat_id": "1", "message_id": "12"}, None, True),
    (
        "wire integer that is not one",
        "deleteMessage",
        {"chat_id": "1", "message_id": "twelve"},
        "expected Integer",
        False,
    ),
    (
        "wire boolean",
        "answerCallbackQuery",
        {"callback_query_id": "1", "show_alert": "true"},
        None,
        True,
    ),
    (
        "answer text over 200",
        "answerCallbackQuery",
        {"callback_query_id": "1", "text": "a" * 201},
        "201 characters",
        True,
    ),
    (
        "caption over 1024",
        "sendDocument",
        {"chat_id": 1, "document": UploadedFile("a.txt", b"a"), "caption": "c" * 1025},
        "1025 characters",
        True,
    ),
    (
        "document as a file id",
        "sendDocument",
        {"chat_id": 1, "document": "FILE000001"},
        None,
        True,
    ),
    (
        "certificate must be an upload",
        "setWebhook",
        {"url": "https://a.b/hook", "certificate": 5},
        "expected InputFile",
        False,
    ),
    (
        "command with capitals",
        "setMyCommands",
        {"commands": [{"command": "Start", "description": "Begin"}]},
        "only lowercase",
        True,
    ),
    (
        "command description too long",
        "setMyCommands",
        {"commands": [{"command": "start", "description": "d" * 257}]},
        "257 characters",
        True,
    ),
    (
        "scope chat needs chat_id",
        "setMyCommands",
        {"commands": [], "scope": {"type": "chat"}},
        "'chat_id' is missing",
        False,
    ),
    (
        "scope type must be one of the subtypes",
        "setMyCommands",
        {"commands": [], "scope": {"type": "everyone"}},
        "must be",
        False,
    ),
    ("default scope", "setMyCommands", {"commands": [], "scope": {"type": "default"}}, None, True),
    ("unknown method", "sendTelepathy", {"chat_id": 1}, "no such method", False),
    ("methods are case-insensitive", "SENDMESSAGE", {"chat_id": 1, "text": "x"}, None, False),
]


@needs_spec
@pytest.mark.parametrize(("case", "method", "params", "expected", "builtin"), CASES)
def test_spec_validator(
    case: str, method: str, params: dict[str, Any], expected: str | None, builtin: bool
) -> None:
    problems = spec().problems(method, params)
    if expected is None:
        assert problems == [], case
    else:
        assert any(expected in problem for problem in problems), (case, problems)


@pytest.mark.parametrize(
    ("case", "method", "params", "expected"),
    [(c, m, p, e) for c, m, p, e, builtin in CASES if builtin],
)
def test_builtin_rules_without_the_spec(
    case: str, method: str, params: dict[str, Any], expected: str | None
) -> None:
    problems = builtin_problems(method, params)
    if expected is None:
        assert problems == [], case
    else:
        assert any(expected in problem for problem in problems), (case, problems)


@needs_spec
def test_problem_paths_point_at_the_field() -> None:
    markup = {
        "inline_keyboard": [
            [{"text": "a", "callback_data": "a"}, {"text": "b", "callback_data": "b" * 65}]
        ]
    }
    [problem] = spec().problems("sendMessage", {"chat_id": 1, "text": "x", "reply_markup": markup})
    assert problem.startswith("sendMessage.reply_markup.inline_keyboard[0][1].callback_data:")


@needs_spec
def test_requests_exactly_as_ptb_encodes_them_are_valid() -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="flow:1:yes")]])
    data = RequestData(
        [
            RequestParameter.from_input("chat_id", 42),
            RequestParameter.from_input("text", "<b>Hello</b>"),
            RequestParameter.from_input("parse_mode", "HTML"),
            RequestParameter.from_input("reply_markup", markup),
            RequestParameter.from_input("disable_notification", True),
        ]
    )
    assert spec().problems("sendMessage", data.json_parameters) == []
    scope = RequestData(
        [
            RequestParameter.from_input("commands", []),
            RequestParameter.from_input("scope", BotCommandScopeChat(chat_id=5)),
        ]
    )
    assert spec().problems("setMyCommands", scope.json_parameters) == []


@needs_spec
def test_type_problems_checks_nested_objects() -> None:
    update = {"update_id": 1, "message": {"message_id": 1, "chat": {"id": 1, "type": "private"}}}
    [problem] = spec().type_problems("Update", update)
    assert problem == "Update.message: required field 'date' is missing"


async def test_fake_answers_400_and_records_violations() -> None:
    fake = FakeTelegram(validator=VALIDATOR)
    fake.add_user(1)
    assert fake.spec_violations == []
    status, body = await fake.handle("sendMessage", {"chat_id": 1, "text": "x" * 4097})
    assert status == 400
    assert body["description"].startswith("Bad Request: sendMessage.text: 4097 characters")
    assert fake.spec_violations == ["sendMessage.text: 4097 characters, Telegram allows 1-4096"]


@needs_spec
async def test_unknown_methods_are_violations_and_404() -> None:
    fake = FakeTelegram(validator=VALIDATOR)
    status, _ = await fake.handle("sendTelepathy", {})
    assert status == 404
    assert fake.spec_violations == [f"sendTelepathy: no such method in {spec().version}"]


CALLBACK_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=80)


@given(data=CALLBACK_TEXT)
def test_callback_data_limit_counts_utf8_bytes(data: str) -> None:
    size = len(data.encode("utf-8"))
    params = {"chat_id": 1, "text": "x", "reply_markup": button(data)}
    problems = builtin_problems("sendMessage", params)
    assert bool(problems) == (not 1 <= size <= 64)
    if VALIDATOR is not None:
        assert bool(VALIDATOR.problems("sendMessage", params)) == bool(problems)


@given(
    tokens=st.lists(st.sampled_from(["a", "é", "&amp;", "&lt;", "<b>b</b>", "🙂"]), max_size=40),
    padding=st.integers(min_value=4040, max_value=4120),
)
def test_text_limit_is_measured_after_html_parsing(tokens: list[str], padding: int) -> None:
    text = "x" * padding + "".join(tokens)
    visible = padding + sum(1 if t.startswith("&") or t == "<b>b</b>" else len(t) for t in tokens)
    problems = builtin_problems("sendMessage", {"chat_id": 1, "text": text, "parse_mode": "HTML"})
    assert bool(problems) == (visible > 4096)
