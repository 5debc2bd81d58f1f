"""The Telegram HTML checker used by the content check and the fake Bot API."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.content.html import html_problems, visible_length


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "<b>bold</b> and <i>it</i>",
        'a <a href="https://x.org">link</a>',
        "&lt;3 &amp; &#128512;",
    ],
)
def test_valid_html_has_no_problems(text: str) -> None:
    assert html_problems(text) == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a & b", "bare '&'"),
        ("<div>x</div>", "<div> is not supported"),
        ("<b>open", "never closed"),
        ("<b>x</i>", "does not match"),
        ("&nbsp;", "&nbsp; is not supported"),
        ("<a>x</a>", "needs an href"),
    ],
)
def test_invalid_html_is_explained(text: str, problem: str) -> None:
    assert any(problem in p for p in html_problems(text))


@given(st.text(max_size=300))
def test_escaped_user_text_is_always_valid_and_keeps_its_length(text: str) -> None:
    escaped = html.escape(text, quote=False)
    assert html_problems(escaped) == []
    assert visible_length(escaped) == len(text)
