"""Lesson Markdown becomes safe Telegram HTML: **bold** and *italic* only, all else escaped."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.content.html import html_problems, visible_length
from bot.content.markdown import markdown_problems, markdown_to_html


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a < b & c > d", "a &lt; b &amp; c &gt; d"),
        ("<b>not a tag</b>", "&lt;b&gt;not a tag&lt;/b&gt;"),
        ("fish &amp; chips", "fish &amp;amp; chips"),
        ("**bold** and *italic*", "<b>bold</b> and <i>italic</i>"),
        ("**bold with *italic* inside**", "<b>bold with <i>italic</i> inside</b>"),
        ("**5 < 6 & 7**", "<b>5 &lt; 6 &amp; 7</b>"),
        ("one line\nwrapped here", "one line wrapped here"),
        ("first\n\n\nsecond", "first\n\nsecond"),
        ("  indented  \n  too  ", "indented too"),
        ('"quotes" stay', '"quotes" stay'),
    ],
)
def test_markdown_to_html(source: str, expected: str) -> None:
    assert markdown_to_html(source) == expected


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("- a list item", "a list item"),
        ("1. a numbered step", "a numbered list"),
        ("### a deeper heading", "a heading other than '## '"),
        ("> a quote", "a block quote"),
        ("some `code`", "a backtick"),
        ("a [link](https://example.org)", "a Markdown link"),
        ("a <i>tag</i>", "an HTML tag"),
        ("__underline__", "'__'"),
        ("**open only", "without a partner"),
        ("**crossed *over** here*", "invalid HTML"),
    ],
)
def test_markdown_problems_name_what_is_unsupported(source: str, fragment: str) -> None:
    problems = markdown_problems(source)
    assert len(problems) == 1, problems
    assert fragment in problems[0]


def test_plain_paragraphs_have_no_problems() -> None:
    assert markdown_problems("Just words, 5 < 6 & a *bit* of **weight**.\n\nAnd more.") == []


_ALPHABET = st.sampled_from([*list("ab <>&*;#\n"), "**", "&amp;", "<b>", "\n\n"])


@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_clean_markdown_always_gives_valid_html(source: str) -> None:
    if markdown_problems(source):
        return
    assert html_problems(markdown_to_html(source)) == []


@given(st.text(st.characters(exclude_characters="*\r", exclude_categories=["Cs"]), max_size=80))
def test_text_without_emphasis_shows_exactly_as_written(source: str) -> None:
    converted = markdown_to_html(source)
    expected = "\n\n".join(
        " ".join(line.strip() for line in block.splitlines() if line.strip())
        for block in _blocks(source)
    )
    assert html.unescape(converted) == expected
    assert visible_length(converted) == len(expected)


def _blocks(source: str) -> list[str]:
    blocks: list[list[str]] = [[]]
    for line in source.splitlines():
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return ["\n".join(b) for b in blocks if b]
