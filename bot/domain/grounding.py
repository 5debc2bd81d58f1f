"""Grounding exercises as the bot runs them (pure): live pacing frames for breathing, and
flows built from the interactive and guided exercises so they survive restarts like any flow."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.content.texts import T, Texts
from bot.domain.library import Exercise, Library
from bot.flows.schema import (
    ActionStep,
    AskStep,
    ChooseStep,
    EndStep,
    Flow,
    Option,
    SayStep,
    Step,
    literal,
)

FLOW_PREFIX = "ground_"
DONE_ACTION = "grounding_done"


@dataclass(frozen=True, slots=True)
class Frame:
    """One state of the live breathing message, shown for `seconds`."""

    html: str
    seconds: int


def flow_id(exercise_id: str) -> str:
    """Name of the flow that runs an interactive or guided exercise."""
    return FLOW_PREFIX + exercise_id


def pacing_frames(exercise: Exercise, texts: Texts) -> list[Frame]:
    """Every phase of every round of a paced exercise, as the message shows it."""
    frames = []
    for round_ in range(1, exercise.cycles + 1):
        header = texts.get(T.ground_round, round=round_, rounds=exercise.cycles)
        for phase in exercise.phases:
            body = texts.get(T.ground_phase, phase=phase.text, seconds=phase.seconds)
            frames.append(Frame(f"{header}\n\n{body}", phase.seconds))
    return frames


def _intro(exercise: Exercise) -> str:
    return exercise.intro + (f"\n\n<i>{exercise.caution}</i>" if exercise.caution else "")


def exercise_flows(library: Library, texts: Texts) -> dict[str, Flow]:
    """Build a flow for each interactive or guided exercise."""
    flows: dict[str, Flow] = {}
    for exercise in library.exercises.values():
        if exercise.kind == "paced":
            continue
        steps: list[Step] = []
        count = len(exercise.steps) if exercise.kind == "interactive" else len(exercise.pages)
        ids = [f"s{i}" for i in range(count)] + ["done"]
        steps.append(SayStep(id="intro", say=literal(_intro(exercise)), next=ids[0]))
        if exercise.kind == "interactive":
            for i, item in enumerate(exercise.steps):
                steps.append(
                    AskStep(
                        id=ids[i], ask=literal(item.text), save_as=f"noticed{i}", next=ids[i + 1]
                    )
                )
        else:
            label = texts.get(T.btn_next)
            for i, page in enumerate(exercise.pages):
                steps.append(
                    ChooseStep(
                        id=ids[i],
                        choose=literal(page),
                        options=[Option(label=label, next=ids[i + 1])],
                    )
                )
        steps.append(ActionStep(id="done", action=DONE_ACTION, next="outro"))
        steps.append(EndStep(id="outro", end=literal(exercise.outro)))
        flows[flow_id(exercise.id)] = Flow(
            id=flow_id(exercise.id), title=exercise.title, steps=steps
        )
    return flows


def rating_change(before: int | None, after: int | None) -> T:
    """Choose the reply to the after-rating: better, the same, or worse."""
    if before is None or after is None:
        return T.ground_after_thanks
    if after < before:
        return T.ground_after_better
    if after == before:
        return T.ground_after_same
    return T.ground_after_worse


def exercises_in_menu_order(exercises: Mapping[str, Exercise], first: str) -> list[Exercise]:
    """The menu order: the default exercise first, then the rest by title."""
    rest = sorted((e for e in exercises.values() if e.id != first), key=lambda e: e.title)
    return ([exercises[first]] if first in exercises else []) + rest
