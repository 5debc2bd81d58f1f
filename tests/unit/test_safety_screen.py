"""Quality of the safety screen on the hand-written case set, plus its exact behaviours.

The case set (tests/data/safety_cases.jsonl) holds messages we wrote for each group: explicit
crisis phrases, indirect signals, idioms, negations, neutral chat and abuse. The bars: every
explicit phrase is a crisis, under 10% of idioms raise a false crisis, and at least 90% of all
cases get the right level (and kind). Run with -s to see the figures.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bot.safety import SafetyScreen, Screening

ROOT = Path(__file__).resolve().parents[2]
CASES_FILE = ROOT / "tests" / "data" / "safety_cases.jsonl"
GROUPS = {"explicit", "indirect", "idiom", "negation", "neutral", "abuse"}


def _cases() -> list[dict[str, Any]]:
    with CASES_FILE.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


CASES = _cases()


@pytest.fixture(scope="module")
def screen() -> SafetyScreen:
    return SafetyScreen.load(ROOT / "content" / "locales" / "en")


def _right(case: dict[str, Any], got: Screening) -> bool:
    return (got.level, got.kind) == (case["level"], case["kind"])


def test_case_file_is_well_formed() -> None:
    assert len(CASES) >= 120
    for case in CASES:
        assert set(case) <= {"text", "level", "kind", "group", "intent"}, case
        assert case["group"] in GROUPS, case
        assert case["level"] in {"crisis", "check", "none"}, case
        assert (case["kind"] is None) == (case["level"] == "none"), case
    counts = Counter(case["group"] for case in CASES)
    assert all(counts[group] >= 15 for group in GROUPS), counts


def test_explicit_recall_is_total(screen: SafetyScreen) -> None:
    explicit = [case for case in CASES if case["group"] == "explicit"]
    missed = [case["text"] for case in explicit if screen.screen(case["text"]).level != "crisis"]
    recall = 1 - len(missed) / len(explicit)
    print(f"\nsafety explicit recall: {recall:.3f} ({len(explicit)} phrases)")
    assert not missed, missed


def test_idioms_rarely_raise_a_crisis(screen: SafetyScreen) -> None:
    idioms = [case for case in CASES if case["group"] == "idiom"]
    alarms = [case["text"] for case in idioms if screen.screen(case["text"]).level == "crisis"]
    rate = len(alarms) / len(idioms)
    print(f"\nsafety idiom false-crisis rate: {rate:.3f} ({len(alarms)}/{len(idioms)})")
    assert rate < 0.10, alarms


def test_overall_accuracy(screen: SafetyScreen) -> None:
    wrong = []
    per_group: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for case in CASES:
        got = screen.screen(case["text"])
        totals[case["group"]] += 1
        if _right(case, got):
            per_group[case["group"]] += 1
        else:
            wrong.append((case["text"], case["level"], case["kind"], got.level, got.kind))
    level_accuracy = sum(
        screen.screen(case["text"]).level == case["level"] for case in CASES
    ) / len(CASES)
    accuracy = sum(per_group.values()) / len(CASES)
    print(f"\nsafety level accuracy: {level_accuracy:.3f}; level+kind: {accuracy:.3f}")
    for group in sorted(totals):
        print(f"  {group:9} {per_group[group]}/{totals[group]}")
    assert level_accuracy >= 0.9, wrong
    assert accuracy >= 0.9, wrong


@pytest.mark.parametrize(
    "text",
    [case["text"] for case in CASES if case["group"] == "explicit"],
)
def test_each_explicit_phrase_is_a_crisis(screen: SafetyScreen, text: str) -> None:
    assert screen.screen(text).level == "crisis"


@pytest.mark.parametrize(
    ("text", "level", "kind"),
    [
        # The examples the brief names, one by one.
        ("I want to kill myself", "crisis", "self_harm"),
        ("i want to die", "crisis", "self_harm"),
        ("kms", "crisis", "self_harm"),
        ("I'm going to end it all", "crisis", "self_harm"),
        ("I've been cutting myself", "crisis", "self_harm"),
        ("I took a bunch of pills", "crisis", "self_harm"),
        ("no reason to live", "crisis", "self_harm"),
        ("better off without me", "crisis", "self_harm"),
        ("he hit me", "crisis", "abuse"),
        ("she choked me", "crisis", "abuse"),
        ("I'm scared he will hurt me", "crisis", "abuse"),
        ("he threatened to kill me", "crisis", "abuse"),
        ("I'm afraid to go home", "crisis", "abuse"),
        ("he won't let me leave", "crisis", "abuse"),
        ("she controls my money and my phone", "crisis", "abuse"),
        ("I don't want to be here anymore", "check", "self_harm"),
        ("what's the point of anything", "check", "self_harm"),
        ("I can't do this anymore", "check", "self_harm"),
        ("I wish I could disappear", "check", "self_harm"),
        ("sometimes he scares me", "check", "abuse"),
        ("he gets really angry and throws things", "check", "abuse"),
        ("this deadline is killing me", "none", None),
        ("I'm dying to see you", "none", None),
        ("I could kill for a coffee", "none", None),
        ("my feet are killing me", "none", None),
        ("that joke killed me", "none", None),
        ("I nearly died laughing", "none", None),
        ("the suspense is killing me", "none", None),
        ("he'd kill me if I ate his fries", "none", None),
        ("I'm not suicidal", "none", None),
        ("I would never hurt myself", "none", None),
        ("I don't want to die, I just want to feel closer", "none", None),
        ("a character in the show killed himself", "none", None),
    ],
)
def test_brief_examples(screen: SafetyScreen, text: str, level: str, kind: str | None) -> None:
    got = screen.screen(text)
    assert (got.level, got.kind) == (level, kind)


@pytest.mark.parametrize(
    "text",
    [
        "I'm not suicidal, I just want to die",
        "I don't want to talk about it. I want to kill myself.",
        "No, I want to die.",
        "I never thought I would want to die",
        "I'm fine, honestly. Anyway. I want to kill myself.",
    ],
)
def test_negation_elsewhere_does_not_cancel_an_explicit_phrase(
    screen: SafetyScreen, text: str
) -> None:
    assert screen.screen(text).level == "crisis"


@pytest.mark.parametrize(
    "text",
    [
        "I'M GOING TO KILL MYSELF",
        "im gonna kill myself",
        "i dont want to be alive anymore",
        "i want to diiiiie",
        "I want to kill myself!!!",
        "i want to kill myself 😭😭😭",
        "I\u2019m going to end it all",
        "i...want to die",
        "ugh. kms.",
        "I want to unalive myself",
    ],
)
def test_spelling_case_punctuation_and_emoji(screen: SafetyScreen, text: str) -> None:
    assert screen.screen(text).level == "crisis"


def test_to_dict_has_level_kind_and_category(screen: SafetyScreen) -> None:
    got = screen.screen("I want to kill myself")
    assert got.to_dict() == {
        "level": "crisis",
        "kind": "self_harm",
        "category": "suicidal_thoughts",
    }
    assert screen.screen("hello").to_dict() == {"level": "none", "kind": None, "category": None}


def test_span_points_at_the_phrase_in_the_original(screen: SafetyScreen) -> None:
    text = "Long day.  Honestly I\u2019ve been CUTTING myself again 😞"
    got = screen.screen(text)
    assert got.span is not None
    assert got.phrase == text[got.span[0] : got.span[1]]
    assert got.phrase is not None
    assert "CUTTING myself" in got.phrase


def test_none_has_no_span(screen: SafetyScreen) -> None:
    got = screen.screen("We had a lovely walk today.")
    assert (got.level, got.kind, got.phrase, got.span) == ("none", None, None, None)


def test_self_harm_wins_over_abuse_at_the_same_level(screen: SafetyScreen) -> None:
    got = screen.screen("he hit me and now I want to die")
    assert (got.level, got.kind) == ("crisis", "self_harm")


def test_crisis_wins_over_an_earlier_check(screen: SafetyScreen) -> None:
    got = screen.screen("sometimes he scares me. last night he choked me")
    assert (got.level, got.kind) == ("crisis", "abuse")
    assert got.phrase == "he choked me"


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("I was suicidal years ago", "check"),
        ("I was suicidal years ago but I'm in a much better place now", "none"),
        ("I used to want to die", "check"),
        ("I used to want to die but I'm in a better place now", "none"),
        ("I tried to kill myself when I was 16, but I'm doing well now", "none"),
        ("I tried to kill myself last night", "crisis"),
        ("my ex used to hit me but we divorced years ago", "none"),
    ],
)
def test_history_and_resolution(screen: SafetyScreen, text: str, level: str) -> None:
    assert screen.screen(text).level == level


def test_negation_is_close_and_in_the_same_clause(screen: SafetyScreen) -> None:
    assert screen.screen("I'm not going to kill myself").level == "none"
    assert screen.screen("I have no intention of killing myself").level == "none"
    # A negation four clauses away changes nothing.
    assert screen.screen("I don't know, maybe, honestly, I want to die").level == "crisis"
    # Not a filler between the negation and the phrase: no negation.
    assert screen.screen("I don't know why I want to die").level == "crisis"


def test_someone_elses_suicide_and_kys(screen: SafetyScreen) -> None:
    assert screen.screen("my uncle committed suicide when I was a kid").level == "none"
    assert screen.screen("kys").level == "none"
    kys = screen.screen("i should just kys")
    assert (kys.level, kys.kind) == ("crisis", "self_harm")
    told = screen.screen("he told me to kys")
    assert (told.level, told.kind, told.category) == ("crisis", "abuse", "threats")
    assert screen.screen("sh").level == "none"


def test_empty_and_symbol_only_messages(screen: SafetyScreen) -> None:
    for text in ("", " ", "...", "💀💀💀", "\n\n", "'''"):
        assert screen.screen(text).level == "none"
