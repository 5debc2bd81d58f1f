"""Properties of next_occurrence over every day of 2026 and 2027 in zones with awkward DST.

The oracle below works only in the well-defined direction (UTC -> local): it looks for the
UTC instants whose local wall time is the wanted one, and derives the gap rule from the
offsets on either side. It never uses `datetime.combine(..., tzinfo=zone)` with fold.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta, tzinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.scheduling import ALL_DAYS, local_date, next_occurrence, reschedule, zone_of

ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",  # 30-minute DST
    "Asia/Kathmandu",  # +05:45
    "Pacific/Apia",  # +13, crossed the date line in 2011
    "UTC",
    "+05:30",
]
FIRST_DAY, LAST_DAY = date(2026, 1, 1), date(2027, 12, 31)
# Times on either side of and inside every transition of the zones above.
CRITICAL_TIMES = [time(0, 0), time(1, 0), time(1, 30), time(1, 45), time(2, 0), time(2, 15),
                  time(2, 30), time(2, 59), time(3, 0), time(23, 59)]  # fmt: skip
SETTINGS = settings(max_examples=300, deadline=None, database=None)


def wall(instant: datetime, tz: tzinfo) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


def offsets_around(naive: datetime, tz: tzinfo) -> tuple[timedelta, timedelta]:
    """Return the UTC offsets a day before and a day after a local wall time."""
    before = (naive - timedelta(days=1)).replace(tzinfo=UTC).astimezone(tz).utcoffset()
    after = (naive + timedelta(days=1)).replace(tzinfo=UTC).astimezone(tz).utcoffset()
    assert before is not None
    assert after is not None
    return before, after


def instants_with_wall_time(naive: datetime, tz: tzinfo) -> list[datetime]:
    """Return every UTC instant whose local wall time is `naive` (0, 1 or 2 of them)."""
    found = set()
    for offset in offsets_around(naive, tz):
        candidate = (naive - offset).replace(tzinfo=UTC)
        if wall(candidate, tz) == naive:
            found.add(candidate)
    return sorted(found)


def expected_on(day: date, at: time, tz: tzinfo) -> datetime:
    """The occurrence on one local date: the first instant, or the gap rule."""
    naive = datetime.combine(day, at)
    existing = instants_with_wall_time(naive, tz)
    if existing:
        return existing[0]
    before, _ = offsets_around(naive, tz)
    return (naive - before).replace(tzinfo=UTC)


def oracle(zone: str, at: time, days: int, after: datetime) -> datetime:
    tz = zone_of(zone)
    day = after.astimezone(tz).date() - timedelta(days=1)
    while True:
        if days >> day.weekday() & 1:
            candidate = expected_on(day, at, tz)
            if candidate > after:
                return candidate
        day += timedelta(days=1)


times = st.one_of(
    st.builds(time, st.integers(0, 23), st.integers(0, 59)), st.sampled_from(CRITICAL_TIMES)
)
day_masks = st.integers(1, ALL_DAYS)
dates = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)


@st.composite
def instants(draw: st.DrawFn) -> datetime:
    day = draw(dates)
    seconds = draw(st.integers(-86_400, 2 * 86_400))
    return datetime.combine(day, time(0), tzinfo=UTC) + timedelta(seconds=seconds)


def check_one(zone: str, at: time, days: int, after: datetime, result: datetime) -> None:
    tz = zone_of(zone)
    assert result > after
    assert result.tzinfo is UTC
    local = result.astimezone(tz)
    assert days >> local.weekday() & 1, "result falls on a disabled weekday"
    naive = datetime.combine(local.date(), at)
    if instants_with_wall_time(naive, tz):
        assert local.time().replace(tzinfo=None) == at
    else:
        before, after_offset = offsets_around(naive, tz)
        assert local.replace(tzinfo=None) == naive + (after_offset - before), "gap rule"
        assert after_offset > before
    assert result == oracle(zone, at, days, after)


@SETTINGS
@given(zone=st.sampled_from(ZONES), at=times, days=day_masks, after=instants())
def test_next_occurrence_properties(zone: str, at: time, days: int, after: datetime) -> None:
    result = next_occurrence(zone=zone, at=at, days=days, after=after)
    check_one(zone, at, days, after, result)


@settings(max_examples=60, deadline=None, database=None)
@given(zone=st.sampled_from(ZONES), at=times, days=day_masks, after=instants())
def test_iterating_gives_one_result_per_enabled_date(
    zone: str, at: time, days: int, after: datetime
) -> None:
    results = []
    current = after
    for _ in range(400):
        current = next_occurrence(zone=zone, at=at, days=days, after=current)
        results.append(current)
    assert all(a < b for a, b in itertools.pairwise(results)), "strictly increasing"
    dates_seen = [local_date(r, zone) for r in results]
    assert len(set(dates_seen)) == len(dates_seen), "two results on one local date"
    span = (dates_seen[-1] - dates_seen[0]).days + 1
    enabled = {
        d
        for d in (dates_seen[0] + timedelta(days=i) for i in range(span))
        if days >> d.weekday() & 1
    }
    assert set(dates_seen) == enabled, "an enabled date was skipped"


@pytest.mark.parametrize("zone", ZONES)
def test_every_day_of_two_years(zone: str) -> None:
    """Walk 2026-2027 day by day at each critical time: exactly the oracle, once a day."""
    tz = zone_of(zone)
    for at in CRITICAL_TIMES:
        day = FIRST_DAY
        current = expected_on(day, at, tz) - timedelta(seconds=1)
        while day <= LAST_DAY:
            expected = expected_on(day, at, tz)
            current = next_occurrence(zone=zone, at=at, days=ALL_DAYS, after=current)
            assert current == expected, (zone, at, day)
            assert local_date(current, zone) == day
            day += timedelta(days=1)


FOLDS = [
    ("Europe/Berlin", date(2026, 10, 25), time(2, 30)),
    ("Europe/Berlin", date(2027, 10, 31), time(2, 0)),
    ("America/New_York", date(2026, 11, 1), time(1, 30)),
    ("America/New_York", date(2027, 11, 7), time(1, 59)),
    ("Australia/Lord_Howe", date(2026, 4, 5), time(1, 45)),
    ("Australia/Lord_Howe", date(2027, 4, 4), time(1, 30)),
]


@pytest.mark.parametrize(("zone", "day", "at"), FOLDS)
def test_ambiguous_time_fires_exactly_once_at_the_first_instant(
    zone: str, day: date, at: time
) -> None:
    tz = zone_of(zone)
    both = instants_with_wall_time(datetime.combine(day, at), tz)
    assert len(both) == 2, "the fixture must be a real fold"
    current = both[0] - timedelta(days=2)
    fired = []
    for _ in range(5):
        current = next_occurrence(zone=zone, at=at, days=ALL_DAYS, after=current)
        fired.append(current)
    assert both[0] in fired
    assert both[1] not in fired


@SETTINGS
@given(
    zone=st.sampled_from(ZONES),
    at=times,
    days=day_masks,
    now=instants(),
    lag=st.integers(-3, 3),
)
def test_reschedule_never_repeats_a_delivered_date(
    zone: str, at: time, days: int, now: datetime, lag: int
) -> None:
    last = local_date(now, zone) + timedelta(days=lag)
    result = reschedule(zone=zone, at=at, days=days, now=now, last_delivered_local_date=last)
    assert result > now
    assert local_date(result, zone) > last
    # and it is the first occurrence that satisfies both rules
    assert result == oracle(zone, at, days, max(now, _end_of_local_day(last, zone)))


def _end_of_local_day(day: date, zone: str) -> datetime:
    """The last instant of a local date, as UTC (any occurrence on `day` is at or before it)."""
    tz = zone_of(zone)
    start_next = expected_on(day + timedelta(days=1), time(0), tz)
    return start_next - timedelta(microseconds=1)
