"""Dates are written with names from content, not the machine's locale."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain.catalog import Catalog
from bot.domain.dates import date_time, long_date, short_date, weekday_name


def test_dates_in_words(catalog: Catalog) -> None:
    texts = catalog.texts
    assert short_date(texts, date(2026, 3, 5)) == "5 Mar"
    assert long_date(texts, date(2026, 3, 5)) == "Thursday 5 March"
    assert weekday_name(texts, date(2026, 3, 8)) == "Sunday"
    assert date_time(texts, datetime(2026, 12, 31, 23, 5, tzinfo=UTC)) == "31 Dec 2026, 23:05"


def test_every_month_and_weekday_has_a_name(catalog: Catalog) -> None:
    texts = catalog.texts
    for month in range(1, 13):
        assert short_date(texts, date(2026, month, 1))
        assert long_date(texts, date(2026, month, 1))
