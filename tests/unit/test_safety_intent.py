"""The grounding intent: words that ask for calm, and look-alikes that do not.

Every line of tests/data/safety_cases.jsonl says which intent it expects (missing means none),
so the whole case set doubles as the intent test; run with -s to see the figures.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.safety import SafetyScreen

ROOT = Path(__file__).resolve().parents[2]
CASES = [
    json.loads(line)
    for line in (ROOT / "tests" / "data" / "safety_cases.jsonl").read_text("utf-8").splitlines()
    if line.strip()
]


@pytest.fixture(scope="module")
def screen() -> SafetyScreen:
    return SafetyScreen.load(ROOT / "content" / "locales" / "en")


def test_intent_on_the_case_set(screen: SafetyScreen) -> None:
    positives = [case for case in CASES if case.get("intent") == "grounding"]
    negatives = [case for case in CASES if case.get("intent") is None]
    assert len(positives) >= 20
    missed = [case["text"] for case in positives if screen.intent(case["text"]) != "grounding"]
    false = [case["text"] for case in negatives if screen.intent(case["text"]) is not None]
    recall = 1 - len(missed) / len(positives)
    false_rate = len(false) / len(negatives)
    print(f"\ngrounding intent recall {recall:.3f}, false positives {len(false)}/{len(negatives)}")
    assert recall >= 0.9, missed
    assert false_rate <= 0.02, false


@pytest.mark.parametrize(
    "text",
    [
        "I'm panicking",
        "I need to calm down",
        "overwhelmed right now",
        "my heart is racing",
        "help me breathe",
        "panic attack",
        "I can't breathe properly",
        "freaking out",
        "IM PANICKING!!!",
        "i cant breathe properly 😰",
    ],
)
def test_asks_for_calm(screen: SafetyScreen, text: str) -> None:
    assert screen.intent(text) == "grounding"


@pytest.mark.parametrize(
    "text",
    [
        "I'm not panicking",
        "the movie had a racing scene",
        "he told me to calm down",
        "don't freak out",
        "I'm not overwhelmed, just tired",
        "I'm overwhelmed with love for him",
        "calm down",
        "",
        "hello",
    ],
)
def test_does_not_ask_for_calm(screen: SafetyScreen, text: str) -> None:
    assert screen.intent(text) is None
