"""The pure flow engine: steps, validation, retries, buttons, coach rounds and effects."""

from __future__ import annotations

import random
from typing import Any

import pytest

from bot.flows.engine import (
    SKIP_OPTION,
    CoachVerdict,
    FlowEngine,
    FlowError,
    Invalid,
    Location,
    RunState,
    UserInput,
    Valid,
)
from bot.flows.schema import STEP_KINDS, Flow


def make_flow(flow_id: str, steps: list[dict[str, Any]]) -> Flow:
    parsed = []
    for raw in steps:
        kind = next(k for k in STEP_KINDS if k in raw)
        parsed.append(STEP_KINDS[kind].model_validate(raw))
    return Flow.model_validate({"id": flow_id, "title": flow_id, "steps": parsed})


def number(value: UserInput) -> Valid | Invalid:
    if isinstance(value, str) and value.strip().isdigit():
        return Valid(value.strip(), {"doubled": str(int(value) * 2)})
    if isinstance(value, Location):
        return Valid("0")
    return Invalid("not_a_number")


SURVEY = make_flow(
    "survey",
    [
        {"id": "hello", "say": "Hi {name}", "next": "ask_n"},
        {
            "id": "ask_n",
            "ask": "A number?",
            "input": "number",
            "save_as": "n",
            "retry": "Digits, please.",
            "max_retries": 2,
            "on_give_up": "bye",
            "next": "pick",
        },
        {
            "id": "pick",
            "choose": "{n} doubled is {doubled}. More?",
            "save_as": "more",
            "options": [
                {"label": "Yes", "value": "yes", "next": "fork"},
                {"label": "No", "value": "no", "next": "fork"},
            ],
        },
        {"id": "fork", "branch": "more", "cases": {"yes": "act"}, "default": "bye"},
        {"id": "act", "action": "save", "next": "later"},
        {"id": "later", "schedule": "survey", "after_hours": 48, "next": "bye"},
        {"id": "bye", "end": "Bye <b>{name}</b>", "then": "survey"},
    ],
)


@pytest.fixture
def engine() -> FlowEngine:
    return FlowEngine({"survey": SURVEY}, validators={"number": number}, rng=random.Random(1))


def test_start_runs_say_steps_and_stops_at_the_first_question(engine: FlowEngine) -> None:
    result = engine.start("survey", {"name": "Ann"})
    assert [r.html for r in result.replies] == ["Hi Ann", "A number?"]
    assert result.state == RunState("survey", "ask_n", {"name": "Ann"})
    assert result.replies[-1].expects_text


def test_variables_are_html_escaped(engine: FlowEngine) -> None:
    result = engine.start("survey", {"name": "<Tom & Jo>"})
    assert result.replies[0].html == "Hi &lt;Tom &amp; Jo&gt;"


def test_invalid_input_re_asks_with_the_retry_text(engine: FlowEngine) -> None:
    state = engine.start("survey", {"name": "A"}).state
    assert state is not None
    result = engine.on_input(state, "banana")
    assert result.outcome == "invalid"
    assert [r.html for r in result.replies] == ["Digits, please.", "A number?"]
    assert result.state is not None and result.state.attempts == 1


def test_giving_up_after_max_retries_goes_to_on_give_up(engine: FlowEngine) -> None:
    state = engine.start("survey", {"name": "A"}).state
    assert state is not None
    state = engine.on_input(state, "x").state
    assert state is not None
    result = engine.on_input(state, "y")
    assert result.state is None
    assert result.replies[0].html == "Bye <b>A</b>"


def test_valid_input_saves_value_and_extras(engine: FlowEngine) -> None:
    state = engine.start("survey", {"name": "A"}).state
    assert state is not None
    result = engine.on_input(state, " 21 ")
    assert result.state is not None
    assert result.state.vars["n"] == "21"
    assert result.replies[0].html == "21 doubled is 42. More?"
    assert [b.label for b in result.replies[0].buttons] == ["Yes", "No"]


def test_location_input_reaches_the_validator(engine: FlowEngine) -> None:
    state = engine.start("survey", {"name": "A"}).state
    assert state is not None
    result = engine.on_input(state, Location(1.0, 2.0))
    assert result.state is not None and result.state.vars["n"] == "0"


def test_choice_branches_and_emits_effects_in_order(engine: FlowEngine) -> None:
    state = engine.on_input(engine.start("survey", {"name": "A"}).state, "2").state  # type: ignore[arg-type]
    assert state is not None
    result = engine.on_choice(state, "pick", 0)
    assert result.state is None
    assert [(e.kind, e.name) for e in result.effects] == [
        ("action", "save"),
        ("schedule", "survey"),
        ("then", "survey"),
    ]
    assert result.effects[1].after_hours == 48
    no = engine.on_choice(state, "pick", 1)
    assert [e.kind for e in no.effects] == ["then"]


def test_typed_label_counts_as_a_tap(engine: FlowEngine) -> None:
    state = engine.on_input(engine.start("survey", {"name": "A"}).state, "2").state  # type: ignore[arg-type]
    assert state is not None
    assert engine.on_input(state, "  no ").effects[0].kind == "then"
    other = engine.on_input(state, "maybe")
    assert other.outcome == "invalid"


@pytest.mark.parametrize(("step_id", "option"), [("ask_n", 0), ("pick", 5), ("pick", -1)])
def test_taps_on_other_steps_or_options_are_stale(
    engine: FlowEngine, step_id: str, option: int
) -> None:
    state = engine.on_input(engine.start("survey", {"name": "A"}).state, "2").state  # type: ignore[arg-type]
    assert state is not None
    if step_id == "ask_n":
        state = engine.start("survey", {"name": "A"}).state
        assert state is not None
        step_id = "pick"
    assert engine.on_choice(state, step_id, option).outcome == "stale"


def test_unknown_flow_and_step_raise_flow_error(engine: FlowEngine) -> None:
    with pytest.raises(FlowError):
        engine.start("nope")
    with pytest.raises(FlowError):
        engine.on_input(RunState("survey", "gone"), "x")


def test_skip_button_moves_past_an_optional_question() -> None:
    flow = make_flow(
        "opt",
        [
            {"id": "q", "ask": "Country?", "save_as": "c", "skip_label": "Skip", "next": "e"},
            {"id": "e", "end": "done {c}"},
        ],
    )
    engine = FlowEngine({"opt": flow}, validators={"text": lambda v: Valid(str(v))})
    start = engine.start("opt")
    assert start.replies[0].buttons[0].option == SKIP_OPTION
    assert start.state is not None
    result = engine.on_choice(start.state, "q", SKIP_OPTION)
    assert result.state is None
    assert result.replies[0].html == "done "


def test_coach_step_loops_until_ready_and_keeps_first_draft() -> None:
    flow = make_flow(
        "drill",
        [
            {
                "id": "draft",
                "coach": "Write it",
                "save_as": "d",
                "on_ready": "done",
                "on_try_again": "draft",
                "max_rounds": 3,
                "on_give_up": "done",
            },
            {"id": "done", "end": "From {d_first} to {d} in {d_rounds}"},
        ],
    )
    engine = FlowEngine(
        {"drill": flow},
        validators={},
        coach=lambda text: CoachVerdict(ready="feel" in text, feedback_html=f"fb:{text}"),
    )
    state = engine.start("drill").state
    assert state is not None
    first = engine.on_input(state, "you never")
    assert [r.html for r in first.replies] == ["fb:you never\n\nWrite it"]
    assert first.effects[0].name == "record_attempt"
    assert first.state is not None
    second = engine.on_input(first.state, "I feel sad")
    assert second.state is None
    assert second.replies[-1].html == "From you never to I feel sad in 2"


def test_coach_gives_up_after_max_rounds() -> None:
    flow = make_flow(
        "drill",
        [
            {
                "id": "draft",
                "coach": "Write it",
                "save_as": "d",
                "on_ready": "done",
                "on_try_again": "draft",
                "max_rounds": 2,
                "on_give_up": "stop",
            },
            {"id": "done", "end": "ready"},
            {"id": "stop", "end": "let's stop here"},
        ],
    )
    engine = FlowEngine({"drill": flow}, validators={}, coach=lambda t: CoachVerdict(False, "fb"))
    state = engine.on_input(engine.start("drill").state, "a").state  # type: ignore[arg-type]
    assert state is not None
    result = engine.on_input(state, "b")
    assert result.state is None
    assert result.replies[-1].html == "let's stop here"


def test_an_input_free_loop_is_reported() -> None:
    flow = make_flow(
        "loop",
        [
            {"id": "a", "say": "a", "next": "b"},
            {"id": "b", "say": "b", "next": "a"},
        ],
    )
    with pytest.raises(FlowError, match="without input"):
        FlowEngine({"loop": flow}, validators={}).start("loop")
