"""Issue and strength spans point at the exact words the user typed, however they typed them."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from bot.coach import Analysis, Coach

ROOT = Path(__file__).resolve().parents[2]


@cache
def coach() -> Coach:
    return Coach.load(ROOT / "content" / "locales" / "en")


def quotes(analysis: Analysis, code: str) -> list[str]:
    return [issue.quote for issue in analysis.issues if issue.code == code]


@pytest.mark.parametrize(
    ("text", "code", "quote"),
    [
        ("You never listen to me", "absolute", "never"),
        ("You never listen to me", "you_blame", "You never listen to me"),
        ("I feel abandoned when you go out", "faux_feeling", "abandoned"),
        ("I feel so taken for granted.", "faux_feeling", "taken for granted"),
        ("I don’t feel heard", "faux_feeling", "heard"),
        ("You make me feel invisible.", "make_me_feel", "You make me feel invisible"),
        ("I feel like you don't care about me.", "thought_as_feeling",
         "I feel like you don't care about me"),
        ("If you don't open up, I'm leaving.", "ultimatum", "If you don't open up, I'm leaving"),
        ("You need to listen.", "demand", "You need to listen"),
        ("Stop ignoring me", "demand", "Stop ignoring"),
        ("youre such a child", "label", "youre such a child"),
        ("Why do you always walk away?", "accusatory_question", "Why do you always walk away?"),
        ("u never text back", "absolute", "never"),
        ("YOU ALWAYS DO THIS", "absolute", "ALWAYS"),
        ("You’re so cold", "label", "You’re so cold"),
        ("I dont think you care", "you_blame", "I dont think you care"),
    ],
)  # fmt: skip
def test_quote_is_exactly_the_typed_words(text: str, code: str, quote: str) -> None:
    assert quotes(coach().analyze(text), code) == [quote]


def test_every_span_slices_the_original_text() -> None:
    text = "Ok. İ ﬁnally said it 😔 — you NEVER listen, and youre so selfish!! Why can't you?"
    analysis = coach().analyze(text)
    assert {i.code for i in analysis.issues} >= {"absolute", "label", "accusatory_question"}
    for issue in analysis.issues:
        start, end = issue.span
        assert 0 <= start <= end <= len(text)
        assert text[start:end] == issue.quote
    assert quotes(analysis, "absolute") == ["NEVER"]
    assert quotes(analysis, "label") == ["youre so selfish"]


def test_issues_are_ordered_by_where_they_start() -> None:
    text = "I feel ignored. You're selfish. If you don't change, we're done. Why won't you?"
    analysis = coach().analyze(text)
    starts = [issue.span[0] for issue in analysis.issues]
    assert starts == sorted(starts)
    assert [i.code for i in analysis.issues] == [
        "faux_feeling",
        "label",
        "ultimatum",
        "accusatory_question",
    ]


def test_strength_spans_point_at_the_feeling_moment_and_request() -> None:
    text = "When you cancelled last night I felt lonely. Could we pick another evening?"
    analysis = coach().analyze(text)
    assert analysis.verdict == "ready"
    found = {s.code: text[s.span[0] : s.span[1]] for s in analysis.strengths if s.span}
    assert found == {"feeling": "lonely", "situation": "When you", "need": "Could we"}
    assert analysis.feeling == "lonely"


def test_no_feeling_quotes_the_whole_draft_without_surrounding_space() -> None:
    text = "  We need to talk.  "
    (issue,) = coach().analyze(text).issues
    assert issue.code == "no_feeling"
    assert issue.quote == "We need to talk."
    assert text[issue.span[0] : issue.span[1]] == issue.quote


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_input_asks_for_a_feeling(text: str) -> None:
    analysis = coach().analyze(text)
    assert analysis.verdict == "try_again"
    assert [i.code for i in analysis.issues] == ["no_feeling"]
    assert analysis.issues[0].span == (0, 0)
    assert analysis.rewrite


def test_a_negated_feeling_is_reported_as_negated() -> None:
    analysis = coach().analyze("I don't feel safe when voices get raised.")
    assert analysis.verdict == "ready"
    assert analysis.feeling == "not safe"
    plain = coach().analyze("I'm not angry, I'm just sad.")
    assert plain.feeling == "sad"


def test_to_dict_has_the_documented_shape() -> None:
    data = coach().analyze("You never listen").to_dict()
    assert set(data) == {"verdict", "issues", "strengths", "feeling", "rewrite"}
    issues = data["issues"]
    assert isinstance(issues, list)
    assert set(issues[0]) == {"code", "span", "quote", "tip"}
    assert isinstance(issues[0]["span"], list)
