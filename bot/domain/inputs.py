"""Input types for flow steps: each turns what the user sent into a normalised value or a no.

These are the names a flow may use in `input:` / `free_text:`; the content checker knows them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.domain.places import Places, ZoneMatch
from bot.domain.timeparse import TimeWords, parse_days, parse_time, parse_when
from bot.flows.engine import Invalid, Location, UserInput, Valid, Validator

MAX_ANSWER_CHARS = 3000
MAX_SHORT_CHARS = 200
NO_COUNTRY = "none"

# Variables that validators add next to the value; flows may use them as placeholders.
EXTRAS = ("zone_label", "zone_country", "when_at", "when_label", "when_minutes")
# The input type that reads a moment ahead; it needs the clock and the user's zone, so the
# shell binds it per user (see `when_validator`); unbound it understands nothing.
WHEN = "when"


def build_validators(places: Places, words: TimeWords) -> Mapping[str, Validator]:
    """Return every input type, bound to the loaded place and time vocabulary."""

    def text(value: UserInput) -> Valid | Invalid:
        if not isinstance(value, str):
            return Invalid("not_text")
        cleaned = value.strip()
        if not cleaned:
            return Invalid("empty")
        if len(cleaned) > MAX_ANSWER_CHARS:
            return Invalid("too_long")
        return Valid(cleaned)

    def short_text(value: UserInput) -> Valid | Invalid:
        result = text(value)
        if isinstance(result, Valid) and len(result.value) > MAX_SHORT_CHARS:
            return Invalid("too_long")
        return result

    def timezone(value: UserInput) -> Valid | Invalid:
        match: ZoneMatch | None
        if isinstance(value, Location):
            match = places.zone_from_location(value.latitude, value.longitude)
        else:
            match = places.parse_zone(value[:MAX_SHORT_CHARS])
        if match is None:
            return Invalid("zone")
        return Valid(match.zone, {"zone_label": match.label, "zone_country": match.country or ""})

    def time_of_day(value: UserInput) -> Valid | Invalid:
        if not isinstance(value, str):
            return Invalid("not_text")
        parsed = parse_time(value[:MAX_SHORT_CHARS], words)
        return Invalid("time") if parsed is None else Valid(parsed.strftime("%H:%M"))

    def days(value: UserInput) -> Valid | Invalid:
        if not isinstance(value, str):
            return Invalid("not_text")
        mask = parse_days(value[:MAX_SHORT_CHARS], words)
        return Invalid("days") if not mask else Valid(str(mask))

    def country(value: UserInput) -> Valid | Invalid:
        if not isinstance(value, str):
            return Invalid("not_text")
        code = places.parse_country(value[:MAX_SHORT_CHARS])
        return Invalid("country") if code is None else Valid(code)

    return {
        "text": text,
        "short_text": short_text,
        "timezone": timezone,
        "time": time_of_day,
        "days": days,
        "country": country,
        WHEN: lambda _value: Invalid("when"),
    }


def when_validator(
    words: TimeWords, *, now: datetime, zone: str, describe: Callable[[datetime], str]
) -> Validator:
    """The `when` input type for one user at one moment: "20 min", "tonight", "at 9pm".

    The value is what they typed (or the button's value); the extras give the moment in UTC
    (`when_at`, ISO), in words in their zone (`when_label`) and the minutes until then.
    """
    local_now = now.astimezone(ZoneInfo(zone))

    def when(value: UserInput) -> Valid | Invalid:
        if not isinstance(value, str):
            return Invalid("not_text")
        found = parse_when(value[:MAX_SHORT_CHARS], local_now, words)
        if isinstance(found, str):
            return Invalid(found)
        minutes = max(1, round((found - local_now).total_seconds() / 60))
        return Valid(
            value.strip(),
            {
                "when_at": found.astimezone(UTC).isoformat(),
                "when_label": describe(found),
                "when_minutes": str(minutes),
            },
        )

    return when
