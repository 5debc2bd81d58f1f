"""The flow checker speaks to authors: file, line, step, what is wrong and how to fix it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.errors import ContentError
from bot.flows.loader import FlowRules, check_flows, load_flows

RULES = FlowRules(inputs=("text",), actions=("save",), globals=(), extras=())
BAD = Path(__file__).parent.parent / "data" / "flows_bad"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yml"
    path.write_text(text, encoding="utf-8")
    return tmp_path


def problems_for(directory: Path) -> list[str]:
    try:
        flows = load_flows(directory)
    except ContentError as exc:
        return [str(p) for p in exc.problems]
    return [str(p) for p in check_flows(flows, RULES)]


def test_dangling_next_names_the_file_line_and_the_likely_fix() -> None:
    problems = problems_for(BAD)
    assert len(problems) == 1
    assert "dangling.yml:4: step 'hello': points at step 'ask_nmae'" in problems[0]
    assert "did you mean 'ask_name'?" in problems[0]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "steps:\n  - {id: a, say: x, next: b}\n  - {id: a, end: y}\n  - {id: b, end: z}\n",
            "duplicate step id 'a'",
        ),
        (
            "steps:\n  - {id: a, end: x}\n  - {id: b, end: y}\n",
            "step 'b': is unreachable",
        ),
        (
            "steps:\n  - {id: a, ask: x, save_as: v, input: colour, next: b}\n  - {id: b, end: y}\n",
            "unknown input type 'colour'",
        ),
        (
            "steps:\n  - {id: a, action: launch, next: b}\n  - {id: b, end: y}\n",
            "unknown action 'launch'",
        ),
        (
            "steps:\n  - {id: a, say: 'Hi {who}', next: b}\n  - {id: b, end: y}\n",
            "placeholder '{who}' is never set",
        ),
        (
            "steps:\n  - {id: a, say: 'a <div>b</div>', next: b}\n  - {id: b, end: y}\n",
            "tag <div> is not supported",
        ),
        (
            "steps:\n  - {id: a, say: x, ask: y, next: b}\n  - {id: b, end: y}\n",
            "a step needs exactly one of",
        ),
        (
            "steps:\n  - {id: a, say: x, next: b, colour: red}\n  - {id: b, end: y}\n",
            "colour: Extra inputs are not permitted",
        ),
        (
            "steps:\n  - {id: a, say: x, next: b}\n  - {id: b, say: y, next: a}\n",
            "no path from here reaches an end step",
        ),
        (
            "steps:\n  - {id: a, end: x}\n  - {id: a, end: y}\n",
            "duplicate step id",
        ),
    ],
)
def test_each_rule_reports_one_precise_problem(tmp_path: Path, body: str, expected: str) -> None:
    directory = write(tmp_path, "demo", "id: demo\ntitle: Demo\n" + body)
    problems = problems_for(directory)
    assert any(expected in p for p in problems), problems


def test_flow_id_must_match_the_file_name(tmp_path: Path) -> None:
    directory = write(tmp_path, "other", "id: demo\ntitle: D\nsteps:\n  - {id: a, end: x}\n")
    assert any("differs from the file name" in p for p in problems_for(directory))


def test_duplicate_yaml_keys_are_errors(tmp_path: Path) -> None:
    directory = write(tmp_path, "demo", "id: demo\nid: demo\ntitle: D\nsteps: []\n")
    assert any("duplicate key 'id'" in p for p in problems_for(directory))
