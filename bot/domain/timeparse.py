"""Read a time of day, a set of weekdays or a pause length from what a user types.

"8:30", "8pm", "20h15", "noon"; "weekdays", "mon-fri", "every day except sunday"; "3 days",
"a week", "1w2d". The words (am/pm, day names, units, number words) are vocabulary kept in
`content/places/words.yml`; this module holds only the grammar. Parsers return None for
anything they cannot read with confidence, so the caller can ask again. Weekday masks use
Python's numbering (bit 0 = Monday), as in `bot.scheduling`.

About 400 lines: three small parsers that share one vocabulary file and its clash check.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.content.errors import ContentError, ContentProblem
from bot.content.validation import validation_problems
from bot.content.yamlio import line_of, load_yaml
from bot.scheduling.plan import ALL_DAYS, WEEKDAYS, WEEKENDS

WORDS_FILE = Path("places") / "words.yml"
DEFAULT_CONTENT_DIR = Path(__file__).resolve().parents[2] / "content" / "locales" / "en"
# The longest pause /pause accepts; longer answers are read as "not understood".
MAX_PAUSE = timedelta(days=90)
# A month is counted as 30 days: a pause needs a length, not a calendar.
UNIT_LENGTHS: Mapping[str, timedelta] = {
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
    "fortnight": timedelta(weeks=2),
    "month": timedelta(days=30),
}
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SET_MASKS = {"every_day": ALL_DAYS, "weekdays": WEEKDAYS, "weekends": WEEKENDS}
_MAX_INPUT = 200
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")
_TRAILING = re.compile(r"[\s!?.]+$")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "ʼ": "'"})

Phrases = tuple[str, ...]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _TimeWords(_Model):
    noon: Phrases
    midnight: Phrases
    am: Phrases
    pm: Phrases
    hour_marks: Phrases
    oclock: Phrases = ()
    fillers: Phrases = ()
    # Words for the hour itself ("una" for 1 in "a la una"), 0 to 23.
    hours: dict[str, Annotated[int, Field(ge=0, le=23)]] = {}
    # Minutes added to a whole hour by words after it ("y media" +30, "menos cuarto" -15).
    after_hour: dict[str, Annotated[int, Field(ge=-59, le=59)]] = {}


class _WeekdayWords(_Model):
    monday: Phrases
    tuesday: Phrases
    wednesday: Phrases
    thursday: Phrases
    friday: Phrases
    saturday: Phrases
    sunday: Phrases


class _SetWords(_Model):
    every_day: Phrases
    weekdays: Phrases
    weekends: Phrases


class _DayWords(_Model):
    weekdays: _WeekdayWords
    sets: _SetWords
    ranges: Phrases = ()
    except_: Phrases = Field(default=(), alias="except")
    fillers: Phrases = ()


class _UnitWords(_Model):
    minute: Phrases = ()
    hour: Phrases = ()
    day: Phrases
    week: Phrases = ()
    fortnight: Phrases = ()
    month: Phrases = ()


class _DurationWords(_Model):
    units: _UnitWords
    numbers: dict[str, float] = {}
    fillers: Phrases = ()
    bare_number_unit: Literal["hour", "day", "week", "fortnight", "month"] | None = None


class _Moment(_Model):
    """A named moment: "tonight" is 21:00 today, or `at_least_minutes` from now if later."""

    phrases: Phrases
    at: str
    days_ahead: Annotated[int, Field(ge=0, le=6)] = 0
    at_least_minutes: Annotated[int, Field(ge=0, le=24 * 60)] = 0


class _WhenWords(_Model):
    moments: tuple[_Moment, ...] = ()
    tomorrow: Phrases = ()
    bare_number_unit: Literal["minute", "hour"] | None = None
    max_days: Annotated[int, Field(ge=1, le=90)] = 7


class _WordsFile(_Model):
    time: _TimeWords
    days: _DayWords
    durations: _DurationWords
    when: _WhenWords = _WhenWords()


def _clean(text: str) -> str:
    """Casefold, unify Unicode forms (full-width digits, ：), collapse spaces."""
    plain = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    return " ".join(plain.split())


def _phrase_pattern(phrases: Iterable[str]) -> str:
    """Build a regex alternation that matches whole words, longest phrase first."""
    parts = []
    for phrase in sorted({p for p in phrases if p}, key=lambda p: (-len(p), p)):
        body = r"\s+".join(map(re.escape, phrase.split()))
        # Word edges are letters only: "8am" and "20h15" touch digits on purpose.
        left = r"(?<![^\W\d_])" if phrase[0].isalpha() else ""
        right = r"(?![^\W\d_])" if phrase[-1].isalpha() else ""
        parts.append(f"{left}{body}{right}")
    return "|".join(parts) if parts else r"(?!)"


Token = tuple[str, Any]


@dataclass(frozen=True, slots=True)
class _Lexicon:
    """Phrases mapped to tokens, with one regex that finds the longest phrase at a position."""

    tokens: Mapping[str, Token]
    pattern: re.Pattern[str]

    @classmethod
    def of(cls, tokens: Mapping[str, Token]) -> _Lexicon:
        return cls(tokens, re.compile(_phrase_pattern(tokens)))

    def scan(self, text: str, *, numbers: bool = False) -> list[Token] | None:
        """Split text into tokens; None if any part is not a known phrase (or number)."""
        found: list[Token] = []
        pos = 0
        while pos < len(text):
            if text[pos].isspace():
                pos += 1
                continue
            match = self.pattern.match(text, pos)
            if match:
                found.append(self.tokens[" ".join(match.group().split())])
                pos = match.end()
                continue
            number = _NUMBER.match(text, pos) if numbers else None
            if number is None:
                return None
            found.append(("number", float(number.group().replace(",", "."))))
            pos = number.end()
        return found


@dataclass(frozen=True, slots=True)
class TimeWords:
    """The vocabulary of words.yml, compiled for the three parsers."""

    noon: frozenset[str]
    midnight: frozenset[str]
    fillers: re.Pattern[str]
    meridiem: re.Pattern[str]
    am: frozenset[str]
    clock: re.Pattern[str]
    days: _Lexicon
    durations: _Lexicon
    bare_number_unit: str | None
    hours: Mapping[str, int]
    after_hour: Mapping[str, int]
    after_pattern: re.Pattern[str]
    moments: Mapping[str, tuple[time, int, timedelta]] = field(default_factory=dict)
    tomorrow: re.Pattern[str] = re.compile(r"(?!)")
    when_bare_unit: str | None = None
    max_ahead: timedelta = timedelta(days=7)

    @classmethod
    def load(cls, content_dir: Path) -> TimeWords:
        """Load and check content/places/words.yml; raise ContentError listing every problem."""
        path = content_dir / WORDS_FILE
        raw = load_yaml(path)
        try:
            words = _WordsFile.model_validate(raw)
        except ValidationError as exc:
            raise ContentError(validation_problems(path, raw, exc)) from exc
        problems = _clashes(path, raw, words)
        if problems:
            raise ContentError(problems)
        return cls._compile(words)

    @classmethod
    def _compile(cls, words: _WordsFile) -> TimeWords:
        """Build the parsers' regexes and lexicons from checked vocabulary."""
        t = words.time
        # "8pm." loses its full stop before matching, so "p.m." must match as "p.m" too.
        am = {_clean(p) for p in t.am} | {_clean(p).rstrip(".") for p in t.am}
        pm = {_clean(p) for p in t.pm} | {_clean(p).rstrip(".") for p in t.pm}
        meridiem = _phrase_pattern(am | pm)
        marks = _phrase_pattern(map(_clean, t.hour_marks))
        oclock = _phrase_pattern(map(_clean, t.oclock))
        clock = (
            rf"^(?P<h>\d{{1,2}})\s*(?:(?::|\.|{marks})\s*(?P<m>\d{{2}})(?::(?P<s>\d{{2}}))?"
            rf"|{marks}|{oclock})?$"
            r"|^(?P<hhmm>\d{3,4})$"
        )
        d = words.days
        day_tokens: dict[str, Token] = {}
        for index, name in enumerate(_DAY_NAMES):
            day_tokens.update((_clean(p), ("day", index)) for p in getattr(d.weekdays, name))
        for name, mask in _SET_MASKS.items():
            day_tokens.update((_clean(p), ("set", mask)) for p in getattr(d.sets, name))
        day_tokens.update((_clean(p), ("range", None)) for p in d.ranges)
        day_tokens.update((_clean(p), ("except", None)) for p in d.except_)
        day_tokens.update((_clean(p), ("filler", None)) for p in d.fillers)
        u = words.durations
        duration_tokens: dict[str, Token] = {}
        for unit in UNIT_LENGTHS:
            duration_tokens.update((_clean(p), ("unit", unit)) for p in getattr(u.units, unit))
        duration_tokens.update((_clean(p), ("number", n)) for p, n in u.numbers.items())
        duration_tokens.update((_clean(p), ("filler", None)) for p in u.fillers)
        return cls(
            noon=frozenset(map(_clean, t.noon)),
            midnight=frozenset(map(_clean, t.midnight)),
            fillers=re.compile(rf"^(?:(?:{_phrase_pattern(map(_clean, t.fillers))})\s*)+"),
            meridiem=re.compile(rf"^(?P<clock>.*?)\s*(?P<mer>{meridiem})$"),
            am=frozenset(am),
            clock=re.compile(clock),
            days=_Lexicon.of(day_tokens),
            durations=_Lexicon.of(duration_tokens),
            bare_number_unit=u.bare_number_unit,
            hours={_clean(p): hour for p, hour in t.hours.items()},
            after_hour={_clean(p): minutes for p, minutes in t.after_hour.items()},
            after_pattern=re.compile(
                rf"^(?P<clock>.*?)\s*(?P<after>{_phrase_pattern(map(_clean, t.after_hour))})$"
            ),
            moments={
                _clean(phrase): (
                    time.fromisoformat(m.at),
                    m.days_ahead,
                    timedelta(minutes=m.at_least_minutes),
                )
                for m in words.when.moments
                for phrase in m.phrases
            },
            tomorrow=re.compile(rf"^(?:{_phrase_pattern(map(_clean, words.when.tomorrow))})\s+"),
            when_bare_unit=words.when.bare_number_unit,
            max_ahead=timedelta(days=words.when.max_days),
        )


@functools.cache
def default_words() -> TimeWords:
    """Load the repository's words.yml once; callers with their own content pass `words`."""
    return TimeWords.load(DEFAULT_CONTENT_DIR)


def parse_time(text: str, words: TimeWords | None = None) -> time | None:
    """Read a wall time: "8:30", "20:15", "8pm", "8.30 pm", "20h15", "2030", "noon"."""
    w = words or default_words()
    s = _TRAILING.sub("", _clean(text))
    if not s or len(s) > _MAX_INPUT:
        return None
    s = w.fillers.sub("", s)
    if s in w.noon:
        return time(12, 0)
    if s in w.midnight:
        return time(0, 0)
    meridiem: str | None = None
    match = w.meridiem.match(s)
    if match and match["clock"]:
        s, meridiem = match["clock"], " ".join(match["mer"].split())
    # "8 y media", "las 9 menos cuarto": minutes said in words after a whole hour.
    after = w.after_pattern.match(s) if w.after_hour else None
    offset = 0
    if after and after["clock"]:
        s, offset = after["clock"], w.after_hour[" ".join(after["after"].split())]
    clock = w.clock.match(s)
    if s in w.hours:
        hour, minute = w.hours[s], 0
    elif clock is None:
        return None
    elif clock["hhmm"]:
        # "2030" and "830" are compact 24-hour times: the last two digits are minutes.
        hour, minute = divmod(int(clock["hhmm"]), 100)
    else:
        hour, minute = int(clock["h"]), int(clock["m"] or 0)
        if clock["s"] is not None and int(clock["s"]) > 59:
            return None
    if minute > 59:
        return None
    if meridiem is not None:
        if not 1 <= hour <= 12:
            return None  # "0am" and "13pm" are typos, not times
        hour = hour % 12 + (0 if meridiem in w.am else 12)
    if hour > 23:
        return None
    if offset:
        if minute:
            return None  # "8:15 y media" says the minutes twice
        hour, minute = divmod((hour * 60 + offset) % (24 * 60), 60)
    return time(hour, minute)


def parse_days(text: str, words: TimeWords | None = None) -> int | None:
    """Read a set of weekdays as a bitmask: "daily", "weekdays", "mon wed fri", "Mon-Fri"."""
    w = words or default_words()
    s = _clean(text)
    if not s or len(s) > _MAX_INPUT:
        return None
    tokens = w.days.scan(s)
    if not tokens:
        return None
    include = exclude = 0
    excluding = False
    last_day: int | None = None
    range_open = False
    for kind, value in tokens:
        if kind == "filler":
            continue
        if kind == "day":
            if range_open:
                assert last_day is not None
                # Wrap around the week: "fri-mon" is Friday, Saturday, Sunday, Monday.
                span = (value - last_day) % 7
                bits = sum(1 << (last_day + i) % 7 for i in range(span + 1))
                range_open, last_day = False, None
            else:
                bits, last_day = 1 << value, value
        elif kind == "set":
            if range_open:
                return None
            bits, last_day = value, None
        elif kind == "range":
            if range_open or last_day is None:
                return None
            range_open = True
            continue
        else:  # except
            if range_open:
                return None
            excluding, last_day = True, None
            continue
        if excluding:
            exclude |= bits
        else:
            include |= bits
    if range_open:
        return None
    # "except sunday" alone means every other day.
    mask = (include or (ALL_DAYS if exclude else 0)) & ~exclude
    return mask or None


def parse_duration(text: str, words: TimeWords | None = None) -> timedelta | None:
    """Read a pause length: "3 days", "a week", "2 weeks", "1d", "1w2d"; None above 90 days."""
    w = words or default_words()
    total = _duration(text, w, w.bare_number_unit)
    if total is None or total <= timedelta(0) or total > MAX_PAUSE:
        return None
    return total


def _duration(text: str, w: TimeWords, bare_unit: str | None) -> timedelta | None:
    """Add up "1 hour 20 min"; zero is returned as zero, anything too long as MAX_PAUSE+."""
    s = _DIGIT_LETTER.sub(" ", _clean(text))
    if not s or len(s) > _MAX_INPUT:
        return None
    tokens = [t for t in w.durations.scan(s, numbers=True) or () if t[0] != "filler"]
    if not tokens:
        return None
    if len(tokens) == 1 and tokens[0][0] == "number":
        if bare_unit is None:
            return None
        tokens.append(("unit", bare_unit))
    total = timedelta(0)
    count: float | None = None
    for kind, value in tokens:
        if kind == "number":
            if count is not None:
                return None  # "2 3 days"
            count = value
        else:
            times = 1 if count is None else count
            # Compared as a count of units, so a huge count cannot overflow timedelta.
            if times > MAX_PAUSE / UNIT_LENGTHS[value]:
                return MAX_PAUSE + timedelta(days=1)  # far too long
            total += UNIT_LENGTHS[value] * times
            count = None
    if count is not None:
        return None  # a number with no unit after it: "3 days 2"
    return total


WhenProblem = Literal["when", "when_zero", "when_past", "when_far"]


def parse_when(text: str, now: datetime, words: TimeWords | None = None) -> datetime | WhenProblem:
    """Read a moment in the near future, in the zone of `now` (an aware local datetime):
    "20 min", "in 1 hour", "tonight", "tomorrow morning", "at 9pm", "tomorrow 8:30".

    Returns the moment, or why not: not understood, zero, already past, too far ahead.
    """
    w = words or default_words()
    s = _TRAILING.sub("", _clean(text))
    if not s or len(s) > _MAX_INPUT:
        return "when"
    zone = now.tzinfo
    moment = w.moments.get(s)
    if moment is not None:
        at, days_ahead, at_least = moment
        target = _local(now, days_ahead, at)
        if target < now + at_least:
            target = now + at_least
    else:
        days_ahead = 0
        tomorrow = w.tomorrow.match(s)
        if tomorrow:
            days_ahead, s = 1, s[tomorrow.end() :]
        span = None if days_ahead else _duration(s, w, w.when_bare_unit)
        clock = parse_time(s, w) if span is None else None
        if span is not None:
            # "1h" and "20" are lengths here, not clock times.
            if span < timedelta(minutes=1):
                return "when_zero"
            if span > w.max_ahead:
                return "when_far"
            target = now + span
        elif clock is not None:
            target = _local(now, days_ahead, clock)
            if target <= now:
                return "when_past"
        else:
            return "when"
    if target - now > w.max_ahead:
        return "when_far"
    return target.astimezone(zone)


def _local(now: datetime, days_ahead: int, at: time) -> datetime:
    """A wall time `days_ahead` days after now's date, in now's zone (DST-safe)."""
    day = now.date() + timedelta(days=days_ahead)
    moment = datetime.combine(day, at, tzinfo=now.tzinfo)
    # Round-trip through UTC so a wall time in a spring-forward gap becomes a real instant.
    return moment.astimezone(UTC).astimezone(now.tzinfo)


def _clashes(path: Path, raw: Any, words: _WordsFile) -> list[ContentProblem]:
    """Find phrases listed twice in one section, or empty ones."""
    d, u, t = words.days, words.durations, words.time
    sections: dict[str, dict[str, Phrases]] = {
        "time": {
            "noon": t.noon,
            "midnight": t.midnight,
            "am": t.am,
            "pm": t.pm,
            "hour_marks": t.hour_marks,
            "oclock": t.oclock,
            "fillers": t.fillers,
            "hours": tuple(t.hours),
            "after_hour": tuple(t.after_hour),
        },
        "days": {
            **{f"weekdays.{n}": getattr(d.weekdays, n) for n in _DAY_NAMES},
            **{f"sets.{n}": getattr(d.sets, n) for n in _SET_MASKS},
            "ranges": d.ranges,
            "except": d.except_,
            "fillers": d.fillers,
        },
        "durations": {
            **{f"units.{n}": getattr(u.units, n) for n in UNIT_LENGTHS},
            "numbers": tuple(u.numbers),
            "fillers": u.fillers,
        },
    }
    problems = []
    for section, groups in sections.items():
        line = line_of(raw.get(section)) if isinstance(raw, dict) else None
        seen: dict[str, str] = {}
        for group, phrases in groups.items():
            for phrase in phrases:
                key = _clean(phrase)
                if not key:
                    problems.append(
                        ContentProblem(path, "empty phrase", line=line, where=f"{section}.{group}")
                    )
                elif key in seen and seen[key] != group:
                    problems.append(
                        ContentProblem(
                            path,
                            f"{phrase!r} is listed under both {seen[key]} and {group}",
                            line=line,
                            where=section,
                            hint="a phrase can mean one thing only; keep it in one list",
                        )
                    )
                else:
                    seen[key] = group
    for phrase, number in u.numbers.items():
        if number <= 0:
            problems.append(
                ContentProblem(
                    path,
                    f"number word {phrase!r} must stand for a positive number",
                    line=line_of(raw.get("durations")) if isinstance(raw, dict) else None,
                    where="durations.numbers",
                )
            )
    return problems
