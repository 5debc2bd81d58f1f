"""Run scheduled tasks when they fall due: follow-up flows, prompt reminders, check-ins."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram.error import Forbidden, TelegramError

from bot.content.texts import T
from bot.db.models import ScheduledTask
from bot.db.repo import tasks as task_repo
from bot.db.repo import users as user_repo
from bot.edge.context import Services, language_scope
from bot.edge.outgoing import Outgoing
from bot.services.flow_runner import FlowRunner
from bot.services.prompting import render_prompt

log = logging.getLogger(__name__)

POSTPONE = timedelta(hours=1)
MessagesSender = Callable[[int, tuple[Outgoing, ...]], Awaitable[None]]
TaskFn = Callable[[ScheduledTask], Awaitable[tuple[Outgoing, ...]]]


class TaskRunner:
    """Claim due tasks and perform them; each kind renders what to send."""

    def __init__(self, services: Services, runner: FlowRunner, send: MessagesSender) -> None:
        self.services = services
        self.runner = runner
        self.send = send
        self.kinds: dict[str, TaskFn] = {
            "flow": self._flow,
            "prompt_reminder": self._prompt_reminder,
        }
        # Kinds that start a flow wait while the user is in the middle of another one.
        self.flow_kinds: set[str] = {"flow"}

    def add_kind(self, kind: str, handler: TaskFn, *, starts_flow: bool = False) -> None:
        """Register another kind of task (the app wires these in make_task_runner)."""
        self.kinds[kind] = handler
        if starts_flow:
            self.flow_kinds.add(kind)

    async def tick(self, *, limit: int = 200) -> int:
        """Run every due task; return how many ran."""
        services = self.services
        async with services.db.session() as session:
            tasks = await task_repo.claim_due(
                session, now=services.clock(), limit=limit, skip_locked=services.db.is_postgres
            )
        done: list[int] = []
        failed: list[int] = []
        postponed: list[int] = []
        for task in tasks:
            assert task.id is not None
            if task.kind in self.flow_kinds and await self.runner.has_active(task.user_id):
                # Never cut into an exercise the user is doing right now: try again later.
                postponed.append(task.id)
                continue
            try:
                await self._run(task)
            except Forbidden:
                async with services.db.session() as session:
                    await user_repo.set_active(session, user_id=task.user_id, active=False)
                failed.append(task.id)
            except TelegramError as exc:
                log.warning("a scheduled %s task failed: %s", task.kind, exc.__class__.__name__)
                failed.append(task.id)
            else:
                done.append(task.id)
        async with services.db.session() as session:
            await task_repo.finish(session, task_ids=done, status="done")
            await task_repo.finish(session, task_ids=failed, status="failed")
            await task_repo.postpone(
                session, task_ids=postponed, until=services.clock() + POSTPONE
            )
        return len(tasks) - len(postponed)

    async def _run(self, task: ScheduledTask) -> None:
        async with self.services.db.session() as session:
            user = await user_repo.get_user(session, user_id=task.user_id)
        if user is None or not user.active:
            return
        handler = self.kinds.get(task.kind)
        if handler is None:
            log.error("no handler for scheduled task kind %r", task.kind)
            return
        # Everything the task renders (flows, prompts, pictures) speaks the user's language.
        with language_scope(user.language):
            messages = await handler(task)
        if messages:
            await self.send(task.user_id, messages)

    async def _flow(self, task: ScheduledTask) -> tuple[Outgoing, ...]:
        if task.ref not in self.services.catalog.flows:
            return ()
        variables = json.loads(task.state) if task.state else {}
        return await self.runner.start(task.user_id, task.ref, variables)

    async def _prompt_reminder(self, task: ScheduledTask) -> tuple[Outgoing, ...]:
        catalog = self.services.catalog
        prompt = catalog.library.prompts.get(task.ref)
        if prompt is None:
            return ()
        async with self.services.db.session() as session:
            await user_repo.update_user(
                session, user_id=task.user_id, awaiting_prompt_id=prompt.id
            )
        lead = catalog.texts.get(T.prompt_reminder_lead)
        return (render_prompt(catalog, prompt, lead=lead),)
