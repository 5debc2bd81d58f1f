"""Run scheduled tasks when they fall due: follow-up flows, reminders, held messages, check-ins.

One repeating job calls `tick`; the rows in the database are the only schedule (no timer per
user). Each task is claimed once (see bot/db/repo/tasks.py), flipped to `sending` just before
its handler runs, and finished as done, failed or skipped. A kind may say how late is too late
(`grace`: after downtime, a check-in hours late is skipped rather than sent) and how long to
wait when the user is in the middle of another exercise (`postpone`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from telegram.error import BadRequest, Forbidden, TelegramError

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


@dataclass(frozen=True, slots=True)
class KindRules:
    """How one kind of task is run."""

    handler: TaskFn
    starts_flow: bool = False  # waits while the user is in the middle of another flow
    postpone: timedelta = POSTPONE  # how long it waits then
    skip_when_late: bool = False  # later than PROMPT_GRACE_MINUTES after downtime: skip it


class TaskRunner:
    """Claim due tasks and perform them; each kind renders what to send."""

    def __init__(self, services: Services, runner: FlowRunner, send: MessagesSender) -> None:
        self.services = services
        self.runner = runner
        self.send = send
        self.kinds: dict[str, KindRules] = {
            "flow": KindRules(self._flow, starts_flow=True),
            "prompt_reminder": KindRules(self._prompt_reminder),
        }

    def add_kind(
        self,
        kind: str,
        handler: TaskFn,
        *,
        starts_flow: bool = False,
        postpone: timedelta = POSTPONE,
        skip_when_late: bool = False,
    ) -> None:
        """Register another kind of task (the app wires these in make_task_runner)."""
        self.kinds[kind] = KindRules(handler, starts_flow, postpone, skip_when_late)

    async def recover(self) -> tuple[int, int]:
        """At start-up: give back claims a dead process never started; log lost sends."""
        async with self.services.db.session() as session:
            requeued, lost = await task_repo.recover(session, now=self.services.clock())
        if requeued or lost:
            log.warning("scheduled tasks after a crash: %d re-queued, %d lost", requeued, lost)
        return requeued, lost

    async def tick(self, *, limit: int = 200) -> int:
        """Run every due task; return how many ran."""
        services = self.services
        now = services.clock()
        async with services.db.session() as session:
            tasks = await task_repo.claim_due(
                session, now=now, limit=limit, skip_locked=services.db.is_postgres
            )
        outcomes: dict[str, list[int]] = {"done": [], "failed": [], "skipped": []}
        postponed: dict[timedelta, list[int]] = {}
        for task in tasks:
            assert task.id is not None
            rules = self.kinds.get(task.kind)
            if rules is None:
                log.error("no handler for scheduled task kind %r", task.kind)
                outcomes["failed"].append(task.id)
                continue
            if rules.skip_when_late and now - task.due_at > services.settings.prompt_grace:
                outcomes["skipped"].append(task.id)
                continue
            if rules.starts_flow and await self.runner.has_active(task.user_id):
                # Never cut into an exercise the user is doing right now: try again later.
                postponed.setdefault(rules.postpone, []).append(task.id)
                continue
            outcomes[await self._run(task, rules)].append(task.id)
        async with services.db.session() as session:
            for status, ids in outcomes.items():
                await task_repo.finish(session, task_ids=ids, status=status)
            for wait, ids in postponed.items():
                await task_repo.postpone(session, task_ids=ids, until=now + wait)
        return len(tasks) - sum(len(ids) for ids in postponed.values())

    async def _run(self, task: ScheduledTask, rules: KindRules) -> str:
        assert task.id is not None
        async with self.services.db.session() as session:
            # From here on a crash means "maybe sent": never run it again.
            if not await task_repo.start_sending(session, task_id=task.id):
                return "skipped"
            user = await user_repo.get_user(session, user_id=task.user_id)
        if user is None or not user.active:
            return "skipped"
        try:
            # Everything the task renders (flows, prompts, pictures) speaks the user's language.
            with language_scope(user.language):
                messages = await rules.handler(task)
            if messages:
                await self.send(task.user_id, messages)
        except Forbidden:
            await self._blocked(task.user_id)
            return "failed"
        except BadRequest as exc:
            if "chat not found" in str(exc).lower():
                await self._blocked(task.user_id)
            else:
                log.warning("a scheduled %s task was refused: %s", task.kind, exc)
            return "failed"
        except TelegramError as exc:
            log.warning("a scheduled %s task failed: %s", task.kind, exc.__class__.__name__)
            return "failed"
        return "done"

    async def _blocked(self, user_id: int) -> None:
        async with self.services.db.session() as session:
            await user_repo.set_active(session, user_id=user_id, active=False)

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
