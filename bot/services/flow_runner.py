"""Run flows for a user: load the run, call the pure engine, store, apply effects, render.

Everything a flow does happens in one database transaction, so a crash never leaves a run
half-moved. Replies are rendered to `Outgoing` messages with button data that names the run
and the step, so a tap on an old button is recognised as stale.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.content.texts import T
from bot.db.models import FlowRun, ScheduledTask
from bot.db.repo import flows as flow_repo
from bot.db.repo import users as user_repo
from bot.domain.dates import moment_words
from bot.domain.inputs import WHEN, when_validator
from bot.edge import callbacks
from bot.edge.context import Services
from bot.edge.outgoing import ButtonSpec, Outgoing, layout
from bot.flows.engine import (
    Effect,
    FlowEngine,
    FlowError,
    Reply,
    RunState,
    Transition,
    UserInput,
)

log = logging.getLogger(__name__)

FLOW_BUTTON = "f"


@dataclass(frozen=True, slots=True)
class ActionContext:
    """What an action gets: the open session, the services, the user and the flow's vars."""

    session: AsyncSession
    services: Services
    user_id: int
    flow_id: str
    vars: Mapping[str, str]
    ref: str = ""


ActionFn = Callable[[ActionContext], Awaitable[tuple[Outgoing, ...]]]
# Gives a flow its starting variables (e.g. a practice scenario) whenever it starts.
Starter = Callable[[AsyncSession, Services, int], Awaitable[dict[str, str]]]


class FlowRunner:
    """Start, continue and cancel flows for users."""

    def __init__(
        self,
        services: Services,
        actions: Mapping[str, ActionFn],
        starters: Mapping[str, Starter] | None = None,
    ) -> None:
        self.services = services
        self.actions = actions
        self.starters = starters or {}

    async def start(
        self, user_id: int, flow_id: str, variables: Mapping[str, str] | None = None
    ) -> tuple[Outgoing, ...]:
        """Start a flow (closing any active one) and return its first messages."""
        async with self.services.db.session() as session:
            return await self._start(session, user_id, flow_id, variables)

    async def _start(
        self,
        session: AsyncSession,
        user_id: int,
        flow_id: str,
        variables: Mapping[str, str] | None,
    ) -> tuple[Outgoing, ...]:
        now = self.services.clock()
        starter = self.starters.get(flow_id)
        if starter is not None:
            variables = {**await starter(session, self.services, user_id), **(variables or {})}
        transition = self.services.engine.start(flow_id, variables)
        run = await flow_repo.start_run(
            session,
            user_id=user_id,
            state=transition.state or RunState(flow_id, "", {}),
            now=now,
        )
        # Stored just now with this very state: saving it again would only rewrite it.
        return await self._apply(session, run, transition, user_id, stored=True)

    async def has_active(self, user_id: int) -> bool:
        """Return whether the user is in the middle of a flow."""
        async with self.services.db.session() as session:
            return await flow_repo.active_run(session, user_id=user_id) is not None

    async def on_input(self, user_id: int, value: UserInput) -> tuple[Outgoing, ...] | None:
        """Feed free text or a location to the active flow; None when there is none."""
        async with self.services.db.session() as session:
            run = await flow_repo.active_run(session, user_id=user_id)
            if run is None:
                return None
            engine = await self._engine_for(session, run, user_id)
            try:
                transition = engine.on_input(flow_repo.state_of(run), value)
            except FlowError:
                return await self._restart_changed(session, run, user_id)
            return await self._apply(session, run, transition, user_id)

    async def on_button(
        self, user_id: int, data: callbacks.Callback
    ) -> tuple[Outgoing, ...] | None:
        """Handle a flow button; None when the tap is stale (old run or passed step)."""
        run_id, step_index, option = (data.int_arg(0), data.int_arg(1), data.int_arg(2))
        if run_id is None or step_index is None or option is None:
            return None
        async with self.services.db.session() as session:
            run = await flow_repo.active_run(session, user_id=user_id)
            if run is None or run.id != run_id:
                return None
            flow = self.services.catalog.flows.get(run.flow_id)
            if flow is None or not 0 <= step_index < len(flow.steps):
                return None
            state = flow_repo.state_of(run)
            engine = await self._engine_for(session, run, user_id)
            try:
                transition = engine.on_choice(state, flow.steps[step_index].id, option)
            except FlowError:
                return await self._restart_changed(session, run, user_id)
            if transition.outcome == "stale":
                return None
            return await self._apply(session, run, transition, user_id)

    async def current_question(self, user_id: int) -> tuple[Outgoing, ...]:
        """Repeat the active flow's open question (after an interruption)."""
        async with self.services.db.session() as session:
            run = await flow_repo.active_run(session, user_id=user_id)
            if run is None:
                return ()
            try:
                transition = self.services.engine.prompt(flow_repo.state_of(run))
            except FlowError:
                return await self._restart_changed(session, run, user_id)
            return self._render(run, transition.replies)

    async def cancel(self, user_id: int) -> bool:
        """Stop the active flow, keeping what was saved; return whether there was one."""
        async with self.services.db.session() as session:
            closed = await flow_repo.close_runs(
                session, user_id=user_id, status="cancelled", now=self.services.clock()
            )
        return closed > 0

    async def expire_stale(self, *, keep: Collection[str] = ()) -> int:
        """Close runs idle longer than FLOW_TIMEOUT_HOURS, so an exercise left yesterday does
        not swallow today's messages; what was written stays saved."""
        settings = self.services.settings
        async with self.services.db.session() as session:
            return await flow_repo.expire_stale_runs(
                session,
                older_than=timedelta(hours=settings.flow_timeout_hours),
                now=self.services.clock(),
                keep=keep,
            )

    async def _engine_for(self, session: AsyncSession, run: FlowRun, user_id: int) -> FlowEngine:
        """The engine, with the `when` input bound to this user's zone and the clock when the
        step waiting for input reads a moment ahead ("tonight", "in 20 min")."""
        engine = self.services.engine
        flow = self.services.catalog.flows.get(run.flow_id)
        if flow is None:
            return engine
        try:
            step = flow.step(run.step_id)
        except KeyError:
            return engine
        if WHEN not in (getattr(step, "input", None), getattr(step, "free_text", None)):
            return engine
        user = await user_repo.get_user(session, user_id=user_id)
        zone = user.timezone if user is not None and user.timezone else "UTC"
        now = self.services.clock()
        texts = self.services.catalog.texts
        validator = when_validator(
            self.services.catalog.words,
            now=now,
            zone=zone,
            describe=lambda moment: moment_words(texts, moment, now=now),
        )
        return engine.bound({WHEN: validator})

    async def _restart_changed(
        self, session: AsyncSession, run: FlowRun, user_id: int
    ) -> tuple[Outgoing, ...]:
        # The content changed under a live run (a step was renamed or removed): start afresh.
        log.warning("flow %s changed under an active run; restarting it", run.flow_id)
        await flow_repo.finish_run(session, run=run, now=self.services.clock(), status="expired")
        note = Outgoing(self.services.catalog.texts.get(T.flow_changed))
        if run.flow_id not in self.services.catalog.flows:
            return (note,)
        return (note, *await self._start(session, user_id, run.flow_id, None))

    async def _apply(
        self,
        session: AsyncSession,
        run: FlowRun,
        transition: Transition,
        user_id: int,
        *,
        stored: bool = False,
    ) -> tuple[Outgoing, ...]:
        now = self.services.clock()
        if transition.state is None:
            await flow_repo.finish_run(session, run=run, now=now)
        elif not stored:
            await flow_repo.save_run(session, run=run, state=transition.state, now=now)
        messages = list(self._render(run, transition.replies))
        for effect in transition.effects:
            messages.extend(await self._effect(session, run, effect, user_id))
        return tuple(messages)

    async def _effect(
        self, session: AsyncSession, run: FlowRun, effect: Effect, user_id: int
    ) -> tuple[Outgoing, ...]:
        match effect.kind:
            case "action":
                action = self.actions[effect.name]
                return await action(
                    ActionContext(
                        session, self.services, user_id, run.flow_id, effect.vars, effect.ref
                    )
                )
            case "schedule":
                session.add(
                    ScheduledTask(
                        user_id=user_id,
                        kind="flow",
                        ref=effect.name,
                        due_at=self.services.clock() + timedelta(hours=effect.after_hours),
                        state=json.dumps(dict(effect.vars)),
                    )
                )
                return ()
            case "then":
                return await self._start(session, user_id, effect.name, None)
        return ()

    def _render(self, run: FlowRun, replies: tuple[Reply, ...]) -> tuple[Outgoing, ...]:
        flow = self.services.catalog.flows[run.flow_id]
        rendered = []
        for reply in replies:
            buttons = []
            if reply.buttons:
                step_index = flow.index(reply.step_id)
                assert run.id is not None
                buttons = [
                    ButtonSpec(
                        b.label, callbacks.encode(FLOW_BUTTON, run.id, step_index, b.option)
                    )
                    for b in reply.buttons
                ]
            rendered.append(Outgoing(reply.html, layout(buttons)))
        return tuple(rendered)
