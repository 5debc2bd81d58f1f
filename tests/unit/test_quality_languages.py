"""Quality bars per language, on labelled sets in tests/data/ (tests/quality.py scores them).

Spanish: the coach on tests/data/coach_cases_es.jsonl (at least 150 drafts, verdict accuracy
0.95 or better, recall 0.9 or better for every issue code that occurs) and the safety screen on
tests/data/safety_cases_es.jsonl (at least 80 messages, every crisis found, at most 10% of
idioms raising a false crisis). The screen measured is the bot's: every language's screen on
every message. English must not get worse with Spanish loaded: the English safety set goes
through the same multilingual screen. Figures are printed (`pytest -s`); the benchmark
tests/benchmarks/bench_quality.py prints them as JSON.
"""

from __future__ import annotations

import pytest
from quality import cases_file, read_cases, score_coach, score_safety

from bot.coach import CODES
from bot.domain.locales import Locales


def _spanish_set(kind: str) -> list[dict[str, object]]:
    path = cases_file(kind, "es")
    if not path.exists():
        pytest.skip(f"{path.name} is not there yet (the Spanish {kind} set is being written)")
    return read_cases(path)


def test_spanish_coach_meets_the_bars(locales: Locales) -> None:
    spanish = locales.get("es")
    if "coach" in spanish.borrowed:
        pytest.skip("locales/es/coach/ is not there yet: Spanish borrows the English coach")
    cases = _spanish_set("coach")
    assert len(cases) >= 150, f"only {len(cases)} Spanish drafts"
    scores = score_coach(spanish.coach, cases)
    print(f"\nSpanish coach: verdict accuracy {scores.accuracy:.3f} on {scores.cases} drafts")
    for code in CODES:
        print(f"  {code:20} recall {scores.recall[code]:.3f} (of {scores.support[code]})")
    for miss in scores.misses:
        print("  miss:", miss)
    low = [f"accuracy {scores.accuracy:.2f}"] if scores.accuracy < 0.95 else []
    low += [
        f"{code} recall {scores.recall[code]:.2f}"
        for code in CODES
        if scores.support[code] and scores.recall[code] < 0.9
    ]
    assert not low, ", ".join(low) + "\n" + "\n".join(scores.misses)


def test_spanish_safety_meets_the_bars(locales: Locales) -> None:
    spanish = locales.get("es")
    if "safety/screen.yml" in spanish.borrowed:
        pytest.skip("locales/es/safety/screen.yml is not there yet: no Spanish screen to measure")
    cases = _spanish_set("safety")
    assert len(cases) >= 80, f"only {len(cases)} Spanish messages"
    scores = score_safety(locales.screen, cases)
    print(
        f"\nSpanish safety: crisis recall {scores.crisis_recall:.3f}, idiom false crisis "
        f"{scores.idiom_false_crisis:.3f}, accuracy {scores.accuracy:.3f} on {scores.cases}"
    )
    assert scores.crisis_recall == 1.0, scores.missed_crises
    assert scores.idiom_false_crisis <= 0.10, scores.idiom_alarms


def test_english_safety_does_not_drop_with_every_language_screening(locales: Locales) -> None:
    cases = read_cases(cases_file("safety", "en"))
    alone = score_safety(locales.english.safety.screen, cases)
    together = score_safety(locales.screen, cases)
    print(
        f"\nEnglish safety, English screen alone: idiom false crisis "
        f"{alone.idiom_false_crisis:.3f}, accuracy {alone.accuracy:.3f}; with every language: "
        f"{together.idiom_false_crisis:.3f}, {together.accuracy:.3f}"
    )
    assert together.crisis_recall >= alone.crisis_recall
    assert together.idiom_alarms == alone.idiom_alarms, "another language alarms on English"
    assert together.accuracy >= alone.accuracy - 0.01
