"""When the next daily prompt is due: pure calendar maths over a user's zone, time and days.

A schedule is a local wall time (`datetime.time`, naive), a weekday bitmask (bit d set means
Python weekday d is enabled: 0=Monday … 6=Sunday, 127 = every day; note that PTB's `run_daily`
numbers days from Sunday instead) and a zone spec, which is an IANA name ("Europe/Berlin") or a
fixed offset ("+05:30"). Every function takes the current instant as an argument and returns
aware UTC datetimes, so the dispatcher can store them in `next_prompt_at` as they are.
DST rules: a wall time that does not exist on a day (spring-forward gap) fires later by the
length of the gap; a wall time that exists twice (autumn fold) fires once, at the first one.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Literal

ALL_DAYS: int = 0b1111111
WEEKDAYS: int = 0b0011111
WEEKENDS: int = 0b1100000

# Fixed offsets as real zones use them: UTC-12:00 … UTC+14:00, written "+05:30".
_OFFSET_SPEC = re.compile(r"^([+-])(\d{2}):(\d{2})$")
_MAX_OFFSET = timedelta(hours=14)
_MIN_OFFSET = -timedelta(hours=12)
# Long enough to reach any enabled weekday twice; a day that does not exist in a zone
# (Samoa skipped 2011-12-30) can cost one week at most.
_SCAN_DAYS = 16

DaysLabelKey = Literal["every_day", "weekdays", "weekends", "custom"]


@functools.cache
def _iana_names() -> frozenset[str]:
    # Scanning the tz database takes milliseconds, so do it once per process.
    return frozenset(zoneinfo.available_timezones())


def fixed_offset_spec(offset: timedelta) -> str:
    """Write a whole-minute UTC offset as a zone spec, e.g. timedelta(hours=5.5) -> "+05:30"."""
    if offset % timedelta(minutes=1) or not _MIN_OFFSET <= offset <= _MAX_OFFSET:
        raise ValueError(f"not a usable UTC offset: {offset}")
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(offset) // timedelta(minutes=1)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


@functools.lru_cache(maxsize=4096)
def zone_of(spec: str) -> tzinfo:
    """Return the tzinfo for an IANA name or a "+HH:MM" offset; ValueError if unknown."""
    match = _OFFSET_SPEC.match(spec)
    if match:
        sign, hours, minutes = match.groups()
        if int(minutes) >= 60:
            raise ValueError(f"invalid UTC offset: {spec!r}")
        offset = timedelta(hours=int(hours), minutes=int(minutes))
        offset = -offset if sign == "-" else offset
        if not _MIN_OFFSET <= offset <= _MAX_OFFSET:
            raise ValueError(f"UTC offset out of range: {spec!r}")
        return UTC if not offset else timezone(offset)
    # Only names the tz database lists: ZoneInfo itself would accept odd keys on some
    # platforms (case-insensitive file systems, paths to TZif files).
    if spec not in _iana_names():
        raise ValueError(f"unknown time zone: {spec!r}")
    return zoneinfo.ZoneInfo(spec)


def is_valid_zone(spec: str) -> bool:
    """Tell whether a zone spec can be used (IANA name or "+HH:MM" offset)."""
    try:
        zone_of(spec)
    except ValueError:
        return False
    return True


def _check_days(days: int) -> None:
    if not 0 < days <= ALL_DAYS:
        raise ValueError(f"days must be a non-empty weekday bitmask (1..127), got {days}")


def _check_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


def _check_wall_time(at: time) -> None:
    if at.tzinfo is not None:
        raise ValueError("`at` is a local wall time and must be naive; the zone says where")


def _scan(
    tz: tzinfo, at: time, days: int, first_date: date, after: datetime, *, inclusive: bool
) -> datetime:
    """Return the first occurrence at or after first_date that is later than `after`."""
    first = first_date.toordinal()
    for ordinal in range(first, first + _SCAN_DAYS):
        # Ordinal 1 (0001-01-01) was a Monday; this is date.weekday() without a date object.
        if not days >> (ordinal + 6) % 7 & 1:
            continue
        day = date.fromordinal(ordinal)
        # fold=0 is what PEP 495 gives for both DST cases: in a gap it uses the offset from
        # before the transition, so the wall time moves forward by the gap; in a fold it picks
        # the first of the two instants. Both are the rules this module promises.
        candidate = datetime.combine(day, at, tzinfo=tz).astimezone(UTC)
        if candidate.astimezone(tz).date() != day:
            # The shift crossed midnight (or the date never existed in this zone): that day
            # has no such wall time, and firing on the next date would make it fire twice.
            continue
        if candidate > after or (inclusive and candidate == after):
            return candidate
    raise AssertionError("unreachable: every enabled weekday recurs within a week")


def next_occurrence(*, zone: str, at: time, days: int, after: datetime) -> datetime:
    """Return the first UTC instant strictly after `after` at wall time `at` on an enabled day."""
    _check_days(days)
    _check_wall_time(at)
    _check_aware("after", after)
    tz = zone_of(zone)
    after_utc = after.astimezone(UTC)
    # Start one local day early: an occurrence on the previous date may still lie ahead
    # when a DST shift pushes it past `after`.
    start = after_utc.astimezone(tz).date() - timedelta(days=1)
    return _scan(tz, at, days, start, after_utc, inclusive=False)


def local_date(instant: datetime, zone: str) -> date:
    """Return the user's calendar date at an aware instant."""
    _check_aware("instant", instant)
    return instant.astimezone(zone_of(zone)).date()


def catch_up(*, due_at: datetime, now: datetime, grace: timedelta) -> Literal["send", "skip"]:
    """Decide what to do with a prompt found due after downtime: send if at most `grace` late."""
    _check_aware("due_at", due_at)
    _check_aware("now", now)
    if grace < timedelta(0):
        raise ValueError("grace must not be negative")
    return "send" if now - due_at <= grace else "skip"


def next_after_pause(
    *, zone: str, at: time, days: int, paused_until: datetime | None, now: datetime
) -> datetime:
    """Return the next occurrence after `now` that is not inside the pause.

    The pause ends at `paused_until` inclusive: an occurrence exactly then is sent.
    """
    _check_days(days)
    _check_wall_time(at)
    _check_aware("now", now)
    if paused_until is not None:
        _check_aware("paused_until", paused_until)
    if paused_until is None or paused_until <= now:
        return next_occurrence(zone=zone, at=at, days=days, after=now)
    tz = zone_of(zone)
    resume = paused_until.astimezone(UTC)
    start = resume.astimezone(tz).date() - timedelta(days=1)
    return _scan(tz, at, days, start, resume, inclusive=True)


def reschedule(
    *, zone: str, at: time, days: int, now: datetime, last_delivered_local_date: date | None
) -> datetime:
    """Return the next occurrence after a change of zone, time or days.

    Never on a local date (in the new zone) up to and including the last delivered one, so a
    user who already had today's prompt does not get a second one today, and delivery dates
    only ever go forward (the Delivery table's unique key relies on that). Moving west across
    the date line can therefore skip one day; that is the price of never sending twice.
    """
    _check_days(days)
    _check_wall_time(at)
    _check_aware("now", now)
    tz = zone_of(zone)
    now_utc = now.astimezone(UTC)
    start = now_utc.astimezone(tz).date() - timedelta(days=1)
    if last_delivered_local_date is not None:
        start = max(start, last_delivered_local_date + timedelta(days=1))
    return _scan(tz, at, days, start, now_utc, inclusive=False)


def days_label_key(days: int) -> DaysLabelKey:
    """Name the kind of day set, for content keys such as days_every_day."""
    _check_days(days)
    if days == ALL_DAYS:
        return "every_day"
    if days == WEEKDAYS:
        return "weekdays"
    if days == WEEKENDS:
        return "weekends"
    return "custom"


def weekdays_of(days: int) -> tuple[int, ...]:
    """List the enabled weekdays of a bitmask, Monday (0) first."""
    _check_days(days)
    return tuple(d for d in range(7) if days >> d & 1)


def days_mask(weekdays: Iterable[int]) -> int:
    """Build a bitmask from weekday numbers (0=Monday … 6=Sunday)."""
    mask = 0
    for day in weekdays:
        if not 0 <= day <= 6:
            raise ValueError(f"weekday must be 0..6, got {day}")
        mask |= 1 << day
    return mask
