"""Weekly insights as numbers (pure): mood over four weeks, writing, grounding, practice."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import fmean

WEEKS = 4


@dataclass(frozen=True, slots=True)
class Insights:
    """What the chart and the sentences show."""

    days: tuple[date, ...]  # the 28 local days, oldest first
    mood: tuple[float | None, ...]  # mean rating per day (None: no check-in)
    week_starts: tuple[date, ...]
    entries_per_week: tuple[int, ...]
    grounding_before: float | None
    grounding_after: float | None
    grounding_count: int
    ready_share_per_week: tuple[float | None, ...]
    attempts: int
    ready: int
    # Bids for connection in the last seven days: turned toward, away, against.
    bids: tuple[int, int, int] = (0, 0, 0)

    @property
    def empty(self) -> bool:
        """Whether there is nothing to show yet."""
        return (
            all(m is None for m in self.mood)
            and not any(self.entries_per_week)
            and self.grounding_count == 0
            and self.attempts == 0
            and not any(self.bids)
        )

    def mood_trend(self) -> float | None:
        """Last week's mean mood minus the three weeks before (None without both)."""
        last = [m for m in self.mood[-7:] if m is not None]
        earlier = [m for m in self.mood[:-7] if m is not None]
        if not last or not earlier:
            return None
        return fmean(last) - fmean(earlier)


def compute(
    *,
    today: date,
    local_dates_of: Callable[[datetime], date],
    moods: Sequence[tuple[datetime, int]],
    entries: Sequence[datetime],
    grounding: Sequence[tuple[int | None, int | None]],
    attempts: Sequence[tuple[datetime, str]],
    bids: Sequence[tuple[datetime, str]] = (),
) -> Insights:
    """Aggregate raw rows (already limited to the last four weeks) into insights."""
    days = tuple(today - timedelta(days=offset) for offset in range(WEEKS * 7 - 1, -1, -1))
    first = days[0]
    by_day: dict[date, list[int]] = {}
    for when, rating in moods:
        by_day.setdefault(local_dates_of(when), []).append(rating)
    mood = tuple(fmean(by_day[d]) if d in by_day else None for d in days)
    week_starts = tuple(first + timedelta(weeks=w) for w in range(WEEKS))

    def week_of(when: datetime) -> int | None:
        index = (local_dates_of(when) - first).days // 7
        return index if 0 <= index < WEEKS else None

    per_week = [0] * WEEKS
    for when in entries:
        week = week_of(when)
        if week is not None:
            per_week[week] += 1
    rated = [(b, a) for b, a in grounding if b is not None and a is not None]
    tried = [0] * WEEKS
    ready = [0] * WEEKS
    for when, verdict in attempts:
        week = week_of(when)
        if week is not None:
            tried[week] += 1
            ready[week] += verdict == "ready"
    directions = {"toward": 0, "away": 0, "against": 0}
    for when, response in bids:
        if week_of(when) == WEEKS - 1 and response in directions:
            directions[response] += 1
    return Insights(
        days=days,
        mood=mood,
        week_starts=week_starts,
        entries_per_week=tuple(per_week),
        grounding_before=fmean(b for b, _ in rated) if rated else None,
        grounding_after=fmean(a for _, a in rated) if rated else None,
        grounding_count=len(rated),
        ready_share_per_week=tuple(
            r / t if t else None for r, t in zip(ready, tried, strict=True)
        ),
        attempts=sum(tried),
        ready=sum(ready),
        bids=(directions["toward"], directions["away"], directions["against"]),
    )
