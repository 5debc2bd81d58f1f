"""Worked examples for bot.scheduling.plan: DST days, catch-up, pauses, mid-day changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.scheduling import (
    ALL_DAYS,
    WEEKDAYS,
    WEEKENDS,
    catch_up,
    days_label_key,
    days_mask,
    fixed_offset_spec,
    is_valid_zone,
    local_date,
    next_after_pause,
    next_occurrence,
    reschedule,
    weekdays_of,
    zone_of,
)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


LH = "Australia/Lord_Howe"

# zone, local wall time, `after` (UTC), expected (UTC), expected local wall time "HH:MM"
DST_CASES = [
    # Berlin, spring forward 2026-03-29: 02:00 CET -> 03:00 CEST (01:00 UTC)
    ("Europe/Berlin", time(1, 59), utc(2026, 3, 28, 12), utc(2026, 3, 29, 0, 59), "01:59"),
    ("Europe/Berlin", time(2, 0), utc(2026, 3, 28, 12), utc(2026, 3, 29, 1, 0), "03:00"),
    ("Europe/Berlin", time(2, 30), utc(2026, 3, 28, 12), utc(2026, 3, 29, 1, 30), "03:30"),
    ("Europe/Berlin", time(3, 0), utc(2026, 3, 28, 12), utc(2026, 3, 29, 1, 0), "03:00"),
    ("Europe/Berlin", time(8, 0), utc(2026, 3, 28, 12), utc(2026, 3, 29, 6, 0), "08:00"),
    ("Europe/Berlin", time(8, 0), utc(2026, 3, 29, 6, 0), utc(2026, 3, 30, 6, 0), "08:00"),
    # Berlin, fall back 2026-10-25: 03:00 CEST -> 02:00 CET (01:00 UTC); 02:xx happens twice
    ("Europe/Berlin", time(2, 0), utc(2026, 10, 24, 12), utc(2026, 10, 25, 0, 0), "02:00"),
    ("Europe/Berlin", time(2, 30), utc(2026, 10, 24, 12), utc(2026, 10, 25, 0, 30), "02:30"),
    ("Europe/Berlin", time(2, 30), utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30), "02:30"),
    ("Europe/Berlin", time(2, 30), utc(2026, 10, 25, 1, 0), utc(2026, 10, 26, 1, 30), "02:30"),
    ("Europe/Berlin", time(3, 0), utc(2026, 10, 24, 12), utc(2026, 10, 25, 2, 0), "03:00"),
    ("Europe/Berlin", time(8, 0), utc(2026, 10, 24, 12), utc(2026, 10, 25, 7, 0), "08:00"),
    # Berlin 2027: 03-28 and 10-31
    ("Europe/Berlin", time(2, 30), utc(2027, 3, 27, 12), utc(2027, 3, 28, 1, 30), "03:30"),
    ("Europe/Berlin", time(2, 30), utc(2027, 10, 31, 0, 30), utc(2027, 11, 1, 1, 30), "02:30"),
    # New York, spring forward 2026-03-08: 02:00 EST -> 03:00 EDT (07:00 UTC)
    ("America/New_York", time(8, 0), utc(2026, 3, 7, 12), utc(2026, 3, 7, 13), "08:00"),
    ("America/New_York", time(2, 30), utc(2026, 3, 8, 0), utc(2026, 3, 8, 7, 30), "03:30"),
    ("America/New_York", time(2, 0), utc(2026, 3, 8, 0), utc(2026, 3, 8, 7, 0), "03:00"),
    ("America/New_York", time(8, 0), utc(2026, 3, 7, 14), utc(2026, 3, 8, 12, 0), "08:00"),
    # New York, fall back 2026-11-01: 02:00 EDT -> 01:00 EST (06:00 UTC)
    ("America/New_York", time(1, 30), utc(2026, 11, 1, 0), utc(2026, 11, 1, 5, 30), "01:30"),
    ("America/New_York", time(1, 30), utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30), "01:30"),
    ("America/New_York", time(1, 0), utc(2026, 11, 1, 0), utc(2026, 11, 1, 5, 0), "01:00"),
    ("America/New_York", time(2, 0), utc(2026, 11, 1, 0), utc(2026, 11, 1, 7, 0), "02:00"),
    # Lord Howe: half-hour DST. 2026-04-05 02:00 (+11) -> 01:30 (+10:30) at 15:00 UTC on the 4th
    (LH, time(1, 45), utc(2026, 4, 4), utc(2026, 4, 4, 14, 45), "01:45"),
    (LH, time(1, 45), utc(2026, 4, 4, 14, 45), utc(2026, 4, 5, 15, 15), "01:45"),
    (LH, time(2, 0), utc(2026, 4, 4), utc(2026, 4, 4, 15, 30), "02:00"),
    # 2026-10-04 02:00 (+10:30) -> 02:30 (+11) at 15:30 UTC on the 3rd
    (LH, time(2, 0), utc(2026, 10, 3), utc(2026, 10, 3, 15, 30), "02:30"),
    (LH, time(2, 15), utc(2026, 10, 3), utc(2026, 10, 3, 15, 45), "02:45"),
    (LH, time(2, 30), utc(2026, 10, 3), utc(2026, 10, 3, 15, 30), "02:30"),
    (LH, time(2, 15), utc(2026, 10, 3, 15, 45), utc(2026, 10, 4, 15, 15), "02:15"),
    # Lord Howe 2027: 04-04 fold, 10-03 gap
    (LH, time(1, 45), utc(2027, 4, 3), utc(2027, 4, 3, 14, 45), "01:45"),
    (LH, time(2, 15), utc(2027, 10, 2), utc(2027, 10, 2, 15, 45), "02:45"),
    # zones without DST and fixed offsets
    ("Asia/Kathmandu", time(8, 0), utc(2026, 6, 1), utc(2026, 6, 1, 2, 15), "08:00"),
    ("Pacific/Apia", time(8, 0), utc(2026, 6, 1), utc(2026, 6, 1, 19, 0), "08:00"),
    ("UTC", time(8, 0), utc(2026, 6, 1, 8), utc(2026, 6, 2, 8), "08:00"),
    ("+05:30", time(8, 0), utc(2026, 6, 1), utc(2026, 6, 1, 2, 30), "08:00"),
    ("-03:00", time(23, 30), utc(2026, 6, 1), utc(2026, 6, 1, 2, 30), "23:30"),
    ("-03:00", time(23, 30), utc(2026, 6, 1, 2, 30), utc(2026, 6, 2, 2, 30), "23:30"),
]


@pytest.mark.parametrize(("zone", "at", "after", "expected", "wall"), DST_CASES)
def test_next_occurrence_on_dst_days(
    zone: str, at: time, after: datetime, expected: datetime, wall: str
) -> None:
    result = next_occurrence(zone=zone, at=at, days=ALL_DAYS, after=after)
    assert result == expected
    assert result.tzinfo is UTC
    assert result.astimezone(zone_of(zone)).strftime("%H:%M") == wall


def test_ambiguous_time_fires_once_in_berlin() -> None:
    after = utc(2026, 10, 24, 0)
    results = []
    for _ in range(4):
        after = next_occurrence(zone="Europe/Berlin", at=time(2, 30), days=ALL_DAYS, after=after)
        results.append(after)
    on_fold_day = [r for r in results if local_date(r, "Europe/Berlin") == date(2026, 10, 25)]
    assert on_fold_day == [utc(2026, 10, 25, 0, 30)]


def test_after_may_be_in_any_zone() -> None:
    tokyo = datetime(2026, 6, 1, 15, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # 06:00 UTC
    result = next_occurrence(zone="Europe/Berlin", at=time(8, 0), days=ALL_DAYS, after=tokyo)
    assert result == utc(2026, 6, 1, 6, 0) + timedelta(days=1)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (WEEKDAYS, utc(2026, 6, 8, 6)),  # Sat 6 June -> Monday
        (WEEKENDS, utc(2026, 6, 7, 6)),  # -> Sunday
        (days_mask([2]), utc(2026, 6, 10, 6)),  # Wednesday
        (days_mask([5]), utc(2026, 6, 13, 6)),  # Saturday itself is past: next week
    ],
)
def test_next_occurrence_respects_days(days: int, expected: datetime) -> None:
    after = utc(2026, 6, 6, 7)  # Saturday 09:00 in Berlin
    assert next_occurrence(zone="Europe/Berlin", at=time(8), days=days, after=after) == expected


def test_samoa_skipped_date_gets_no_prompt() -> None:
    # 2011-12-30 never happened in Apia; the prompt moves on, once per real date.
    after = utc(2011, 12, 28, 20)
    results = []
    for _ in range(3):
        after = next_occurrence(zone="Pacific/Apia", at=time(9), days=ALL_DAYS, after=after)
        results.append(local_date(after, "Pacific/Apia"))
    assert results == [date(2011, 12, 29), date(2011, 12, 31), date(2012, 1, 1)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"days": 0}, "bitmask"),
        ({"days": 128}, "bitmask"),
        ({"after": datetime(2026, 1, 1)}, "aware"),
        ({"at": time(8, tzinfo=UTC)}, "naive"),
        ({"zone": "Mars/Olympus"}, "unknown time zone"),
        ({"zone": "+15:00"}, "out of range"),
    ],
)
def test_next_occurrence_rejects_bad_input(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "zone": "Europe/Berlin",
        "at": time(8),
        "days": ALL_DAYS,
        "after": utc(2026, 1, 1),
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        next_occurrence(**args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("spec", "offset"),
    [
        ("+05:30", timedelta(hours=5, minutes=30)),
        ("-03:00", timedelta(hours=-3)),
        ("+05:45", timedelta(hours=5, minutes=45)),
        ("+14:00", timedelta(hours=14)),
        ("-12:00", timedelta(hours=-12)),
        ("+00:00", timedelta(0)),
        ("-00:00", timedelta(0)),
        ("UTC", timedelta(0)),
        ("Asia/Kathmandu", timedelta(hours=5, minutes=45)),
    ],
)
def test_zone_of_accepts(spec: str, offset: timedelta) -> None:
    assert zone_of(spec).utcoffset(datetime(2026, 1, 15)) == offset
    assert is_valid_zone(spec)


@pytest.mark.parametrize(
    "spec",
    ["", "+5:30", "+14:30", "-12:30", "+05:60", "europe/berlin", "Mars/Olympus", "../etc/x",
     "Europe/", "05:30", "+0530", "Berlin"],
)  # fmt: skip
def test_zone_of_rejects(spec: str) -> None:
    assert not is_valid_zone(spec)
    with pytest.raises(ValueError, match=r"time zone|UTC offset"):
        zone_of(spec)


def test_zone_of_fixed_offset_is_a_plain_timezone() -> None:
    assert zone_of("+05:30") == timezone(timedelta(hours=5, minutes=30))
    assert zone_of("+00:00") is UTC


@pytest.mark.parametrize(
    ("offset", "spec"),
    [
        (timedelta(hours=5, minutes=30), "+05:30"),
        (timedelta(hours=-3), "-03:00"),
        (timedelta(hours=-9, minutes=-30), "-09:30"),
        (timedelta(0), "+00:00"),
    ],
)
def test_fixed_offset_spec(offset: timedelta, spec: str) -> None:
    assert fixed_offset_spec(offset) == spec
    assert zone_of(spec).utcoffset(None) == offset


@pytest.mark.parametrize("offset", [timedelta(hours=15), timedelta(seconds=30)])
def test_fixed_offset_spec_rejects(offset: timedelta) -> None:
    with pytest.raises(ValueError, match="not a usable UTC offset"):
        fixed_offset_spec(offset)


def test_local_date() -> None:
    instant = utc(2026, 6, 1, 23, 30)
    assert local_date(instant, "Europe/Berlin") == date(2026, 6, 2)
    assert local_date(instant, "America/New_York") == date(2026, 6, 1)
    assert local_date(instant, "+05:30") == date(2026, 6, 2)
    with pytest.raises(ValueError, match="aware"):
        local_date(datetime(2026, 6, 1), "UTC")


GRACE = timedelta(hours=2)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 6, 1, 8), "send"),  # exactly on time
        (utc(2026, 6, 1, 7, 59), "send"),  # not yet due counts as on time
        (utc(2026, 6, 1, 10), "send"),  # exactly `grace` late
        (utc(2026, 6, 1, 10) + timedelta(microseconds=1), "skip"),
        (utc(2026, 6, 2, 8), "skip"),
    ],
)
def test_catch_up_boundary(now: datetime, expected: str) -> None:
    assert catch_up(due_at=utc(2026, 6, 1, 8), now=now, grace=GRACE) == expected


def test_catch_up_with_zero_grace_and_errors() -> None:
    due = utc(2026, 6, 1, 8)
    assert catch_up(due_at=due, now=due, grace=timedelta(0)) == "send"
    assert catch_up(due_at=due, now=due + timedelta(seconds=1), grace=timedelta(0)) == "skip"
    with pytest.raises(ValueError, match="negative"):
        catch_up(due_at=due, now=due, grace=timedelta(seconds=-1))
    with pytest.raises(ValueError, match="aware"):
        catch_up(due_at=datetime(2026, 6, 1, 8), now=due, grace=GRACE)


BERLIN_8 = {"zone": "Europe/Berlin", "at": time(8), "days": ALL_DAYS}


@pytest.mark.parametrize(
    ("paused_until", "expected"),
    [
        (None, utc(2026, 6, 2, 6)),
        (utc(2026, 6, 1, 9), utc(2026, 6, 2, 6)),  # a pause that has ended
        (utc(2026, 6, 4, 12), utc(2026, 6, 5, 6)),
        (utc(2026, 6, 4, 6), utc(2026, 6, 4, 6)),  # ends exactly at a prompt: that one is sent
        (utc(2026, 6, 4, 6) + timedelta(microseconds=1), utc(2026, 6, 5, 6)),
        (datetime(2026, 6, 4, 0, 0, tzinfo=ZoneInfo("Europe/Berlin")), utc(2026, 6, 4, 6)),
    ],
)
def test_next_after_pause(paused_until: datetime | None, expected: datetime) -> None:
    now = utc(2026, 6, 1, 10)  # 12:00 in Berlin, today's prompt is gone
    result = next_after_pause(**BERLIN_8, paused_until=paused_until, now=now)  # type: ignore[arg-type]
    assert result == expected


def test_next_after_pause_rejects_naive_pause() -> None:
    naive = datetime(2026, 6, 4)
    with pytest.raises(ValueError, match="aware"):
        next_after_pause(**BERLIN_8, paused_until=naive, now=utc(2026, 6, 1))  # type: ignore[arg-type]


# zone, at, days, now (UTC), last delivered local date, expected (UTC)
RESCHEDULE_CASES = [
    # got today's at 08:00 Berlin, moves the time to 20:00 -> tomorrow 20:00
    ("Europe/Berlin", time(20), ALL_DAYS, utc(2026, 6, 10, 7), date(2026, 6, 10),
     utc(2026, 6, 11, 18)),
    # the same change without a delivery today -> today 20:00
    ("Europe/Berlin", time(20), ALL_DAYS, utc(2026, 6, 10, 7), date(2026, 6, 9),
     utc(2026, 6, 10, 18)),
    ("Europe/Berlin", time(20), ALL_DAYS, utc(2026, 6, 10, 7), None, utc(2026, 6, 10, 18)),
    # moved to New York: still 10 June there (03:00) but already delivered -> 11 June 08:00
    ("America/New_York", time(8), ALL_DAYS, utc(2026, 6, 10, 7), date(2026, 6, 10),
     utc(2026, 6, 11, 12)),
    # moved east to Tokyo after New York's 08:00 (21:00 in Tokyo) -> Tokyo's 11 June
    ("Asia/Tokyo", time(22), ALL_DAYS, utc(2026, 6, 10, 12, 30), date(2026, 6, 10),
     utc(2026, 6, 11, 13)),
    # moved west across the date line: 10 and 11 June are both "done" -> 12 June
    ("Pacific/Honolulu", time(20), ALL_DAYS, utc(2026, 6, 10, 23, 30), date(2026, 6, 11),
     utc(2026, 6, 13, 6)),
    # weekdays only: delivered on Friday, changes the time on Friday -> Monday
    ("Europe/Berlin", time(20), WEEKDAYS, utc(2026, 6, 12, 10), date(2026, 6, 12),
     utc(2026, 6, 15, 18)),
    # an earlier time after today's prompt: tomorrow anyway
    ("Europe/Berlin", time(7), ALL_DAYS, utc(2026, 6, 10, 7), date(2026, 6, 10),
     utc(2026, 6, 11, 5)),
]  # fmt: skip


@pytest.mark.parametrize(("zone", "at", "days", "now", "last", "expected"), RESCHEDULE_CASES)
def test_reschedule(
    zone: str, at: time, days: int, now: datetime, last: date | None, expected: datetime
) -> None:
    result = reschedule(zone=zone, at=at, days=days, now=now, last_delivered_local_date=last)
    assert result == expected
    assert result > now
    if last is not None:
        assert local_date(result, zone) > last


def test_reschedule_with_a_delivery_far_in_the_future_is_bounded() -> None:
    result = reschedule(
        zone="UTC", at=time(8), days=ALL_DAYS, now=utc(2026, 1, 1),
        last_delivered_local_date=date(2030, 1, 1),
    )  # fmt: skip
    assert result == utc(2030, 1, 2, 8)


@pytest.mark.parametrize(
    ("days", "key"),
    [(ALL_DAYS, "every_day"), (WEEKDAYS, "weekdays"), (WEEKENDS, "weekends"),
     (0b0010101, "custom"), (1, "custom"), (0b0111111, "custom")],
)  # fmt: skip
def test_days_label_key(days: int, key: str) -> None:
    assert days_label_key(days) == key


@pytest.mark.parametrize("days", [0, -1, 128])
def test_days_label_key_rejects(days: int) -> None:
    with pytest.raises(ValueError, match="bitmask"):
        days_label_key(days)


def test_days_mask_and_weekdays_of() -> None:
    assert days_mask([0, 2, 4]) == 0b0010101
    assert weekdays_of(0b0010101) == (0, 2, 4)
    assert days_mask(range(7)) == ALL_DAYS
    assert weekdays_of(WEEKENDS) == (5, 6)
    with pytest.raises(ValueError, match=r"0\.\.6"):
        days_mask([7])
