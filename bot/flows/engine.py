"""The pure flow engine: given a flow, a run state and an input, return what happens next.

No Telegram, no database, no clock. The shell (bot/handlers/flows.py) loads the run state,
calls the engine, stores the new state, performs the effects and renders the replies. Because
state is plain data, a run survives a restart and a scheduled job can start one.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from bot.flows.schema import (
    ActionStep,
    AskStep,
    BranchStep,
    ChooseStep,
    CoachStep,
    EndStep,
    Flow,
    SayStep,
    ScheduleStep,
    Step,
    Text,
)

# A chain of say/branch/action steps longer than this is a content bug (a loop with no input).
MAX_AUTO_STEPS = 50
# The option number of an ask step's "skip" button (real options count from 0).
SKIP_OPTION = -1
# Telegram's limit on one message (counted on the HTML here, which is never shorter).
MESSAGE_LIMIT = 4096
# The action every coach step emits after each draft, so attempts are stored.
RECORD_ATTEMPT = "record_attempt"


@dataclass(frozen=True, slots=True)
class Location:
    """A location the user shared."""

    latitude: float
    longitude: float


UserInput = str | Location


@dataclass(frozen=True, slots=True)
class Valid:
    """An accepted input, normalised, with any extra variables it implies."""

    value: str
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Invalid:
    """A rejected input; `reason` is a content key the shell may show before the re-ask."""

    reason: str = ""


Validator = Callable[[UserInput], Valid | Invalid]


@dataclass(frozen=True, slots=True)
class CoachVerdict:
    """What the statement coach said about a draft, as the engine needs it."""

    ready: bool
    feedback_html: str
    codes: tuple[str, ...] = ()


CoachFn = Callable[[str], CoachVerdict]


@dataclass(frozen=True, slots=True)
class RunState:
    """Where a user is in a flow. JSON-friendly: it is stored as a database row."""

    flow_id: str
    step_id: str
    vars: Mapping[str, str] = field(default_factory=dict)
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class Button:
    """A button under a reply; `option` is its index in the step's options."""

    label: str
    option: int


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to send. `html` is ready to send with parse_mode=HTML."""

    html: str
    step_id: str = ""
    buttons: tuple[Button, ...] = ()
    expects_text: bool = False


@dataclass(frozen=True, slots=True)
class Effect:
    """A side effect for the shell: run an action, or schedule a follow-up flow."""

    kind: Literal["action", "schedule", "then"]
    name: str
    vars: Mapping[str, str]
    after_hours: int = 0
    ref: str = ""  # for record_attempt: the variable that holds the draft


@dataclass(frozen=True, slots=True)
class Transition:
    """The result of one engine call."""

    state: RunState | None  # None: the flow has ended
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()
    outcome: Literal["ok", "invalid", "stale", "gave_up", "ended"] = "ok"


class FlowError(Exception):
    """A flow definition cannot be run (the content checker should have caught it)."""


class _SafeVars(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def render_text(text: Text, variables: Mapping[str, str], rng: random.Random) -> str:
    """Pick a variant and fill {placeholders} with HTML-escaped variables."""
    import html

    chosen = rng.choice(text) if isinstance(text, list) else text
    escaped = _SafeVars({k: html.escape(v, quote=False) for k, v in variables.items()})
    return string.Formatter().vformat(chosen, (), escaped)


class FlowEngine:
    """Run flows. Validators and the coach are injected so the engine stays pure."""

    def __init__(
        self,
        flows: Mapping[str, Flow],
        *,
        validators: Mapping[str, Validator],
        coach: CoachFn | None = None,
        rng: random.Random | None = None,
        retry_texts: Mapping[str, str] | None = None,
    ) -> None:
        self.flows = flows
        self.validators = validators
        self.coach = coach
        self.rng = rng or random.Random()
        self.retry_texts = retry_texts or {}

    def bound(self, validators: Mapping[str, Validator]) -> FlowEngine:
        """The same engine with some input types replaced (e.g. bound to a user's clock)."""
        return FlowEngine(
            self.flows,
            validators={**self.validators, **validators},
            coach=self.coach,
            rng=self.rng,
            retry_texts=self.retry_texts,
        )

    # -- entry points -------------------------------------------------------------------------

    def start(self, flow_id: str, variables: Mapping[str, str] | None = None) -> Transition:
        """Begin a flow at its first step."""
        flow = self._flow(flow_id)
        state = RunState(flow_id=flow.id, step_id=flow.steps[0].id, vars=dict(variables or {}))
        return self._advance(flow, state, [], [])

    def prompt(self, state: RunState) -> Transition:
        """Repeat the current step's question (after a restart, a pause or /cancel of a menu)."""
        flow = self._flow(state.flow_id)
        step = self._step(flow, state.step_id)
        return Transition(state=state, replies=(self._ask_reply(step, state),))

    def on_input(self, state: RunState, value: UserInput) -> Transition:
        """Handle free text (or a shared location) sent while the flow waits for input."""
        flow = self._flow(state.flow_id)
        step = self._step(flow, state.step_id)
        match step:
            case AskStep():
                return self._on_ask(flow, step, state, value)
            case ChooseStep() if step.free_text:
                return self._on_free_text(flow, step, state, value)
            case ChooseStep():
                # Typed text that matches a button label counts as tapping it.
                if isinstance(value, str):
                    wanted = value.strip().casefold()
                    for index, option in enumerate(step.options):
                        if option.label.casefold() == wanted:
                            return self.on_choice(state, step.id, index)
                return self._reask(step, state, "choose_a_button")
            case CoachStep():
                return self._on_coach(flow, step, state, value)
        raise FlowError(f"step {step.id!r} of {flow.id!r} does not wait for input")

    def on_choice(self, state: RunState, step_id: str, option: int) -> Transition:
        """Handle a button tap; taps on any other step than the current one are stale."""
        flow = self._flow(state.flow_id)
        step = self._step(flow, state.step_id)
        if step_id == state.step_id and isinstance(step, AskStep) and option == SKIP_OPTION:
            return self.skip(state)
        if step_id != state.step_id or not isinstance(step, ChooseStep):
            return Transition(state=state, outcome="stale")
        if not 0 <= option < len(step.options):
            return Transition(state=state, outcome="stale")
        chosen = step.options[option]
        variables = dict(state.vars)
        if step.save_as:
            variables[step.save_as] = chosen.label if chosen.value is None else chosen.value
        if step.free_text and chosen.value is not None:
            # A button's value is read like typed text, so both give the same variables.
            result = self._validate(step.free_text, chosen.value)
            if isinstance(result, Valid):
                variables.update(result.extra)
        return self._advance(flow, RunState(flow.id, chosen.next, variables), [], [])

    def skip(self, state: RunState) -> Transition:
        """Skip an optional ask step (one with a skip_label) without saving a value."""
        flow = self._flow(state.flow_id)
        step = self._step(flow, state.step_id)
        if not isinstance(step, AskStep) or step.skip_label is None:
            return Transition(state=state, outcome="stale")
        return self._advance(flow, RunState(flow.id, step.next, dict(state.vars)), [], [])

    # -- step handlers ------------------------------------------------------------------------

    def _on_ask(self, flow: Flow, step: AskStep, state: RunState, value: UserInput) -> Transition:
        result = self._validate(step.input, value)
        if isinstance(result, Invalid):
            if step.on_give_up and state.attempts + 1 >= step.max_retries:
                return self._advance(
                    flow, RunState(flow.id, step.on_give_up, state.vars), [], [], "gave_up"
                )
            return self._reask(step, state, result.reason)
        variables = {**state.vars, **result.extra, step.save_as: result.value}
        return self._advance(flow, RunState(flow.id, step.next, variables), [], [])

    def _on_free_text(
        self, flow: Flow, step: ChooseStep, state: RunState, value: UserInput
    ) -> Transition:
        assert step.free_text is not None
        result = self._validate(step.free_text, value)
        if isinstance(result, Invalid):
            return self._reask(step, state, result.reason)
        variables = dict(state.vars) | dict(result.extra)
        if step.save_as:
            variables[step.save_as] = result.value
        target = step.free_text_next or step.options[0].next
        return self._advance(flow, RunState(flow.id, target, variables), [], [])

    def _on_coach(
        self, flow: Flow, step: CoachStep, state: RunState, value: UserInput
    ) -> Transition:
        if not isinstance(value, str):
            return self._reask(step, state, "not_text")
        if not value.strip():
            return self._reask(step, state, "empty")
        if len(value) > step.max_chars:
            return self._reask(step, state, "too_long")
        if self.coach is None:
            raise FlowError("a coach step needs a coach")
        verdict = self.coach(value)
        rounds = state.attempts + 1
        variables = dict(state.vars)
        first_key = f"{step.save_as}_first"
        variables.setdefault(first_key, value)
        variables[step.save_as] = value
        variables[f"{step.save_as}_rounds"] = str(rounds)
        variables[f"{step.save_as}_verdict"] = "ready" if verdict.ready else "try_again"
        variables[f"{step.save_as}_codes"] = ",".join(verdict.codes)
        feedback = Reply(html=verdict.feedback_html, step_id=step.id)
        effects = [Effect("action", RECORD_ATTEMPT, dict(variables), ref=step.save_as)]
        if verdict.ready:
            target = step.on_ready
        elif step.on_give_up and rounds >= step.max_rounds:
            target = step.on_give_up
        else:
            target = step.on_try_again
        next_state = RunState(flow.id, target, variables, attempts=rounds)
        if target == step.id:
            # Revising the same draft: keep counting rounds, and ask again in the same message
            # as the feedback (one message to read, and half the requests to Telegram).
            ask = self._ask_reply(step, next_state)
            together = replace(ask, html=f"{feedback.html}\n\n{ask.html}")
            replies = (together,) if len(together.html) <= MESSAGE_LIMIT else (feedback, ask)
            return Transition(state=next_state, replies=replies, effects=tuple(effects))
        return self._advance(flow, replace(next_state, attempts=0), [feedback], effects)

    # -- movement -----------------------------------------------------------------------------

    def _advance(
        self,
        flow: Flow,
        state: RunState,
        replies: list[Reply],
        effects: list[Effect],
        outcome: Literal["ok", "gave_up"] = "ok",
    ) -> Transition:
        """Run automatic steps until one waits for the user or the flow ends."""
        for _ in range(MAX_AUTO_STEPS):
            step = self._step(flow, state.step_id)
            match step:
                case SayStep():
                    replies.append(Reply(self._text(step.say, state), step_id=step.id))
                    state = RunState(flow.id, step.next, state.vars)
                case ActionStep():
                    effects.append(Effect("action", step.action, dict(state.vars)))
                    state = RunState(flow.id, step.next, state.vars)
                case ScheduleStep():
                    effects.append(
                        Effect("schedule", step.schedule, dict(state.vars), step.after_hours)
                    )
                    state = RunState(flow.id, step.next, state.vars)
                case BranchStep():
                    value = state.vars.get(step.branch, "")
                    state = RunState(flow.id, step.cases.get(value, step.default), state.vars)
                case EndStep():
                    if step.end is not None:
                        replies.append(Reply(self._text(step.end, state), step_id=step.id))
                    if step.then:
                        effects.append(Effect("then", step.then, dict(state.vars)))
                    return Transition(None, tuple(replies), tuple(effects), "ended")
                case AskStep() | ChooseStep() | CoachStep():
                    state = replace(state, attempts=0)
                    replies.append(self._ask_reply(step, state))
                    return Transition(state, tuple(replies), tuple(effects), outcome)
        raise FlowError(f"flow {flow.id!r} runs more than {MAX_AUTO_STEPS} steps without input")

    def _reask(
        self, step: AskStep | ChooseStep | CoachStep, state: RunState, reason: str
    ) -> Transition:
        state = replace(state, attempts=state.attempts + 1)
        replies: list[Reply] = []
        retry = getattr(step, "retry", None)
        if retry is not None:
            replies.append(Reply(self._text(retry, state), step_id=step.id))
        elif reason in self.retry_texts:
            replies.append(Reply(self.retry_texts[reason], step_id=step.id))
        replies.append(self._ask_reply(step, state))
        return Transition(state, tuple(replies), (), "invalid")

    def _ask_reply(self, step: Step, state: RunState) -> Reply:
        match step:
            case AskStep():
                buttons: tuple[Button, ...] = (
                    (Button(step.skip_label, SKIP_OPTION),) if step.skip_label else ()
                )
                return Reply(
                    self._text(step.ask, state), step.id, buttons=buttons, expects_text=True
                )
            case ChooseStep():
                return Reply(
                    self._text(step.choose, state),
                    step.id,
                    buttons=tuple(Button(o.label, i) for i, o in enumerate(step.options)),
                    expects_text=step.free_text is not None,
                )
            case CoachStep():
                return Reply(self._text(step.coach, state), step.id, expects_text=True)
        raise FlowError(f"step {step.id!r} does not ask anything")

    # -- helpers ------------------------------------------------------------------------------

    def _validate(self, name: str, value: UserInput) -> Valid | Invalid:
        try:
            validator = self.validators[name]
        except KeyError as exc:
            raise FlowError(f"unknown input type {name!r}") from exc
        return validator(value)

    def _text(self, text: Text, state: RunState) -> str:
        return render_text(text, state.vars, self.rng)

    def _flow(self, flow_id: str) -> Flow:
        try:
            return self.flows[flow_id]
        except KeyError as exc:
            raise FlowError(f"unknown flow {flow_id!r}") from exc

    @staticmethod
    def _step(flow: Flow, step_id: str) -> Step:
        try:
            return flow.step(step_id)
        except KeyError as exc:
            raise FlowError(f"flow {flow.id!r} has no step {step_id!r}") from exc
