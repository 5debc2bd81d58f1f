"""RETENTION_DAYS: age out old rows once a day, from the dispatcher's repeating job.

With RETENTION_DAYS=0 (the default) nothing is ever deleted. With N > 0, rows older than N days
go (see bot/db/repo/retention.py for which), at most once per UTC day per process: the job
ticks every few seconds, so the service remembers the date of its last run and returns at once
until the date changes. Deliveries are kept a little longer when the prompt grace window is
long, so a prompt that is still allowed to go out late can never be claimed a second time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.db.engine import Database
from bot.db.repo import retention as repo
from bot.edge.context import Services

log = logging.getLogger(__name__)

# Deliveries stay at least this long past the grace window (they stop double sends).
DELIVERY_MARGIN = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Purge:
    """What one run deleted: the cutoff used and the rows removed per table."""

    cutoff: datetime
    removed: dict[str, int]

    @property
    def total(self) -> int:
        """Return how many rows went in all."""
        return sum(self.removed.values())


class Retention:
    """Delete rows older than `days` days, at most once per UTC day."""

    def __init__(
        self,
        db: Database,
        *,
        days: int,
        clock: Callable[[], datetime],
        grace: timedelta = timedelta(0),
    ) -> None:
        """Set up; `days` <= 0 switches retention off."""
        self.db = db
        self.days = days
        self.clock = clock
        self.grace = grace
        self.last_run: date | None = None

    @classmethod
    def from_services(cls, services: Services) -> Retention:
        """Build from the app's settings, database and clock."""
        settings = services.settings
        return cls(
            services.db,
            days=settings.retention_days,
            clock=services.clock,
            grace=settings.prompt_grace,
        )

    @property
    def enabled(self) -> bool:
        """Whether anything is ever deleted."""
        return self.days > 0

    async def run_if_due(self) -> Purge | None:
        """Purge once today, or return None (off, or already done today)."""
        if not self.enabled:
            return None
        now = self.clock()
        if self.last_run == now.date():
            return None
        # Marked before the work: a failing purge is retried tomorrow, not on every tick.
        self.last_run = now.date()
        return await self.purge(now)

    async def purge(self, now: datetime) -> Purge:
        """Delete everything older than the retention period, now."""
        cutoff = now - timedelta(days=self.days)
        deliveries_cutoff = min(cutoff, now - self.grace - DELIVERY_MARGIN)
        async with self.db.session() as session:
            removed = await repo.purge_older_than(
                session, cutoff=cutoff, deliveries_cutoff=deliveries_cutoff
            )
        purge = Purge(cutoff, removed)
        log.info("retention: removed %d rows older than %d days", purge.total, self.days)
        return purge
