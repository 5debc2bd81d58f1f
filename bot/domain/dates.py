"""Dates in words in the user's language: CLDR names and patterns through Babel. Pure.

The patterns (`date_short`, `date_long`, `date_time`, `weekday`) live in each locale's ui.yml;
the month and weekday names come from CLDR, so no locale hand-writes them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache

from babel.dates import format_date, format_datetime, get_day_names

from bot.content.texts import T, Texts


def short_date(texts: Texts, day: date) -> str:
    """Write a day the short way, e.g. 5 Mar."""
    return format_date(day, texts.raw(T.date_short), locale=texts.locale)


def long_date(texts: Texts, day: date) -> str:
    """Write a day in full, e.g. Thursday 5 March."""
    return format_date(day, texts.raw(T.date_long), locale=texts.locale)


def weekday_name(texts: Texts, day: date) -> str:
    """Name the weekday of a day, e.g. Thursday."""
    return format_date(day, texts.raw(T.weekday), locale=texts.locale)


def date_time(texts: Texts, moment: datetime) -> str:
    """ "2 Mar 2026, 10:30" (in the moment's own zone)"""
    return format_datetime(moment, texts.raw(T.date_time), locale=texts.locale)


def moment_words(texts: Texts, moment: datetime, *, now: datetime) -> str:
    """ "today at 21:00", "tomorrow at 08:00", "Friday at 09:00" (in the moment's own zone)."""
    at = moment.strftime("%H:%M")
    today = now.astimezone(moment.tzinfo).date()
    if moment.date() == today:
        return texts.get(T.when_today, time=at)
    if moment.date() == today + timedelta(days=1):
        return texts.get(T.when_tomorrow, time=at)
    return texts.get(T.when_weekday, weekday=weekday_name(texts, moment.date()), time=at)


@cache
def weekday_abbreviations(locale: str) -> tuple[str, ...]:
    """Short weekday names, Monday first, e.g. Mon … Sun."""
    names = get_day_names("abbreviated", locale=locale)
    return tuple(names[index] for index in range(7))
