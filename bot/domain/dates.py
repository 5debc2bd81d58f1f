"""Dates in words from content (ui.yml), not from the machine's locale. Pure."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.content.texts import T, Texts


def _names(texts: Texts, key: T) -> list[str]:
    return texts.get(key).split()


def short_date(texts: Texts, day: date) -> str:
    """Write a day the short way, e.g. 5 Mar."""
    month = _names(texts, T.months_short)[day.month - 1]
    return texts.get(T.date_short, day=day.day, month=month)


def long_date(texts: Texts, day: date) -> str:
    """Write a day in full, e.g. Thursday 5 March."""
    weekday = weekday_name(texts, day)
    month = _names(texts, T.months_long)[day.month - 1]
    return texts.get(T.date_long, weekday=weekday, day=day.day, month=month)


def weekday_name(texts: Texts, day: date) -> str:
    """Name the weekday of a day, e.g. Thursday."""
    return _names(texts, T.weekdays_long)[day.weekday()]


def date_time(texts: Texts, moment: datetime) -> str:
    """ "2 Mar 2026, 10:30" (in the moment's own zone)"""
    month = _names(texts, T.months_short)[moment.month - 1]
    return texts.get(
        T.date_time, day=moment.day, month=month, year=moment.year, time=moment.strftime("%H:%M")
    )


def moment_words(texts: Texts, moment: datetime, *, now: datetime) -> str:
    """ "today at 21:00", "tomorrow at 08:00", "Friday at 09:00" (in the moment's own zone)."""
    at = moment.strftime("%H:%M")
    today = now.astimezone(moment.tzinfo).date()
    if moment.date() == today:
        return texts.get(T.when_today, time=at)
    if moment.date() == today + timedelta(days=1):
        return texts.get(T.when_tomorrow, time=at)
    return texts.get(T.when_weekday, weekday=weekday_name(texts, moment.date()), time=at)
