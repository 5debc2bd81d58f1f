"""The safety screen on the labelled set, category by category (tests/data/safety_labelled.jsonl).

The set holds warning signs for every category of content/safety/screen.yml, written the way
people type in distress, and messages that must not alarm: idioms of death and violence,
negations and ordinary relationship talk. Part of it (`split: heldout`) was written before
the phrases were tuned. The bars: every category flagged in full, never lower than labelled,
and no idiom raising the screen at all. `python -m bot analyze --set` prints the figures.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.safety import SafetyScreen
from bot.safety.evaluate import QUIET_GROUPS, Case, CaseError, Report, evaluate, load_cases

ROOT = Path(__file__).resolve().parents[2]
SET_FILE = ROOT / "tests" / "data" / "safety_labelled.jsonl"


@pytest.fixture(scope="module")
def screen() -> SafetyScreen:
    return SafetyScreen.load(ROOT / "content" / "locales" / "en")


@pytest.fixture(scope="module")
def cases(screen: SafetyScreen) -> list[Case]:
    return load_cases(SET_FILE, screen.categories)


@pytest.fixture(scope="module")
def report(screen: SafetyScreen, cases: list[Case]) -> Report:
    return evaluate(screen, cases)


def test_the_set_is_large_balanced_and_covers_every_category(
    screen: SafetyScreen, cases: list[Case]
) -> None:
    assert len(cases) >= 300
    positives = sum(case.positive for case in cases)
    assert 0.4 <= positives / len(cases) <= 0.6, positives
    per_category = Counter(case.category for case in cases if case.positive)
    assert set(per_category) == set(screen.categories), set(screen.categories) - set(per_category)
    assert min(per_category.values()) >= 3, per_category
    assert {case.split for case in cases} == {"tuning", "heldout"}
    assert len({case.text.lower() for case in cases}) == len(cases), "duplicate messages"
    for case in cases:
        if case.category is not None:
            assert screen.categories[case.category][0] == case.kind, case


def test_every_category_is_flagged_in_full(report: Report) -> None:
    print()
    print("\n".join(report.lines()))
    missed = {c.id: c.missed for c in report.categories.values() if c.recall < 1.0}
    assert not missed


def test_no_warning_sign_is_screened_lower_than_labelled(report: Report) -> None:
    lower = [
        (text, want, got)
        for text, _, want, got in report.wrong_level
        if ["none", "check", "crisis"].index(got) < ["none", "check", "crisis"].index(want)
    ]
    assert report.under_triage == 0, lower
    assert not lower


def test_idioms_never_alarm(report: Report) -> None:
    idioms = report.quiet["idiom"]
    assert idioms.messages >= 150
    assert idioms.crisis == [] and idioms.check == []


def test_negations_and_ordinary_talk_never_raise_a_crisis(report: Report) -> None:
    for group in QUIET_GROUPS:
        assert report.quiet[group].crisis == [], group
    # A wrong question costs one message; keep them rare and look at each one.
    checks = [text for group in QUIET_GROUPS for text in report.quiet[group].check]
    quiet = sum(report.quiet[group].messages for group in QUIET_GROUPS)
    assert len(checks) / quiet <= 0.01, checks


def test_the_labels_are_checked_against_the_screen(tmp_path: Path, screen: SafetyScreen) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(
        '{"text": "x", "level": "check", "kind": "abuse", "category": "burden", '
        '"group": "risk", "split": "tuning"}\n'
        '{"text": "y", "level": "none", "kind": null, "category": null, '
        '"group": "idiom", "split": "later"}\n'
        '{"text": "z", "level": "check", "kind": "abuse", "category": "nonsense", '
        '"group": "risk", "split": "tuning"}\n',
        "utf-8",
    )
    with pytest.raises(CaseError) as caught:
        load_cases(path, screen.categories)
    message = str(caught.value)
    assert f"{path}:1: category burden is self_harm, not abuse" in message
    assert f"{path}:2: unknown split 'later'" in message
    assert f"{path}:3: unknown category 'nonsense'" in message
