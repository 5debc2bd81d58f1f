"""Moments ahead for /hold and /timeout: durations, named moments, clock times, and the
kind refusals (zero, past, too far), in the user's own zone and across a DST change."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.timeparse import parse_when

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 2, 20, 30, tzinfo=BERLIN)  # a Monday evening


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("20 min", NOW + timedelta(minutes=20)),
        ("in 20 minutes", NOW + timedelta(minutes=20)),
        ("1h", NOW + timedelta(hours=1)),
        ("1 h 30 min", NOW + timedelta(minutes=90)),
        ("an hour", NOW + timedelta(hours=1)),
        ("45", NOW + timedelta(minutes=45)),
        ("at 9pm", datetime(2026, 3, 2, 21, 0, tzinfo=BERLIN)),
        ("21:15", datetime(2026, 3, 2, 21, 15, tzinfo=BERLIN)),
        ("tomorrow 9am", datetime(2026, 3, 3, 9, 0, tzinfo=BERLIN)),
        ("Tomorrow morning", datetime(2026, 3, 3, 8, 0, tzinfo=BERLIN)),
        ("3 days", NOW + timedelta(days=3)),
        # 21:00 is only 30 minutes away: "tonight" means at least an hour from now.
        ("tonight", NOW + timedelta(hours=1)),
    ],
)
def test_moments_ahead(typed: str, expected: datetime) -> None:
    assert parse_when(typed, NOW) == expected


def test_tonight_in_the_afternoon_is_nine_pm() -> None:
    afternoon = datetime(2026, 3, 2, 15, 0, tzinfo=BERLIN)
    assert parse_when("tonight", afternoon) == datetime(2026, 3, 2, 21, 0, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("0 minutes", "when_zero"),
        ("in 0 min", "when_zero"),
        ("at 9am", "when_past"),
        ("20:00", "when_past"),
        ("8 days", "when_far"),
        ("in 3 months", "when_far"),
        ("in 20 weeks", "when_far"),
        ("", "when"),
        ("whenever", "when"),
        ("tomorrow", "when"),
        ("x" * 500, "when"),
    ],
)
def test_refusals_say_why(typed: str, problem: str) -> None:
    assert parse_when(typed, NOW) == problem


def test_across_the_spring_change_a_wall_time_is_kept() -> None:
    # Europe/Berlin skips 02:00-03:00 on 29 March 2026.
    evening = datetime(2026, 3, 28, 22, 0, tzinfo=BERLIN)
    moment = parse_when("tomorrow morning", evening)
    assert isinstance(moment, datetime)
    assert (moment.hour, moment.minute, moment.day) == (8, 0, 29)
    assert moment.utcoffset() == timedelta(hours=2)


@given(st.text(max_size=60))
def test_any_text_is_a_future_moment_within_a_week_or_a_reason(text: str) -> None:
    found = parse_when(text, NOW)
    if isinstance(found, datetime):
        assert NOW < found <= NOW + timedelta(days=7)
    else:
        assert found in ("when", "when_zero", "when_past", "when_far")


def test_a_huge_number_of_minutes_is_too_far_not_a_crash() -> None:
    """Found by the property test above: 1440000000000 bare minutes overflowed timedelta."""
    assert parse_when("1440000000000", NOW) == "when_far"
