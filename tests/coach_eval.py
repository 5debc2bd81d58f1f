"""Score the statement coach on labelled draft sets; shared by the tests and the report.

A set is a JSON-lines file, one draft per line: `text`, `verdict` (`ready` or `try_again`),
`codes` (the issue codes a careful reader would give, empty exactly when ready) and, optionally,
`group` (what the draft is there to test, such as `sarcasm` or `self_absolute`). The labelling
policy is written at the top of tests/unit/test_coach_quality.py.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

DATA = Path(__file__).resolve().parent / "data"
# The sets the rules were tuned on, and the one written before tuning and never tuned against.
TUNED = (DATA / "coach_cases.jsonl", DATA / "coach_cases_subtle.jsonl")
HELD_OUT = (DATA / "coach_cases_heldout.jsonl",)
SPANISH = (DATA / "coach_cases_es.jsonl",)
SPANISH_HELD_OUT = (DATA / "coach_cases_es_heldout.jsonl",)
REQUIRED = frozenset({"text", "verdict", "codes"})


class _Analysis(Protocol):
    verdict: str

    @property
    def codes(self) -> tuple[str, ...]: ...


class _Coach(Protocol):
    def analyze(self, text: str) -> _Analysis: ...


@dataclass(frozen=True)
class Case:
    """One labelled draft."""

    text: str
    verdict: str
    codes: frozenset[str]
    group: str
    source: str


def load_cases(paths: Iterable[Path], known_codes: Sequence[str]) -> list[Case]:
    """Read and check labelled drafts; raise ValueError naming the file and line."""
    cases: list[Case] = []
    for path in paths:
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            raw = json.loads(line)
            if not REQUIRED <= set(raw) <= REQUIRED | {"group"}:
                raise ValueError(f"{where}: unexpected keys {sorted(raw)}")
            if raw["verdict"] not in ("ready", "try_again"):
                raise ValueError(f"{where}: bad verdict {raw['verdict']!r}")
            unknown = set(raw["codes"]) - set(known_codes)
            if unknown:
                raise ValueError(f"{where}: unknown code(s) {sorted(unknown)}")
            if (raw["verdict"] == "ready") != (not raw["codes"]):
                raise ValueError(f"{where}: a draft is ready exactly when it has no codes")
            group = raw.get("group", "")
            cases.append(Case(raw["text"], raw["verdict"], frozenset(raw["codes"]), group, where))
    return cases


@dataclass
class Scores:
    """Verdict accuracy, per-code counts and the drafts the coach read differently."""

    codes: tuple[str, ...]
    total: int = 0
    right: int = 0
    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    group_total: Counter[str] = field(default_factory=Counter)
    group_right: Counter[str] = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 1.0

    def support(self, code: str) -> int:
        return self.tp[code] + self.fn[code]

    def precision(self, code: str) -> float:
        found = self.tp[code] + self.fp[code]
        return self.tp[code] / found if found else 1.0

    def recall(self, code: str) -> float:
        return self.tp[code] / self.support(code) if self.support(code) else 1.0

    def exact(self) -> float:
        """Share of drafts whose whole set of codes was right."""
        return (self.total - len(self.misses)) / self.total if self.total else 1.0


def score(coach: _Coach, cases: Sequence[Case], codes: Sequence[str]) -> Scores:
    """Run the coach over `cases` and count what it got right."""
    scores = Scores(tuple(codes))
    for case in cases:
        analysis = coach.analyze(case.text)
        got = set(analysis.codes)
        scores.total += 1
        hit = analysis.verdict == case.verdict
        scores.right += hit
        if case.group:
            scores.group_total[case.group] += 1
            scores.group_right[case.group] += hit
        for code in codes:
            if code in got and code in case.codes:
                scores.tp[code] += 1
            elif code in got:
                scores.fp[code] += 1
            elif code in case.codes:
                scores.fn[code] += 1
        if got != case.codes or analysis.verdict != case.verdict:
            scores.misses.append(
                f"{case.source} {case.text!r}: expected {sorted(case.codes)}, got {sorted(got)}"
            )
    return scores


def report_lines(title: str, scores: Scores, *, misses: bool = True) -> list[str]:
    """Return a plain-text report: verdict accuracy, then precision and recall per code."""
    lines = [
        f"{title}: {scores.total} drafts",
        f"  verdict accuracy {scores.accuracy:.3f}   all codes right {scores.exact():.3f}",
        f"  {'code':21} {'drafts':>6} {'precision':>9} {'recall':>7}",
    ]
    for code in scores.codes:
        lines.append(
            f"  {code:21} {scores.support(code):6d} {scores.precision(code):9.3f}"
            f" {scores.recall(code):7.3f}"
        )
    if scores.group_total:
        lines.append(f"  {'group':21} {'drafts':>6} {'verdict':>9}")
        for group in sorted(scores.group_total):
            share = scores.group_right[group] / scores.group_total[group]
            lines.append(f"  {group:21} {scores.group_total[group]:6d} {share:9.3f}")
    if misses:
        lines.extend(f"  miss: {miss}" for miss in scores.misses)
    return lines
