"""The Telegram HTML checker used by the content check and the fake Bot API."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.content.html import html_problems, shorten, visible_length


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


@given(st.text(max_size=300), st.integers(min_value=2, max_value=120))
def test_shorten_keeps_one_line_within_the_limit(text: str, limit: int) -> None:
    short = shorten(text, limit)
    assert len(short) <= limit
    assert "\n" not in short
    assert short == " ".join(text.split()) or short.endswith("…")


def test_shorten_cuts_at_a_word_edge_without_a_dangling_space() -> None:
    assert shorten("Why are you\nignoring me?", 40) == "Why are you ignoring me?"
    assert shorten("Why are you ignoring me?", 9) == "Why are…"
