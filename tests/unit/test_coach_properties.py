"""Whatever a user types, the coach answers: no exception, sane spans, valid Telegram HTML."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coach import Analysis, Coach
from bot.coach.feedback import quote_html
from bot.content.html import html_problems

ROOT = Path(__file__).resolve().parents[2]

# Words the rules care about, so generated drafts actually reach the detectors.
VOCABULARY = " ".join(
    [
        "i you u ur youre you're your we it this that me my never always every time all the",
        "feel felt feeling like that as if though am not don't dont do did didn't care listen",
        "love hurt sad lonely ignored abandoned heard make made makes so such selfish cold if",
        "or else i'm leaving done we're over need to should must have stop just why what how",
        "could wrong with when last night would be open to thank thanks & < > \" ' 😔 İ",
    ]
).split()
PUNCTUATION = ["", "", "", ",", ".", "!", "?", "...", "\n", " -", ";"]

words = st.builds(
    lambda word, upper, punct: (word.upper() if upper else word) + punct,
    st.sampled_from(VOCABULARY),
    st.booleans(),
    st.sampled_from(PUNCTUATION),
)
drafts = st.lists(words, max_size=40).map(" ".join)


@cache
def coach() -> Coach:
    return Coach.load(ROOT / "content" / "locales" / "en")


def check(text: str) -> Analysis:
    analysis = coach().analyze(text)
    assert analysis.text == text
    previous = 0
    for issue in analysis.issues:
        start, end = issue.span
        assert 0 <= start <= end <= len(text)
        assert text[start:end] == issue.quote
        assert start >= previous  # ordered by where they start
        previous = start
        assert issue.tip
        assert html_problems(issue.tip) == []
    for strength in analysis.strengths:
        if strength.span is not None:
            assert 0 <= strength.span[0] <= strength.span[1] <= len(text)
    assert (analysis.verdict == "ready") == (not analysis.issues)
    if analysis.verdict == "ready":
        assert analysis.rewrite is None
        assert analysis.feeling
    else:
        assert analysis.rewrite
        assert "<" not in analysis.rewrite or "<" in text
    json.dumps(analysis.to_dict())

    html = coach().feedback_html(analysis)
    assert html_problems(html) == [], html
    chosen = coach().select_feedback(analysis)
    assert len(chosen.suggestions) <= 2
    assert len({issue.code for issue in chosen.suggestions}) == len(chosen.suggestions)
    for issue in chosen.suggestions:
        if issue.code != "no_feeling" and issue.quote.strip():
            assert quote_html(issue.quote.strip()) in html
    return analysis


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gets_a_sane_analysis(text: str) -> None:
    check(text)


@settings(max_examples=500, deadline=None)
@given(drafts)
def test_drafts_made_of_trigger_words_get_a_sane_analysis(text: str) -> None:
    check(text)


@given(drafts)
def test_analysis_is_deterministic(text: str) -> None:
    assert coach().analyze(text) == coach().analyze(text)


def test_very_long_drafts_are_handled() -> None:
    for text in (
        "you never listen and " * 500,
        "I feel like " * 900,
        "if you dont " * 900 + " im leaving",
        "every time i you " * 600,
        "x" * 10_000,
        "why " * 2500,
    ):
        analysis = check(text)
        assert analysis.verdict == "try_again"
