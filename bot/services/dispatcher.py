"""The prompt dispatcher: one repeating job that claims due users in batches and sends.

The database is the source of truth (see bot/db/repo/deliveries.py for the claim). A tick
claims a batch, commits, sends concurrently through the rate-limited bot, records outcomes,
and repeats until nothing is due. Blocked users are deactivated, Telegram's RetryAfter is
honoured, passing failures are released for the next tick, and nothing is ever sent twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.db.repo import deliveries as repo
from bot.domain.prompts import cadence, is_sparse_day, prompt_at, user_themes
from bot.edge.context import Services
from bot.edge.outgoing import Outgoing
from bot.edge.ratelimit import describe, never_arrived
from bot.scheduling.plan import catch_up, local_date, reschedule
from bot.services.prompting import PromptRenderer, teaser

log = logging.getLogger(__name__)

PROMPT_SLOT = "prompt"
Sender = Callable[[int, Outgoing], Awaitable[int]]
# Passing failures (5xx, network) are retried this often within one tick before release.
SEND_ATTEMPTS = 3
RETRY_AFTER_ATTEMPTS = 5


@dataclass(slots=True)
class TickReport:
    """What one tick did; logged, exported as metrics, asserted on in tests."""

    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    conflicts: int = 0
    blocked: int = 0
    released: int = 0
    uncertain: int = 0
    rate_limited: int = 0
    batches: int = 0
    lag_seconds: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Job:
    user_id: int
    delivery_id: int
    due_at: datetime
    message: Outgoing
    user_changes: dict[str, Any]
    prompt_id: str


class Dispatcher:
    """Claim due prompts and send them; safe to run in several processes at once."""

    def __init__(self, services: Services, send: Sender, *, concurrency: int = 32) -> None:
        self.services = services
        self.send = send
        self.concurrency = concurrency
        # One renderer per language: each prompt goes out in its user's language.
        self._renderers = {
            code: PromptRenderer(catalog) for code, catalog in services.locales.catalogs.items()
        }
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def recover(self) -> int:
        """At start-up, after a crash: prompts claimed but never attempted are given back
        (the next tick sends them if still within PROMPT_GRACE_MINUTES); prompts whose send
        had started may have reached the user and are marked lost, never sent twice.
        Return how many were lost."""
        async with self.services.db.session() as session:
            given_back, lost = await repo.recover_interrupted(session)
        if given_back:
            log.warning("%d prompt(s) claimed before a restart were never sent", given_back)
        if lost:
            log.warning(
                "%d prompt(s) were being sent when the bot stopped; they may have arrived, "
                "so they are not sent again",
                lost,
            )
        return lost

    async def tick(self, *, max_batches: int = 1000) -> TickReport:
        """Send everything that is due now, batch by batch."""
        report = TickReport()
        released: set[int] = set()
        for _ in range(max_batches):
            if not await self._batch(report, released):
                break
        return report

    async def _batch(self, report: TickReport, released: set[int]) -> bool:
        services = self.services
        settings = services.settings
        now = services.clock()
        jobs: list[_Job] = []
        async with services.db.session() as session:
            rows = await repo.due_users(
                session,
                now=now,
                limit=settings.dispatch_batch_size,
                skip_locked=services.db.is_postgres,
                exclude=released,
            )
            if not rows:
                return False
            planned, messages = self._plan(rows, now)
            claimed = await repo.claim(
                session, planned=planned, now=now, postgres=services.db.is_postgres
            )
        report.batches += 1
        report.claimed += len(claimed)
        report.skipped += sum(1 for p in planned if p.status == "skipped")
        report.conflicts += sum(
            1 for p in planned if p.status == "claimed" and p.user_id not in claimed
        )
        if rows:
            oldest = min(row.next_prompt_at for row in rows)
            report.lag_seconds = max(report.lag_seconds, (now - oldest).total_seconds())
        for user_id, delivery_id in claimed.items():
            message, changes, prompt_id, due_at = messages[user_id]
            jobs.append(_Job(user_id, delivery_id, due_at, message, changes, prompt_id))
        released.update(await self._send_all(jobs, report))
        return True

    def _plan(
        self, rows: Any, now: datetime
    ) -> tuple[
        list[repo.PlannedDelivery], dict[int, tuple[Outgoing, dict[str, Any], str, datetime]]
    ]:
        locales = self.services.locales
        renderers = self._renderers
        grace = self.services.settings.prompt_grace
        rng = self.services.rng
        planned: list[repo.PlannedDelivery] = []
        messages: dict[int, tuple[Outgoing, dict[str, Any], str, datetime]] = {}
        # Users due together mostly share a zone, time and due minute, and the calendar
        # maths depends on nothing else: work it out once per combination in this batch.
        slots: dict[tuple[str, str, int, datetime], tuple[date, datetime, bool]] = {}
        themes_of: dict[str, tuple[str, ...]] = {}
        for row in rows:
            zone, due = row.timezone, row.next_prompt_at
            key = (zone, row.prompt_time, row.prompt_days, due)
            slot = slots.get(key)
            if slot is None:
                day = local_date(due, zone)
                following = reschedule(
                    zone=zone,
                    at=time.fromisoformat(row.prompt_time),
                    days=row.prompt_days,
                    now=max(now, due),
                    last_delivered_local_date=day,
                )
                in_time = catch_up(due_at=due, now=now, grace=grace) == "send"
                slot = slots[key] = (day, following, in_time)
            day, following, send = slot
            mode = cadence(
                now=now,
                last_answer_at=row.last_answer_at,
                consented_at=row.consented_at,
                checkin_sent_at=row.checkin_sent_at,
                reentry_sent_at=row.reentry_sent_at,
            )
            if mode == "sparse" and not is_sparse_day(day.toordinal()):
                send = False
            planned.append(
                repo.PlannedDelivery(
                    user_id=row.id,
                    slot=PROMPT_SLOT,
                    local_date=day,
                    due_at=due,
                    status="claimed" if send else "skipped",
                    next_prompt_at=following,
                )
            )
            if not send:
                continue
            catalog = locales.get(row.language)
            library = catalog.library
            # Prompt ids and themes are the same in every language (content check proves it).
            themes = themes_of.get(row.themes)
            if themes is None:
                chosen = row.themes.split(",") if row.themes else ()
                themes = themes_of[row.themes] = user_themes(library, chosen)
            prompt = prompt_at(library, user_id=row.id, cursor=row.prompt_cursor, themes=themes)
            changes: dict[str, Any] = {
                "prompt_cursor": row.prompt_cursor + 1,
                "awaiting_prompt_id": prompt.id,
            }
            if mode == "checkin":
                lead = rng.choice(library.meta.checkin)
                changes["checkin_sent_at"] = now
            elif mode == "reentry":
                lead = rng.choice(library.meta.reentry)
                changes["reentry_sent_at"] = now
            else:
                lead = teaser(catalog, rng)
            render = renderers.get(catalog.language) or renderers[locales.reference]
            messages[row.id] = (render.render(prompt, lead=lead), changes, prompt.id, due)
        return planned, messages

    async def _send_all(self, jobs: list[_Job], report: TickReport) -> set[int]:
        """Send a claimed batch a wave at a time; return the users given back for later.

        Each wave is marked `sending` before its first request and recorded when its last
        one is answered, so a crash leaves at most one wave whose fate is unknown (those are
        never sent twice) and everything after it plainly unattempted (sent after restart).
        """
        released: set[int] = set()
        for start in range(0, len(jobs), self.concurrency):
            wave = jobs[start : start + self.concurrency]
            async with self.services.db.session() as session:
                mine = await repo.mark_sending(
                    session, delivery_ids=[job.delivery_id for job in wave]
                )
            wave = [job for job in wave if job.delivery_id in mine]
            outcomes = await asyncio.gather(*(self._send_one(job, report) for job in wave))
            results = [(job, *outcome) for job, outcome in zip(wave, outcomes, strict=True)]
            released |= await self._record(results, report)
        return released

    async def _record(
        self, results: list[tuple[_Job, str, int | None]], report: TickReport
    ) -> set[int]:
        """Store what happened to a wave; return the users whose send was given back."""
        deliveries: list[dict[str, Any]] = []
        users: list[dict[str, Any]] = []
        released: list[_Job] = []
        for job, outcome, message_id in results:
            if outcome == "sent":
                report.sent += 1
                deliveries.append(
                    {"id": job.delivery_id, "status": "sent", "prompt_id": job.prompt_id,
                     "message_id": message_id}
                )  # fmt: skip
                users.append({"id": job.user_id, **job.user_changes})
            elif outcome == "blocked":
                report.blocked += 1
                deliveries.append({"id": job.delivery_id, "status": "blocked"})
                users.append({"id": job.user_id, "active": False, "next_prompt_at": None})
            elif outcome == "uncertain":
                report.uncertain += 1
                deliveries.append({"id": job.delivery_id, "status": "uncertain"})
            else:
                report.released += 1
                released.append(job)
        async with self.services.db.session() as session:
            await repo.record_outcomes(session, deliveries=deliveries, users=users)
            for job in released:
                await repo.release(
                    session, delivery_id=job.delivery_id, user_id=job.user_id, due_at=job.due_at
                )
        return {job.user_id for job in released}

    async def _send_one(self, job: _Job, report: TickReport) -> tuple[str, int | None]:
        failures = 0
        waits = 0
        while True:
            try:
                return "sent", await self.send(job.user_id, job.message)
            except Forbidden:
                return "blocked", None
            except BadRequest as exc:
                if "chat not found" in str(exc).lower():
                    return "blocked", None
                log.error("telegram refused a prompt: %s", exc)
                return "uncertain", None
            except RetryAfter as exc:
                waits += 1
                report.rate_limited += 1
                if waits > RETRY_AFTER_ATTEMPTS:
                    return "release", None
                delay = exc.retry_after
                seconds = delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
                await self.sleep(seconds)
            except NetworkError as exc:  # TimedOut too
                if not never_arrived(exc):
                    # A read timeout or a connection lost after sending: the message may have
                    # arrived, and sending again could say it twice.
                    log.warning("a prompt may not have arrived (%s); not resent", describe(exc))
                    return "uncertain", None
                failures += 1
                if failures >= SEND_ATTEMPTS:
                    log.warning("giving a prompt back for the next tick: %s", describe(exc))
                    return "release", None
                await self.sleep(0.5 * 2**failures)
