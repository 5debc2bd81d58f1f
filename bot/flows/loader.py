"""Load content/locales/<lang>/flows/*.yml into validated Flow models, and check them like code.

Checks (each reported with file, line and a hint): schema, duplicate step ids, dangling
references, unreachable steps, steps from which no path ends, unknown input types, actions and
flows, placeholders nobody sets, and text that Telegram would reject or cut.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.content.errors import ContentError, ContentProblem
from bot.content.html import html_problems, visible_length
from bot.content.yamlio import line_of, load_yaml
from bot.flows.schema import (
    STEP_KINDS,
    AskStep,
    BranchStep,
    ChooseStep,
    CoachStep,
    EndStep,
    Flow,
    ScheduleStep,
    Step,
    successors,
)

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
MAX_TEXT = 4096


@dataclass(frozen=True, slots=True)
class FlowSource:
    """A loaded flow and where it came from, for error messages."""

    flow: Flow
    path: Path
    lines: Mapping[str, int]  # step id -> line


@dataclass(frozen=True, slots=True)
class FlowRules:
    """What the running bot provides, so the checker can verify references to it."""

    inputs: Collection[str]
    actions: Collection[str]
    globals: Collection[str]  # placeholders available in every flow
    extras: Collection[str]  # variables validators add (e.g. zone_label)


def load_flows(directory: Path) -> dict[str, FlowSource]:
    """Load every flow file, collecting all schema problems before failing."""
    problems: list[ContentProblem] = []
    flows: dict[str, FlowSource] = {}
    for path in sorted(directory.glob("*.yml")):
        try:
            source = _load_one(path)
        except ContentError as exc:
            problems.extend(exc.problems)
            continue
        flows[source.flow.id] = source
    if problems:
        raise ContentError(problems)
    return flows


def _load_one(path: Path) -> FlowSource:
    raw = load_yaml(path)
    problems: list[ContentProblem] = []
    if not isinstance(raw, dict):
        raise ContentError(
            [ContentProblem(path, "a flow file must be a mapping with id, title, steps")]
        )
    raw_steps = raw.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise ContentError(
            [ContentProblem(path, "'steps' must be a non-empty list", line=line_of(raw))]
        )
    steps: list[Step] = []
    lines: dict[str, int] = {}
    for position, raw_step in enumerate(raw_steps):
        line = line_of(raw_step)
        where = f"step {position + 1}"
        if not isinstance(raw_step, dict):
            problems.append(ContentProblem(path, "a step must be a mapping", line, where))
            continue
        if isinstance(raw_step.get("id"), str):
            where = f"step '{raw_step['id']}'"
        kinds = [k for k in STEP_KINDS if k in raw_step]
        if len(kinds) != 1:
            found = ", ".join(kinds) or "none"
            problems.append(
                ContentProblem(
                    path,
                    f"a step needs exactly one of {', '.join(STEP_KINDS)} (found: {found})",
                    line,
                    where,
                )
            )
            continue
        try:
            step = STEP_KINDS[kinds[0]].model_validate(dict(raw_step))
        except ValidationError as exc:
            problems.extend(_pydantic_problems(path, line, where, exc))
            continue
        assert isinstance(step, Step)
        if step.id in lines:
            problems.append(
                ContentProblem(
                    path,
                    f"duplicate step id '{step.id}' (first defined on line {lines[step.id]})",
                    line,
                    where,
                    "give every step its own id",
                )
            )
            continue
        lines[step.id] = line or 0
        steps.append(step)
    header = {k: v for k, v in raw.items() if k != "steps"}
    flow: Flow | None = None
    if not problems:
        try:
            flow = Flow.model_validate({**header, "steps": steps})
        except ValidationError as exc:
            problems.extend(_pydantic_problems(path, line_of(raw), "flow", exc))
    if flow is not None and flow.id != path.stem:
        problems.append(
            ContentProblem(
                path,
                f"flow id '{flow.id}' differs from the file name",
                line_of(raw),
                hint=f"rename the file to {flow.id}.yml or the id to {path.stem}",
            )
        )
    if problems or flow is None:
        raise ContentError(problems)
    return FlowSource(flow=flow, path=path, lines=lines)


def _pydantic_problems(
    path: Path, line: int | None, where: str, exc: ValidationError
) -> list[ContentProblem]:
    found = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error["loc"]) or "value"
        found.append(ContentProblem(path, f"{field}: {error['msg']}", line, where))
    return found


def check_flows(flows: Mapping[str, FlowSource], rules: FlowRules) -> list[ContentProblem]:
    """Check references, reachability and texts of loaded flows."""
    problems: list[ContentProblem] = []
    for source in flows.values():
        problems.extend(_check_graph(source))
        problems.extend(_check_references(source, flows, rules))
        problems.extend(_check_texts(source, rules))
    return problems


def _check_graph(source: FlowSource) -> list[ContentProblem]:
    flow, path = source.flow, source.path
    ids = {step.id for step in flow.steps}
    problems: list[ContentProblem] = []
    for step in flow.steps:
        for target in successors(step):
            if target not in ids:
                close = _closest(target, ids)
                problems.append(
                    ContentProblem(
                        path,
                        f"points at step '{target}', which does not exist",
                        source.lines.get(step.id),
                        f"step '{step.id}'",
                        f"did you mean '{close}'?" if close else "add that step or fix the id",
                    )
                )
    if problems:
        return problems
    graph = {step.id: successors(step) for step in flow.steps}
    reachable = _reach(flow.steps[0].id, graph)
    for step in flow.steps:
        if step.id not in reachable:
            problems.append(
                ContentProblem(
                    path,
                    "is unreachable: no step leads to it",
                    source.lines.get(step.id),
                    f"step '{step.id}'",
                    "point a next/option at it, or remove it",
                )
            )
    reverse: dict[str, list[str]] = {sid: [] for sid in graph}
    for sid, targets in graph.items():
        for target in targets:
            reverse[target].append(sid)
    ends = [s.id for s in flow.steps if isinstance(s, EndStep)]
    can_end: set[str] = set()
    for end in ends:
        can_end |= _reach(end, reverse)
    for step in flow.steps:
        if step.id in reachable and step.id not in can_end:
            problems.append(
                ContentProblem(
                    path,
                    "no path from here reaches an end step (the user would be stuck)",
                    source.lines.get(step.id),
                    f"step '{step.id}'",
                    "add a way out that leads to an `end` step",
                )
            )
    return problems


def _reach(start: str, graph: Mapping[str, list[str]]) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        for target in graph.get(todo.pop(), []):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _closest(word: str, choices: Collection[str]) -> str | None:
    import difflib

    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return match[0] if match else None


def _check_references(
    source: FlowSource, flows: Mapping[str, FlowSource], rules: FlowRules
) -> list[ContentProblem]:
    problems: list[ContentProblem] = []
    saved = _saved_vars(source.flow)
    for step in source.flow.steps:
        line, where = source.lines.get(step.id), f"step '{step.id}'"
        inputs = [step.input] if isinstance(step, AskStep) else []
        if isinstance(step, ChooseStep) and step.free_text:
            inputs.append(step.free_text)
        for name in inputs:
            if name not in rules.inputs:
                problems.append(
                    ContentProblem(
                        source.path,
                        f"unknown input type '{name}'",
                        line,
                        where,
                        f"use one of: {', '.join(sorted(rules.inputs))}",
                    )
                )
        action = getattr(step, "action", None)
        if action is not None and action not in rules.actions:
            problems.append(
                ContentProblem(
                    source.path,
                    f"unknown action '{action}'",
                    line,
                    where,
                    f"use one of: {', '.join(sorted(rules.actions))}",
                )
            )
        other = step.schedule if isinstance(step, ScheduleStep) else None
        if isinstance(step, EndStep) and step.then:
            other = step.then
        if other is not None and other not in flows:
            problems.append(ContentProblem(source.path, f"unknown flow '{other}'", line, where))
        if isinstance(step, BranchStep) and step.branch not in saved | set(rules.globals):
            problems.append(
                ContentProblem(
                    source.path,
                    f"branches on '{step.branch}', which no step saves",
                    line,
                    where,
                    "set it with save_as in an earlier step",
                )
            )
    return problems


def _saved_vars(flow: Flow) -> set[str]:
    saved: set[str] = set()
    for step in flow.steps:
        name = getattr(step, "save_as", None)
        if name:
            saved.add(name)
            if isinstance(step, CoachStep):
                saved |= {f"{name}_{suffix}" for suffix in ("first", "rounds", "verdict", "codes")}
    return saved


def _texts(step: Step) -> list[str]:
    found: list[Any] = []
    for attr in ("say", "ask", "retry", "choose", "coach", "end"):
        value = getattr(step, attr, None)
        if value is None:
            continue
        found.extend(value if isinstance(value, list) else [value])
    return [t for t in found if isinstance(t, str)]


def _check_texts(source: FlowSource, rules: FlowRules) -> list[ContentProblem]:
    problems: list[ContentProblem] = []
    known = _saved_vars(source.flow) | set(rules.globals) | set(rules.extras)
    for step in source.flow.steps:
        line, where = source.lines.get(step.id), f"step '{step.id}'"
        for text in _texts(step):
            if not text.strip():
                problems.append(ContentProblem(source.path, "empty text", line, where))
            for name in _PLACEHOLDER.findall(text):
                if name not in known:
                    problems.append(
                        ContentProblem(
                            source.path,
                            f"placeholder '{{{name}}}' is never set",
                            line,
                            where,
                            f"known here: {', '.join(sorted(known)) or 'none'}",
                        )
                    )
            for problem in html_problems(text):
                problems.append(ContentProblem(source.path, problem, line, where))
            if visible_length(text) > MAX_TEXT - 500:
                problems.append(
                    ContentProblem(
                        source.path,
                        "text is too long for one Telegram message once filled in",
                        line,
                        where,
                        "split it into two say steps",
                    )
                )
    return problems
