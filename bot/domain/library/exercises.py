"""Grounding exercises as content: ``exercises/<id>.yml``, one of three kinds.

``paced`` exercises are timed breathing phases repeated for some cycles (the bot edits one
message per phase), ``interactive`` ones ask for a few items step by step (5-4-3-2-1), and
``guided`` ones are pages read at the user's pace.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from bot.content.errors import ContentProblem
from bot.content.loading import (
    BUTTON_LIMIT,
    SUMMARY_LIMIT,
    TITLE_LIMIT,
    Report,
    Strict,
    clean,
    missing_folder,
    read_yaml,
    with_line,
    yaml_files,
)
from bot.content.yamlio import line_of

ExerciseKind = Literal["paced", "interactive", "guided"]
MAX_PHASE_SECONDS = 60
MAX_STEP_ITEMS = 10
CYCLES_RANGE = (1, 8)
# 4-7-8 breathing is advised at no more than four breaths at a time (light-headedness).
_MAX_CYCLES_BY_ID: Mapping[str, int] = MappingProxyType({"four_seven_eight": 4})
_KIND_FIELDS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "paced": frozenset({"cycles", "phases"}),
        "interactive": frozenset({"steps"}),
        "guided": frozenset({"pages"}),
    }
)


@dataclass(frozen=True, slots=True)
class Phase:
    """One timed phase of a paced breathing exercise."""

    text: str
    seconds: int


@dataclass(frozen=True, slots=True)
class ExerciseStep:
    """One step of an interactive exercise; expect is how many items to ask for, if any."""

    text: str
    expect: int | None


@dataclass(frozen=True, slots=True)
class Exercise:
    """A grounding exercise; only the fields of its kind are filled (cycles is 0 if unpaced)."""

    id: str
    title: str
    duration: str
    summary: str
    kind: ExerciseKind
    intro: str
    caution: str | None
    cycles: int
    phases: tuple[Phase, ...]
    steps: tuple[ExerciseStep, ...]
    pages: tuple[str, ...]
    outro: str


class _PhaseIn(Strict):
    text: str
    seconds: int


class _StepIn(Strict):
    text: str
    expect: int | None = None


class _ExerciseIn(Strict):
    id: str
    title: str
    duration: str
    summary: str
    kind: str
    intro: str
    caution: str | None = None
    outro: str


class _PacedIn(_ExerciseIn):
    cycles: int
    phases: list[_PhaseIn]


class _InteractiveIn(_ExerciseIn):
    steps: list[_StepIn]


class _GuidedIn(_ExerciseIn):
    pages: list[str]


_EXERCISE_MODELS: Mapping[str, type[_ExerciseIn]] = MappingProxyType(
    {"paced": _PacedIn, "interactive": _InteractiveIn, "guided": _GuidedIn}
)


def load_exercises(folder: Path, problems: list[ContentProblem]) -> dict[str, Exercise]:
    """Load every exercise file of the folder by id, reporting problems."""
    if missing_folder(folder, problems):
        return {}
    exercises: dict[str, Exercise] = {}
    paths = yaml_files(folder, problems)
    if not paths:
        Report(folder, problems).add("has no exercises", None, hint="add <id>.yml files")
    for path in paths:
        ok, raw = read_yaml(path, problems)
        if ok:
            exercise = _load_exercise(path, raw, Report(path, problems))
            if exercise is not None:
                exercises[exercise.id] = exercise
    return exercises


def _load_exercise(path: Path, raw: Any, report: Report) -> Exercise | None:
    root = line_of(raw)
    if not isinstance(raw, dict):
        report.add("must be a set of 'field: value' lines", root)
        return None
    if raw.get("kind") not in _EXERCISE_MODELS:
        report.add(
            f"kind {raw.get('kind')!r} is not known",
            root,
            "kind",
            "use paced, interactive or guided",
        )
        return None
    kind: ExerciseKind = raw["kind"]
    model = _EXERCISE_MODELS[kind]
    # Fields of another kind get one clear message here instead of a bare "unknown field".
    foreign = {k for other, keys in _KIND_FIELDS.items() if other != kind for k in keys}
    for key in sorted(foreign & raw.keys()):
        report.add(
            f"field '{key}' does not belong to a {kind} exercise",
            root,
            key,
            f"a {kind} exercise uses: {', '.join(sorted(_KIND_FIELDS[kind]))}",
        )
    own = {k: v for k, v in raw.items() if k not in foreign}
    parsed = report.schema(with_line(own, raw), model)
    if parsed is None:
        return None
    if report.ident(parsed.id, root, "id") and parsed.id != path.stem:
        report.add(
            f"id {parsed.id!r} does not match the file name",
            root,
            "id",
            f"rename the file to {parsed.id}.yml or set id: {path.stem}",
        )
    report.label(parsed.title, root, "title", limit=TITLE_LIMIT)
    report.label(parsed.duration, root, "duration", limit=BUTTON_LIMIT)
    report.label(parsed.summary, root, "summary", limit=SUMMARY_LIMIT)
    report.text(parsed.intro, root, "intro")
    report.text(parsed.outro, root, "outro")
    if parsed.caution is not None:
        report.text(parsed.caution, root, "caution")
    cycles = 0
    phases: tuple[Phase, ...] = ()
    steps: tuple[ExerciseStep, ...] = ()
    pages: tuple[str, ...] = ()
    if isinstance(parsed, _PacedIn):
        cycles, phases = parsed.cycles, _check_phases(parsed, raw, report)
    elif isinstance(parsed, _InteractiveIn):
        steps = _check_steps(parsed, raw, report)
    elif isinstance(parsed, _GuidedIn):
        pages = _check_pages(parsed, root, report)
    if not report.clean:
        return None
    return Exercise(
        id=parsed.id,
        title=parsed.title,
        duration=parsed.duration,
        summary=parsed.summary,
        kind=kind,
        intro=clean(parsed.intro),
        caution=clean(parsed.caution) if parsed.caution else None,
        cycles=cycles,
        phases=phases,
        steps=steps,
        pages=pages,
        outro=clean(parsed.outro),
    )


def _check_phases(parsed: _PacedIn, raw: Any, report: Report) -> tuple[Phase, ...]:
    root = line_of(raw)
    low, high = CYCLES_RANGE
    high = min(high, _MAX_CYCLES_BY_ID.get(parsed.id, high))
    if not low <= parsed.cycles <= high:
        report.add(f"cycles is {parsed.cycles}; use {low} to {high}", root, "cycles")
    if not parsed.phases:
        report.add("has no phases", root, "phases", "add at least one {text, seconds} phase")
    raw_phases = raw.get("phases") or []
    for index, phase in enumerate(parsed.phases):
        line = line_of(raw_phases[index]) or root
        report.text(phase.text, line, f"phases[{index}].text")
        if not 1 <= phase.seconds <= MAX_PHASE_SECONDS:
            report.add(
                f"seconds is {phase.seconds}; use 1 to {MAX_PHASE_SECONDS}",
                line,
                f"phases[{index}].seconds",
                "the bot edits one message per phase, and Telegram allows about one edit a second",
            )
    return tuple(Phase(clean(p.text), p.seconds) for p in parsed.phases)


def _check_steps(parsed: _InteractiveIn, raw: Any, report: Report) -> tuple[ExerciseStep, ...]:
    root = line_of(raw)
    if not parsed.steps:
        report.add("has no steps", root, "steps", "add at least one {text} step")
    raw_steps = raw.get("steps") or []
    for index, step in enumerate(parsed.steps):
        line = line_of(raw_steps[index]) or root
        report.text(step.text, line, f"steps[{index}].text")
        if step.expect is not None and not 1 <= step.expect <= MAX_STEP_ITEMS:
            report.add(f"expect is {step.expect}; use 1 to {MAX_STEP_ITEMS}", line, "expect")
    return tuple(ExerciseStep(clean(s.text), s.expect) for s in parsed.steps)


def _check_pages(parsed: _GuidedIn, root: int | None, report: Report) -> tuple[str, ...]:
    if not parsed.pages:
        report.add("has no pages", root, "pages", "add at least one page of text")
    for index, page in enumerate(parsed.pages):
        report.text(page, root, f"pages[{index}]")
    return tuple(clean(p) for p in parsed.pages)


# ---------------------------------------------------------------------------------------------
# Practice scenarios
# ---------------------------------------------------------------------------------------------
