"""Score the coach and the safety screen on a labelled set, in any language.

Shared by the quality tests (tests/unit/test_quality_languages.py) and the benchmark
(tests/benchmarks/bench_quality.py). A coach set is JSON lines of
`{"text", "verdict", "codes"}`; a safety set is JSON lines of `{"text", "level", "kind",
"group"}` with groups such as explicit, indirect, idiom, negation, neutral and abuse.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.coach import CODES, Coach
from bot.safety import Screening

DATA = Path(__file__).resolve().parent / "data"


def cases_file(kind: str, language: str) -> Path:
    """tests/data/coach_cases.jsonl for English, coach_cases_es.jsonl for Spanish, …"""
    suffix = "" if language == "en" else f"_{language}"
    return DATA / f"{kind}_cases{suffix}.jsonl"


def read_cases(path: Path) -> list[dict[str, Any]]:
    """The JSON lines of a case file (blank lines skipped)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@dataclass(frozen=True)
class CoachScores:
    """Verdict accuracy, per-code precision and recall, and the drafts it got wrong."""

    cases: int
    accuracy: float
    precision: dict[str, float]
    recall: dict[str, float]
    support: dict[str, int]
    misses: list[str]


def score_coach(coach: Coach, cases: list[dict[str, Any]]) -> CoachScores:
    """Run the coach over labelled drafts."""
    right = 0
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    misses = []
    for case in cases:
        analysis = coach.analyze(case["text"])
        got, want = set(analysis.codes), set(case["codes"])
        right += analysis.verdict == case["verdict"]
        for code in CODES:
            if code in got and code in want:
                tp[code] += 1
            elif code in got:
                fp[code] += 1
            elif code in want:
                fn[code] += 1
        if got != want or analysis.verdict != case["verdict"]:
            misses.append(f"{case['text']!r}: expected {sorted(want)}, got {sorted(got)}")
    precision = {c: tp[c] / (tp[c] + fp[c]) if tp[c] + fp[c] else 1.0 for c in CODES}
    recall = {c: tp[c] / (tp[c] + fn[c]) if tp[c] + fn[c] else 1.0 for c in CODES}
    support = {c: tp[c] + fn[c] for c in CODES}
    return CoachScores(len(cases), right / len(cases), precision, recall, support, misses)


@dataclass(frozen=True)
class SafetyScores:
    """Crisis recall, the false-crisis rate on idioms and accuracy per group."""

    cases: int
    crisis_recall: float
    missed_crises: list[str]
    idiom_false_crisis: float
    idiom_alarms: list[str]
    accuracy: float
    per_group: dict[str, float]


def score_safety(screen: Callable[[str], Screening], cases: list[dict[str, Any]]) -> SafetyScores:
    """Run a screen (one language's, or every language's as the bot does) over a set."""
    crises = [c for c in cases if c["level"] == "crisis"]
    missed = [c["text"] for c in crises if screen(c["text"]).level != "crisis"]
    idioms = [c for c in cases if c.get("group") == "idiom"]
    alarms = [c["text"] for c in idioms if screen(c["text"]).level == "crisis"]
    right: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for case in cases:
        group = case.get("group", "all")
        totals[group] += 1
        found = screen(case["text"])
        right[group] += found.level == case["level"] and (
            case["level"] == "none" or found.kind == case.get("kind")
        )
    return SafetyScores(
        cases=len(cases),
        crisis_recall=1 - len(missed) / len(crises) if crises else 1.0,
        missed_crises=missed,
        idiom_false_crisis=len(alarms) / len(idioms) if idioms else 0.0,
        idiom_alarms=alarms,
        accuracy=sum(right.values()) / len(cases),
        per_group={g: right[g] / totals[g] for g in sorted(totals)},
    )
