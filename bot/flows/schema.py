"""The shape of a flow file in content/locales/<lang>/flows, validated with pydantic.

A flow is a list of steps with explicit ids. Each step does one thing (say, ask, choose,
coach, branch, action, schedule, end) and names the step that follows, so a flow reads top to
bottom like a script and the checker can prove every step is reachable and every path ends.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Text = str | list[str]  # a list gives variants; the engine picks one with its rng


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Model):
    """One button of a choose step."""

    label: Annotated[str, Field(min_length=1, max_length=64)]
    value: str | None = None  # what save_as stores; the label when not given
    next: Id


class SayStep(_Model):
    """Send a message and go straight on."""

    id: Id
    say: Text
    next: Id


class AskStep(_Model):
    """Ask for free text, validate it, store it in a variable."""

    id: Id
    ask: Text
    save_as: Id
    input: Id = "text"
    retry: Text | None = None
    max_retries: Annotated[int, Field(ge=1, le=10)] = 3
    on_give_up: Id | None = None
    skip_label: str | None = None
    next: Id


class ChooseStep(_Model):
    """Offer buttons; optionally also accept typed input validated like an ask step."""

    id: Id
    choose: Text
    options: Annotated[list[Option], Field(min_length=1, max_length=8)]
    save_as: Id | None = None
    free_text: Id | None = None
    free_text_next: Id | None = None
    retry: Text | None = None


class CoachStep(_Model):
    """Ask for a draft, run the statement coach on it, and branch on its verdict."""

    id: Id
    coach: Text
    save_as: Id
    on_ready: Id
    on_try_again: Id
    max_rounds: Annotated[int, Field(ge=1, le=10)] = 4
    on_give_up: Id | None = None
    # Long enough for a few sentences; short enough that first and final drafts fit one message.
    max_chars: Annotated[int, Field(ge=20, le=1500)] = 1000


class BranchStep(_Model):
    """Go to a step depending on a variable's value."""

    id: Id
    branch: Id
    cases: dict[str, Id]
    default: Id


class ActionStep(_Model):
    """Ask the shell to do something with side effects (save settings, record a draft)."""

    id: Id
    action: Id
    next: Id


class ScheduleStep(_Model):
    """Ask the shell to start another flow for this user later (a follow-up check-in)."""

    id: Id
    schedule: Id
    after_hours: Annotated[int, Field(ge=1, le=24 * 30)]
    next: Id


class EndStep(_Model):
    """Finish the flow, optionally with a last message."""

    id: Id
    end: Text | None = None
    then: Id | None = None  # start this flow right after (e.g. onboarding -> first prompt)


Step = (
    SayStep | AskStep | ChooseStep | CoachStep | BranchStep | ActionStep | ScheduleStep | EndStep
)

STEP_KINDS: dict[str, type[_Model]] = {
    "say": SayStep,
    "ask": AskStep,
    "choose": ChooseStep,
    "coach": CoachStep,
    "branch": BranchStep,
    "action": ActionStep,
    "schedule": ScheduleStep,
    "end": EndStep,
}


class Flow(_Model):
    """A whole flow file."""

    id: Id
    title: str
    description: str = ""
    steps: Annotated[list[Step], Field(min_length=1)]

    def step(self, step_id: str) -> Step:
        """Return the step with this id (KeyError when there is none)."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def index(self, step_id: str) -> int:
        """Return the position of a step, used to keep button data short."""
        for position, step in enumerate(self.steps):
            if step.id == step_id:
                return position
        raise KeyError(step_id)


def successors(step: Step) -> list[str]:
    """Return every step id this step can lead to."""
    match step:
        case SayStep() | ActionStep() | ScheduleStep():
            return [step.next]
        case AskStep():
            return [step.next] + ([step.on_give_up] if step.on_give_up else [])
        case ChooseStep():
            targets = [o.next for o in step.options]
            if step.free_text_next:
                targets.append(step.free_text_next)
            return targets
        case CoachStep():
            return [step.on_ready, step.on_try_again] + (
                [step.on_give_up] if step.on_give_up else []
            )
        case BranchStep():
            return [*step.cases.values(), step.default]
        case EndStep():
            return []
    return []


def literal(text: str) -> str:
    """Escape braces so generated text is never read as {placeholders}."""
    return text.replace("{", "{{").replace("}", "}}")
