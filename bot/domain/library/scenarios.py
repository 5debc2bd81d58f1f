"""Practice scenarios as content: ``practice/scenarios.yml``, common moments to practise with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content.errors import ContentProblem
from bot.content.loading import TITLE_LIMIT, Report, Strict, clean, read_yaml
from bot.content.yamlio import line_of


@dataclass(frozen=True, slots=True)
class Scenario:
    """A common moment with an avoidant partner, used to practise a non-blaming statement."""

    id: str
    title: str
    situation: str
    feeling_hint: str | None


class _ScenarioIn(Strict):
    id: str
    title: str
    situation: str
    feeling_hint: str | None = None


class _ScenarioFileIn(Strict):
    scenarios: list[Any]


# ---------------------------------------------------------------------------------------------
# Shared checks
# ---------------------------------------------------------------------------------------------


def load_scenarios(path: Path, problems: list[ContentProblem]) -> tuple[Scenario, ...]:
    """Load the scenarios file, reporting problems; () when it has any."""
    if not path.is_file():
        Report(path, problems).add("file is missing", None)
        return ()
    ok, raw = read_yaml(path, problems)
    if not ok:
        return ()
    report = Report(path, problems)
    parsed = report.schema(raw, _ScenarioFileIn)
    if parsed is None:
        return ()
    if not parsed.scenarios:
        report.add("has no scenarios", line_of(raw), "scenarios")
    scenarios: list[Scenario] = []
    first_seen: dict[str, int | None] = {}
    for index, item in enumerate(parsed.scenarios):
        where = f"scenarios[{index}]"
        scenario = report.schema(item, _ScenarioIn, where)
        if scenario is None:
            continue
        line = line_of(item)
        if report.ident(scenario.id, line, f"{where}.id"):
            if scenario.id in first_seen:
                report.add(
                    f"id {scenario.id!r} is used twice",
                    line,
                    f"{where}.id",
                    f"it is first used at line {first_seen[scenario.id]}; choose another id",
                )
            first_seen.setdefault(scenario.id, line)
        report.label(scenario.title, line, f"{where}.title", limit=TITLE_LIMIT)
        report.text(scenario.situation, line, f"{where}.situation")
        if scenario.feeling_hint is not None:
            report.text(scenario.feeling_hint, line, f"{where}.feeling_hint")
        hint = clean(scenario.feeling_hint) if scenario.feeling_hint else None
        scenarios.append(Scenario(scenario.id, scenario.title, clean(scenario.situation), hint))
    return tuple(scenarios) if report.clean else ()
