"""bot.domain.timeparse: times of day, weekday sets and pause lengths as users type them."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content.errors import ContentError
from bot.domain.timeparse import (
    MAX_PAUSE,
    TimeWords,
    default_words,
    parse_days,
    parse_duration,
    parse_time,
)
from bot.scheduling import ALL_DAYS, WEEKDAYS, WEEKENDS, days_mask

CONTENT = Path(__file__).resolve().parents[2] / "content" / "locales" / "en"
SETTINGS = settings(max_examples=200, deadline=None, database=None)

TIME_CASES: list[tuple[str, time | None]] = [
    ("8:30", time(8, 30)),
    ("08:30", time(8, 30)),
    ("20:15", time(20, 15)),
    ("0:00", time(0, 0)),
    ("23:59", time(23, 59)),
    ("7.45", time(7, 45)),
    ("8pm", time(20, 0)),
    ("8 pm", time(20, 0)),
    ("8PM", time(20, 0)),
    ("8.30pm", time(20, 30)),
    ("8:30 p.m.", time(20, 30)),
    ("8pm.", time(20, 0)),
    ("9 a.m.", time(9, 0)),
    ("7:45 AM", time(7, 45)),
    ("12am", time(0, 0)),
    ("12:30am", time(0, 30)),
    ("12pm", time(12, 0)),
    ("1pm", time(13, 0)),
    ("11:59 pm", time(23, 59)),
    ("2030", time(20, 30)),  # compact 24-hour
    ("0830", time(8, 30)),
    ("830", time(8, 30)),
    ("20h", time(20, 0)),
    ("20h15", time(20, 15)),
    ("8h30", time(8, 30)),
    ("noon", time(12, 0)),
    ("Noon!", time(12, 0)),
    ("12 noon", time(12, 0)),
    ("midnight", time(0, 0)),
    ("at 8pm", time(20, 0)),
    ("around 7", time(7, 0)),
    ("@ 9am", time(9, 0)),
    ("8 in the evening", time(20, 0)),
    ("7 in the morning", time(7, 0)),
    ("8 o'clock", time(8, 0)),
    ("8 o’clock", time(8, 0)),
    ("8", time(8, 0)),  # a bare hour is read on the 24-hour clock
    ("20", time(20, 0)),
    ("08:30:00", time(8, 30)),
    ("８:３０", time(8, 30)),  # full-width digits
    ("20：15", time(20, 15)),  # full-width colon
    # not times
    ("25:00", None),
    ("24:00", None),
    ("8:61", None),
    ("8:5", None),
    ("08:30:61", None),
    ("banana", None),
    ("", None),
    ("   ", None),
    ("0am", None),
    ("13pm", None),
    ("2030pm", None),
    ("2400", None),
    ("960", None),
    ("12345", None),
    ("8:30 tomorrow", None),
    ("half past eight", None),
    ("-8:30", None),
    ("8" * 300, None),
]


@pytest.mark.parametrize(("text", "expected"), TIME_CASES)
def test_parse_time(text: str, expected: time | None) -> None:
    assert parse_time(text) == expected


@SETTINGS
@given(hour=st.integers(0, 23), minute=st.integers(0, 59))
def test_parse_time_round_trips_24_hour_clock(hour: int, minute: int) -> None:
    assert parse_time(f"{hour}:{minute:02d}") == time(hour, minute)
    assert parse_time(f"{hour:02d}:{minute:02d}") == time(hour, minute)
    assert parse_time(f"{hour:02d}{minute:02d}") == time(hour, minute)
    assert parse_time(f" {hour}h{minute:02d} ") == time(hour, minute)


def test_parse_time_round_trips_every_minute_of_the_day() -> None:
    for hour in range(24):
        for minute in range(60):
            assert parse_time(f"{hour}:{minute:02d}") == time(hour, minute)


@SETTINGS
@given(hour=st.integers(1, 12), minute=st.integers(0, 59), pm=st.booleans())
def test_parse_time_round_trips_12_hour_clock(hour: int, minute: int, pm: bool) -> None:
    expected = time(hour % 12 + (12 if pm else 0), minute)
    suffix = "pm" if pm else "am"
    assert parse_time(f"{hour}:{minute:02d}{suffix}") == expected
    assert parse_time(f"{hour}:{minute:02d} {suffix.upper()}") == expected


@SETTINGS
@given(hour=st.integers(24, 99), minute=st.integers(0, 99))
def test_parse_time_rejects_impossible_hours(hour: int, minute: int) -> None:
    assert parse_time(f"{hour}:{minute:02d}") is None


@SETTINGS
@given(st.text(max_size=30))
def test_parse_time_never_raises(text: str) -> None:
    result = parse_time(text)
    assert result is None or isinstance(result, time)


MON, TUE, WED, THU, FRI, SAT, SUN = (1 << d for d in range(7))

DAY_CASES: list[tuple[str, int | None]] = [
    ("every day", ALL_DAYS),
    ("Every Day", ALL_DAYS),
    ("everyday", ALL_DAYS),
    ("daily", ALL_DAYS),
    ("weekdays", WEEKDAYS),
    ("on weekdays", WEEKDAYS),
    ("weekends", WEEKENDS),
    ("at the weekend", WEEKENDS),
    ("mon wed fri", MON | WED | FRI),
    ("Mon,Wed,Fri", MON | WED | FRI),
    ("mon, wed and fri.", MON | WED | FRI),
    ("Mon-Fri", WEEKDAYS),
    ("mon - fri", WEEKDAYS),
    ("Monday to Friday", WEEKDAYS),
    ("monday through friday", WEEKDAYS),
    ("monday, tuesday", MON | TUE),
    ("mondays and thursdays", MON | THU),
    ("Tuesdays only", TUE),
    ("tue/thu", TUE | THU),
    ("sat & sun", SAT | SUN),
    ("weds", WED),
    ("thurs", THU),
    ("fri-mon", FRI | SAT | SUN | MON),  # wraps around the week
    ("sunday-sunday", SUN),
    ("every day except sunday", ALL_DAYS & ~SUN),
    ("except sunday", ALL_DAYS & ~SUN),
    ("no weekends", WEEKDAYS),
    ("weekdays and sunday", WEEKDAYS | SUN),
    ("every day but not mon-wed", THU | FRI | SAT | SUN),
    # not day sets
    ("banana", None),
    ("mon banana", None),
    ("", None),
    ("every other day", None),
    ("-fri", None),
    ("mon-", None),
    ("mon--fri", None),
    ("weekdays-fri", None),
    ("except every day", None),  # nothing left
    ("monkey", None),
    ("mon2", None),
]


@pytest.mark.parametrize(("text", "expected"), DAY_CASES)
def test_parse_days(text: str, expected: int | None) -> None:
    assert parse_days(text) == expected


FULL = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
SHORT = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@SETTINGS
@given(
    chosen=st.sets(st.integers(0, 6), min_size=1),
    names=st.sampled_from([FULL, SHORT]),
    separator=st.sampled_from([" ", ", ", " and ", "/", " & "]),
    upper=st.booleans(),
)
def test_parse_days_reads_any_list_of_days(
    chosen: set[int], names: list[str], separator: str, upper: bool
) -> None:
    text = separator.join(names[d] for d in sorted(chosen))
    assert parse_days(text.upper() if upper else text) == days_mask(chosen)


@SETTINGS
@given(first=st.integers(0, 6), last=st.integers(0, 6))
def test_parse_days_ranges(first: int, last: int) -> None:
    span = (last - first) % 7
    expected = days_mask((first + i) % 7 for i in range(span + 1))
    assert parse_days(f"{SHORT[first]}-{SHORT[last]}") == expected
    assert parse_days(f"{FULL[first]} to {FULL[last]}") == expected


DURATION_CASES: list[tuple[str, timedelta | None]] = [
    ("3 days", timedelta(days=3)),
    ("a week", timedelta(weeks=1)),
    ("2 weeks", timedelta(weeks=2)),
    ("two weeks", timedelta(weeks=2)),
    ("1d", timedelta(days=1)),
    ("10 days", timedelta(days=10)),
    ("for 3 days", timedelta(days=3)),
    ("For the next 5 days", timedelta(days=5)),
    ("a couple of days", timedelta(days=2)),
    ("a few days", timedelta(days=3)),
    ("1w2d", timedelta(days=9)),
    ("1 week and 2 days", timedelta(days=9)),
    ("3d12h", timedelta(days=3, hours=12)),
    ("12 hours", timedelta(hours=12)),
    ("36h", timedelta(hours=36)),
    ("a fortnight", timedelta(weeks=2)),
    ("a month", timedelta(days=30)),
    ("3 months", timedelta(days=90)),
    ("1.5 weeks", timedelta(days=10, hours=12)),
    ("90 days", timedelta(days=90)),
    ("3", timedelta(days=3)),  # bare number: days (words.yml bare_number_unit)
    ("week", timedelta(weeks=1)),
    # not pause lengths
    ("91 days", None),
    ("4 months", None),
    ("100", None),
    ("0 days", None),
    ("banana", None),
    ("3 bananas", None),
    ("", None),
    ("-3 days", None),
    ("2 3 days", None),
    ("3 days 2", None),
    ("until monday", None),
    ("forever", None),
]


@pytest.mark.parametrize(("text", "expected"), DURATION_CASES)
def test_parse_duration(text: str, expected: timedelta | None) -> None:
    assert parse_duration(text) == expected


@SETTINGS
@given(days=st.integers(1, 1000), unit=st.sampled_from(["days", "d", " days", "day"]))
def test_parse_duration_caps_at_90_days(days: int, unit: str) -> None:
    result = parse_duration(f"{days}{unit}")
    assert result == (timedelta(days=days) if days <= 90 else None)
    assert result is None or result <= MAX_PAUSE


@SETTINGS
@given(st.text(max_size=30))
def test_parsers_never_raise(text: str) -> None:
    days = parse_days(text)
    assert days is None or 1 <= days <= ALL_DAYS
    duration = parse_duration(text)
    assert duration is None or timedelta(0) < duration <= MAX_PAUSE


# -- words.yml ----------------------------------------------------------------------------

MINIMAL = """
time:
  noon: [mittag]
  midnight: [mitternacht]
  am: [morgens]
  pm: [abends]
  hour_marks: [uhr]
days:
  weekdays:
    monday: [montag, mo]
    tuesday: [dienstag, di]
    wednesday: [mittwoch, mi]
    thursday: [donnerstag, do]
    friday: [freitag, fr]
    saturday: [samstag, sa]
    sunday: [sonntag, so]
  sets: {every_day: [täglich], weekdays: [werktags], weekends: [am wochenende]}
  ranges: [bis, "-"]
  except: [außer]
  fillers: [und, ","]
durations:
  units: {day: [tag, tage, tagen], week: [woche, wochen]}
  numbers: {eine: 1, zwei: 2}
  fillers: [für]
"""


def write_words(tmp_path: Path, text: str) -> Path:
    (tmp_path / "places").mkdir()
    (tmp_path / "places" / "words.yml").write_text(text, encoding="utf-8")
    return tmp_path


def test_vocabulary_comes_from_content(tmp_path: Path) -> None:
    words = TimeWords.load(write_words(tmp_path, MINIMAL))
    assert parse_time("8 uhr 30 abends", words) == time(20, 30)
    assert parse_time("20 uhr 15", words) == time(20, 15)
    assert parse_time("8 abends", words) == time(20, 0)
    assert parse_time("mittag", words) == time(12, 0)
    assert parse_time("8pm", words) is None  # English is not in this vocabulary
    assert parse_days("Montag bis Freitag", words) == WEEKDAYS
    assert parse_days("täglich außer so", words) == ALL_DAYS & ~SUN
    assert parse_days("weekdays", words) is None
    assert parse_duration("für zwei Wochen", words) == timedelta(weeks=2)
    assert parse_duration("3", words) is None  # no bare_number_unit here


def test_repository_words_load() -> None:
    assert default_words() == TimeWords.load(CONTENT)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (('fillers: [und, ","]', "fillers: [und, mo]"), "listed under both"),
        (('ranges: [bis, "-"]', "ranges: [bis, no]"), "quote it: YAML reads NO"),
        (("numbers: {eine: 1, zwei: 2}", "numbers: {eine: 0}"), "positive number"),
        (("  hour_marks: [uhr]\n", ""), "Field required"),
        (("fillers: [für]", "fillers: [für]\n  bare_number_unit: year"), "bare_number_unit"),
        (("fillers: [für]", "fillers: [für]\n  colour: red"), "Extra inputs"),
        (("am: [morgens]", 'am: ["  "]'), "empty phrase"),
    ],
)
def test_bad_words_are_reported(tmp_path: Path, change: tuple[str, str], fragment: str) -> None:
    old, new = change
    assert old in MINIMAL
    with pytest.raises(ContentError) as caught:
        TimeWords.load(write_words(tmp_path, MINIMAL.replace(old, new)))
    assert fragment in str(caught.value)
    assert all(p.line for p in caught.value.problems), "every problem points at a line"


def test_huge_pause_lengths_are_refused_not_overflowed() -> None:
    assert parse_duration("1000000000") is None
    assert parse_duration("99999999999999999999 weeks") is None
