"""Measure the safety screen on a labelled set of messages, category by category.

A labelled set is a JSON Lines file, one message a line:
`{"text": ..., "level": "crisis"|"check"|"none", "kind": "self_harm"|"abuse"|null,
"category": <a category id of the screen file>|null, "group": ..., "split": ...}`.
`group` is `risk` for a warning sign, `idiom`, `negation` or `neutral` for a message that must
not alarm, and `borderline` for a case decided in the screen file's notes (it counts for its
category when it has one, and is reported on its own). `split` is `tuning` (the phrases were
tuned on it) or `heldout` (written before the tuning and never used for it).

The report gives, per category, recall (the share flagged at all), the share at exactly the
labelled level and the number screened lower than labelled (under-triage); false alarms per
group of the messages that must not alarm; and the same totals per split. `python -m bot
analyze --set FILE` prints it; the unit tests hold the bars.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bot.safety.lexicon import LEVEL_RANK
from bot.safety.screen import SafetyScreen

Level = Literal["crisis", "check", "none"]
GROUPS = ("risk", "idiom", "negation", "neutral", "borderline")
QUIET_GROUPS = ("idiom", "negation", "neutral")  # messages that must not alarm
SPLITS = ("tuning", "heldout")
_FIELDS = {"text", "level", "kind", "category", "group", "split"}


class CaseError(ValueError):
    """A labelled set that cannot be read; the message names the line."""


@dataclass(frozen=True, slots=True)
class Case:
    """One labelled message."""

    text: str
    level: Level
    kind: str | None
    category: str | None
    group: str
    split: str
    line: int

    @property
    def positive(self) -> bool:
        """True when the message should raise the screen at all."""
        return self.level != "none"


def load_cases(path: Path, categories: dict[str, tuple[str, str]] | None = None) -> list[Case]:
    """Read a labelled set; with the screen's categories, check every label against them."""
    cases: list[Case] = []
    problems: list[str] = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path}:{number}: not JSON ({exc.msg})")
            continue
        problem = _label_problem(raw, categories)
        if problem:
            problems.append(f"{path}:{number}: {problem}")
            continue
        cases.append(
            Case(
                raw["text"],
                raw["level"],
                raw["kind"],
                raw["category"],
                raw["group"],
                raw["split"],
                number,
            )
        )
    if problems:
        raise CaseError("\n".join(problems))
    return cases


def _label_problem(raw: object, categories: dict[str, tuple[str, str]] | None) -> str:
    if not isinstance(raw, dict) or set(raw) != _FIELDS:
        return f"needs exactly the fields {', '.join(sorted(_FIELDS))}"
    if not isinstance(raw["text"], str) or not raw["text"].strip():
        return "text must be a non-empty string"
    if raw["level"] not in LEVEL_RANK:
        return f"unknown level {raw['level']!r}"
    if raw["group"] not in GROUPS:
        return f"unknown group {raw['group']!r} (one of {', '.join(GROUPS)})"
    if raw["split"] not in SPLITS:
        return f"unknown split {raw['split']!r} (one of {', '.join(SPLITS)})"
    if (raw["level"] == "none") != (raw["kind"] is None) or (raw["kind"] is None) != (
        raw["category"] is None
    ):
        return "a message that should not alarm has no kind and no category; any other has both"
    if raw["group"] in QUIET_GROUPS and raw["level"] != "none":
        return f"group {raw['group']} is for messages that must not alarm"
    if raw["group"] == "risk" and raw["level"] == "none":
        return "group risk needs a level"
    category = raw["category"]
    if categories is not None and category is not None:
        if category not in categories:
            return f"unknown category {category!r}"
        if categories[category][0] != raw["kind"]:
            return f"category {category} is {categories[category][0]}, not {raw['kind']}"
    return ""


@dataclass(slots=True)
class CategoryFigures:
    """How the screen did on one category's messages."""

    id: str
    kind: str
    level: str
    messages: int = 0
    flagged: int = 0
    exact: int = 0
    under: int = 0  # screened lower than labelled (flagged or not)
    same_category: int = 0
    missed: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        """The share of its messages the screen flagged at all."""
        return self.flagged / self.messages if self.messages else 1.0


@dataclass(slots=True)
class QuietFigures:
    """False alarms on messages that must not alarm."""

    messages: int = 0
    crisis: list[str] = field(default_factory=list)
    check: list[str] = field(default_factory=list)

    @property
    def alarms(self) -> int:
        """How many raised the screen at any level."""
        return len(self.crisis) + len(self.check)


@dataclass(slots=True)
class Report:
    """The figures for one set of messages (a whole file or one split)."""

    name: str
    categories: dict[str, CategoryFigures]
    quiet: dict[str, QuietFigures]
    borderline: int = 0
    borderline_agree: int = 0
    wrong_level: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def positives(self) -> int:
        """How many messages should raise the screen."""
        return sum(figures.messages for figures in self.categories.values())

    @property
    def recall(self) -> float:
        """The share of those the screen flagged."""
        total = self.positives
        return sum(f.flagged for f in self.categories.values()) / total if total else 1.0

    @property
    def level_accuracy(self) -> float:
        """The share of those screened at exactly the labelled level."""
        total = self.positives
        return sum(f.exact for f in self.categories.values()) / total if total else 1.0

    @property
    def under_triage(self) -> int:
        """How many were screened lower than labelled."""
        return sum(f.under for f in self.categories.values())

    def to_dict(self) -> dict[str, object]:
        """The figures as plain data (for --json)."""
        return {
            "name": self.name,
            "positives": self.positives,
            "recall": round(self.recall, 4),
            "level_accuracy": round(self.level_accuracy, 4),
            "under_triage": self.under_triage,
            "categories": {
                c.id: {
                    "kind": c.kind,
                    "level": c.level,
                    "messages": c.messages,
                    "recall": round(c.recall, 4),
                    "exact_level": c.exact,
                    "under_triage": c.under,
                    "same_category": c.same_category,
                    "missed": c.missed,
                }
                for c in self.categories.values()
            },
            "false_alarms": {
                group: {
                    "messages": q.messages,
                    "crisis": q.crisis,
                    "check": q.check,
                    "rate": round(q.alarms / q.messages, 4) if q.messages else 0.0,
                }
                for group, q in self.quiet.items()
            },
            "borderline": {"messages": self.borderline, "agree": self.borderline_agree},
            "wrong_level": [list(row) for row in self.wrong_level],
        }

    def lines(self) -> list[str]:
        """The figures as a readable table."""
        out = [
            f"== {self.name}: {self.positives} warning signs, recall {self.recall:.3f}, "
            f"exact level {self.level_accuracy:.3f}, under-triage {self.under_triage}",
            f"{'category':20} {'kind':9} {'level':6} {'n':>4} {'recall':>7} {'level ok':>8} "
            f"{'same cat':>8}",
        ]
        for c in self.categories.values():
            if not c.messages:
                continue
            out.append(
                f"{c.id:20} {c.kind:9} {c.level:6} {c.messages:4} {c.recall:7.3f} "
                f"{c.exact:8} {c.same_category:8}"
            )
            out.extend(f"    missed: {text}" for text in c.missed)
        out.append(f"{'false alarms':20} {'n':>4} {'crisis':>7} {'check':>6} {'rate':>6}")
        for group, q in self.quiet.items():
            rate = q.alarms / q.messages if q.messages else 0.0
            out.append(f"{group:20} {q.messages:4} {len(q.crisis):7} {len(q.check):6} {rate:6.3f}")
            out.extend(f"    crisis: {text}" for text in q.crisis)
            out.extend(f"    check: {text}" for text in q.check)
        out.append(
            f"borderline (decided in screen.yml): {self.borderline_agree}/{self.borderline}"
        )
        out.extend(
            f"    labelled {want}, screened {got} ({category}): {text}"
            for text, category, want, got in self.wrong_level
        )
        return out


def evaluate(screen: SafetyScreen, cases: Iterable[Case], name: str = "all") -> Report:
    """Screen every message and collect the figures."""
    categories = {
        cid: CategoryFigures(cid, kind, level) for cid, (kind, level) in screen.categories.items()
    }
    quiet = {group: QuietFigures() for group in QUIET_GROUPS}
    report = Report(name, categories, quiet)
    for case in cases:
        got = screen.screen(case.text)
        if case.group in QUIET_GROUPS:
            figures = quiet[case.group]
            figures.messages += 1
            if got.level == "crisis":
                figures.crisis.append(case.text)
            elif got.level == "check":
                figures.check.append(case.text)
            continue
        if case.group == "borderline":
            report.borderline += 1
            report.borderline_agree += got.level == case.level
        if case.level != got.level:
            report.wrong_level.append((case.text, str(case.category), case.level, got.level))
        if case.category is None:
            continue
        category = categories[case.category]
        category.messages += 1
        category.flagged += got.level != "none"
        category.exact += got.level == case.level
        category.under += LEVEL_RANK[got.level] < LEVEL_RANK[case.level]
        category.same_category += got.category == case.category
        if got.level == "none":
            category.missed.append(case.text)
    return report


def evaluate_splits(screen: SafetyScreen, cases: Sequence[Case]) -> list[Report]:
    """One report for the whole set, then one per split that has messages."""
    reports = [evaluate(screen, cases, "all")]
    for split in SPLITS:
        part = [case for case in cases if case.split == split]
        if part:
            reports.append(evaluate(screen, part, split))
    return reports
