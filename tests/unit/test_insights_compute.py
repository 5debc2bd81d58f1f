"""bot.domain.insights.compute: the 28 days, weekly buckets, mood trend, grounding means, practice
share and emptiness, on hand-made rows and on random ones (hypothesis)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.insights import WEEKS, Insights, compute

TODAY = date(2026, 3, 2)
NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
FIRST = TODAY - timedelta(days=WEEKS * 7 - 1)


def utc_date(when: datetime) -> date:
    return when.astimezone(UTC).date()


def at(days_ago: int, hour: int = 12) -> datetime:
    """A UTC moment on the day `days_ago` days before TODAY."""
    return NOON.replace(hour=hour) - timedelta(days=days_ago)


def run(
    *,
    moods: Sequence[tuple[datetime, int]] = (),
    entries: Sequence[datetime] = (),
    grounding: Sequence[tuple[int | None, int | None]] = (),
    attempts: Sequence[tuple[datetime, str]] = (),
    local: timezone = UTC,
) -> Insights:
    return compute(
        today=TODAY,
        local_dates_of=lambda when: when.astimezone(local).date(),
        moods=moods,
        entries=entries,
        grounding=grounding,
        attempts=attempts,
    )


def test_the_days_are_the_last_four_weeks_ending_today() -> None:
    insights = run()
    assert len(insights.days) == WEEKS * 7 == 28
    assert insights.days[0] == FIRST == date(2026, 2, 3)
    assert insights.days[-1] == TODAY
    assert all(
        b - a == timedelta(days=1) for a, b in zip(insights.days, insights.days[1:], strict=False)
    )
    assert insights.week_starts == tuple(FIRST + timedelta(weeks=w) for w in range(WEEKS))


def test_nothing_at_all_is_empty() -> None:
    insights = run()
    assert insights.empty
    assert insights.mood == (None,) * 28
    assert insights.entries_per_week == (0, 0, 0, 0)
    assert insights.ready_share_per_week == (None, None, None, None)
    assert (insights.grounding_before, insights.grounding_after) == (None, None)
    assert (insights.grounding_count, insights.attempts, insights.ready) == (0, 0, 0)
    assert insights.mood_trend() is None


@pytest.mark.parametrize(
    "rows",
    [
        {"moods": [(at(0), 3)]},
        {"entries": [at(27)]},
        {"grounding": [(6, 2)]},
        {"attempts": [(at(5), "try_again")]},
    ],
    ids=["one mood", "one entry", "one grounding", "one attempt"],
)
def test_any_single_row_in_the_window_is_not_empty(rows: dict[str, list[object]]) -> None:
    assert not run(**rows).empty  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "rows",
    [
        {"moods": [(at(28), 3)]},
        {"entries": [at(28), at(-1)]},
        {"grounding": [(None, 4), (7, None)]},
        {"attempts": [(at(40), "ready")]},
    ],
    ids=["mood too old", "entries outside", "unrated grounding", "attempt too old"],
)
def test_rows_outside_the_window_or_unrated_leave_it_empty(rows: dict[str, list[object]]) -> None:
    assert run(**rows).empty  # type: ignore[arg-type]


def test_mood_is_the_mean_per_local_day() -> None:
    insights = run(moods=[(at(0, 8), 2), (at(0, 20), 5), (at(3), 4), (at(30), 1)])
    assert insights.mood[-1] == 3.5
    assert insights.mood[-4] == 4
    assert sum(m is not None for m in insights.mood) == 2


def test_local_dates_decide_the_day_and_the_week() -> None:
    # 23:30 UTC on 23 Feb is already 24 Feb in UTC+2: the next day, and the next week.
    late = datetime(2026, 2, 23, 23, 30, tzinfo=UTC)
    plus_two = timezone(timedelta(hours=2))
    in_utc = run(moods=[(late, 4)], entries=[late])
    in_zone = run(moods=[(late, 4)], entries=[late], local=plus_two)
    assert in_utc.mood.index(4) == (date(2026, 2, 23) - FIRST).days == 20
    assert in_zone.mood.index(4) == 21
    assert in_utc.entries_per_week == (0, 0, 1, 0)
    assert in_zone.entries_per_week == (0, 0, 0, 1)


def test_entries_fall_into_weeks_from_the_first_day() -> None:
    # Weeks run 27-21, 20-14, 13-7 and 6-0 days ago; 28 days ago and tomorrow are outside.
    entries = [at(27), at(21), at(20), at(14), at(7), at(6), at(0), at(0), at(28), at(-1)]
    assert run(entries=entries).entries_per_week == (2, 2, 1, 3)


@pytest.mark.parametrize(
    ("moods", "trend"),
    [
        ([(at(1), 4), (at(10), 2)], 2.0),
        ([(at(1), 2), (at(2), 3), (at(10), 4), (at(20), 4)], -1.5),
        ([(at(6), 3), (at(7), 3)], 0.0),  # day 6 is last week, day 7 the weeks before
        ([(at(1), 4), (at(2), 5)], None),  # nothing earlier to compare with
        ([(at(10), 4), (at(20), 5)], None),  # nothing this week
    ],
)
def test_mood_trend_compares_the_last_seven_days_with_the_three_weeks_before(
    moods: list[tuple[datetime, int]], trend: float | None
) -> None:
    assert run(moods=moods).mood_trend() == trend


def test_grounding_means_count_only_sessions_rated_both_times() -> None:
    insights = run(grounding=[(8, 4), (6, 3), (7, None), (None, None), (None, 2)])
    assert insights.grounding_count == 2
    assert insights.grounding_before == 7.0
    assert insights.grounding_after == 3.5


def test_practice_share_per_week_and_totals() -> None:
    attempts = [
        (at(27), "ready"), (at(26), "try_again"),  # week 0: 1 of 2
        (at(10), "try_again"),  # week 2: 0 of 1
        (at(3), "ready"), (at(2), "ready"), (at(1), "ready"), (at(0), "almost"),  # week 3
        (at(29), "ready"),  # outside: not counted anywhere
    ]  # fmt: skip
    insights = run(attempts=attempts)
    assert insights.ready_share_per_week == (0.5, None, 0.0, 0.75)
    assert (insights.attempts, insights.ready) == (7, 4)


# -- random rows -----------------------------------------------------------------------------

moments = st.integers(min_value=-3 * 24 * 60, max_value=40 * 24 * 60).map(
    lambda minutes: NOON - timedelta(minutes=minutes)
)
ratings = st.integers(min_value=1, max_value=5)
intensity = st.none() | st.integers(min_value=0, max_value=10)
verdicts = st.sampled_from(["ready", "almost", "try_again"])
offsets = st.integers(min_value=-12, max_value=14).map(lambda h: timezone(timedelta(hours=h)))


@settings(max_examples=100, deadline=None)
@given(
    moods=st.lists(st.tuples(moments, ratings), max_size=40),
    entries=st.lists(moments, max_size=40),
    grounding=st.lists(st.tuples(intensity, intensity), max_size=10),
    attempts=st.lists(st.tuples(moments, verdicts), max_size=40),
    local=offsets,
)
def test_compute_invariants(
    moods: list[tuple[datetime, int]],
    entries: list[datetime],
    grounding: list[tuple[int | None, int | None]],
    attempts: list[tuple[datetime, str]],
    local: timezone,
) -> None:
    insights = run(
        moods=moods, entries=entries, grounding=grounding, attempts=attempts, local=local
    )

    def inside(when: datetime) -> bool:
        return FIRST <= when.astimezone(local).date() <= TODAY

    assert len(insights.mood) == len(insights.days) == 28
    rated_days = {when.astimezone(local).date() for when, _ in moods if inside(when)}
    assert {
        d for d, m in zip(insights.days, insights.mood, strict=True) if m is not None
    } == rated_days
    assert all(1 <= m <= 5 for m in insights.mood if m is not None)
    assert sum(insights.entries_per_week) == sum(inside(when) for when in entries)
    assert insights.attempts == sum(inside(when) for when, _ in attempts)
    assert insights.ready == sum(inside(when) and v == "ready" for when, v in attempts)
    assert all(s is None or 0 <= s <= 1 for s in insights.ready_share_per_week)
    rated = [(b, a) for b, a in grounding if b is not None and a is not None]
    assert insights.grounding_count == len(rated)
    if rated:
        assert insights.grounding_before is not None and insights.grounding_after is not None
        assert 0 <= insights.grounding_before <= 10 and 0 <= insights.grounding_after <= 10
    trend = insights.mood_trend()
    assert trend is None or -4 <= trend <= 4
    assert insights.empty == (
        not rated_days
        and not sum(insights.entries_per_week)
        and not rated
        and not insights.attempts
    )
