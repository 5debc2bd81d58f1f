"""Property tests for the safety screen: it never fails, spans are honest, explicit is explicit.

Hypothesis generates arbitrary text (any Unicode, emoji, punctuation) and text built from words
the lexicon cares about, so the matcher, the guards and the span mapping all get exercised.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.safety import SafetyScreen
from bot.safety.lexicon import LEVEL_RANK
from bot.safety.normalize import flatten

ROOT = Path(__file__).resolve().parents[2]
CASES = [
    json.loads(line)
    for line in (ROOT / "tests" / "data" / "safety_cases.jsonl").read_text("utf-8").splitlines()
    if line.strip()
]
EXPLICIT = [case["text"] for case in CASES if case["group"] == "explicit"]
# Words that appear in the lexicon, so random sentences often touch a rule, a guard or a
# negation instead of never matching anything.
VOCABULARY = sorted(
    {word for case in CASES for word in case["text"].split()}
    | {"not", "never", "years", "ago", "used", "to", "but", "now", "fine", ",", ".", "!"}
)
SCREEN = SafetyScreen.load(ROOT / "content" / "locales" / "en")
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

any_text = st.text(max_size=400)
lexicon_text = st.lists(st.sampled_from(VOCABULARY), max_size=40).map(" ".join)
sentence_break = st.sampled_from([". ", "! ", "? ", "\n", ".\n", "... "])


@SETTINGS
@given(st.one_of(any_text, lexicon_text))
def test_never_raises_and_the_span_is_honest(text: str) -> None:
    got = SCREEN.screen(text)
    assert got.level in {"crisis", "check", "none"}
    if got.level == "none":
        assert (got.kind, got.span, got.phrase, got.category) == (None, None, None, None)
        return
    assert got.kind in {"self_harm", "abuse"}
    assert got.span is not None
    start, end = got.span
    assert 0 <= start < end <= len(text)
    assert got.phrase == text[start:end]
    assert got.to_dict() == {"level": got.level, "kind": got.kind, "category": got.category}
    # The category is one of the file's, of the same kind; guards only ever lower its level.
    kind, level = SCREEN.categories[str(got.category)]
    assert kind == got.kind
    assert LEVEL_RANK[got.level] <= LEVEL_RANK[level]


@SETTINGS
@given(st.one_of(any_text, lexicon_text))
def test_intent_never_raises(text: str) -> None:
    assert SCREEN.intent(text) in {None, "grounding"}


@SETTINGS
@given(
    phrase=st.sampled_from(EXPLICIT),
    before=st.one_of(any_text, lexicon_text),
    after=st.one_of(any_text, lexicon_text),
    gap_before=sentence_break,
    gap_after=sentence_break,
)
def test_an_explicit_phrase_anywhere_is_a_crisis(
    phrase: str, before: str, after: str, gap_before: str, gap_after: str
) -> None:
    # In its own sentence, nothing around it (negations, idioms, "years ago") can lower it.
    text = f"{before}{gap_before}{phrase}{gap_after}{after}"
    assert SCREEN.screen(text).level == "crisis"


@SETTINGS
@given(st.sampled_from(CASES), st.lists(st.booleans(), min_size=1, max_size=200))
def test_case_does_not_matter(case: dict[str, object], flips: list[bool]) -> None:
    text = str(case["text"])
    mixed = "".join(
        char.swapcase() if char.isascii() and flips[i % len(flips)] else char
        for i, char in enumerate(text)
    )
    assert SCREEN.screen(mixed).to_dict() == SCREEN.screen(text).to_dict()
    assert SCREEN.screen(text.upper()).to_dict() == SCREEN.screen(text.lower()).to_dict()
    assert SCREEN.intent(mixed) == SCREEN.intent(text)


@SETTINGS
@given(st.one_of(any_text, lexicon_text))
def test_normalised_text_is_words_between_single_spaces(text: str) -> None:
    flat = flatten(text)
    assert flat.text.startswith(" ")
    assert flat.text.endswith(" ")
    assert "  " not in flat.text
    assert flat.text.split() == flat.tokens
    assert [flat.text[s : s + len(t)] for s, t in zip(flat.starts, flat.tokens, strict=True)] == (
        flat.tokens
    )


@pytest.mark.parametrize(
    "text",
    [
        "he " * 1300,
        "i dont " * 570,
        "kill " * 800,
        "scared of him " * 280,
        "he hit me up " * 300,
        "a" * 4000,
        "x," * 2000,
        "💀" * 4000,
        "(" * 4000,
        "not " * 1000 + "kill myself",
    ],
)
def test_pathological_long_messages_finish_with_sensible_results(text: str) -> None:
    # No assertion on time (the benchmark measures it); these must simply complete.
    got = SCREEN.screen(text)
    assert got.level in {"crisis", "check", "none"}
    SCREEN.intent(text)


@SETTINGS
@given(lexicon_text)
def test_skipping_by_the_second_word_never_changes_a_match(text: str) -> None:
    # The matcher skips a word whose next word cannot continue any phrase; without that
    # shortcut it must find exactly the same matches.
    lexicon = SCREEN._lexicon
    flat = lexicon.text.flatten(text)
    for rule_set in (lexicon.explicit, lexicon.crisis, lexicon.check):
        plain = replace(rule_set.matcher, follow={})
        assert rule_set.matcher.scan(flat) == plain.scan(flat)
