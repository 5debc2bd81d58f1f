"""bot.domain.charts.render_png: a PNG of the expected size whether every panel has data or none."""

from __future__ import annotations

import struct
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.content.texts import Texts
from bot.domain.charts import render_png
from bot.domain.insights import Insights, compute
from bot.ops.config import REPO_ROOT

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TEXTS = Texts.load(REPO_ROOT / "content" / "locales" / "en")


def insights(*, full: bool) -> Insights:
    days = range(28) if full else ()
    return compute(
        today=NOW.date(),
        local_dates_of=lambda when: when.date(),
        moods=[(NOW - timedelta(days=d), 1 + d % 5) for d in days],
        entries=[NOW - timedelta(days=d) for d in range(3)],  # something, so it is not empty
        grounding=[(8, 3)] * len(days),
        attempts=[(NOW - timedelta(days=d), "ready" if d % 2 else "try_again") for d in days],
    )


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


@pytest.mark.parametrize("full", [True, False], ids=["every panel", "only journal entries"])
def test_render_gives_an_880_by_660_png(full: bool) -> None:
    picture = insights(full=full)
    assert not picture.empty
    assert png_size(render_png(picture, TEXTS)) == (880, 660)


def test_the_chart_depends_on_the_numbers() -> None:
    assert render_png(insights(full=True), TEXTS) != render_png(insights(full=False), TEXTS)


def test_rows_before_the_window_leave_the_numbers_as_they_were() -> None:
    base = insights(full=False)
    later = compute(
        today=NOW.date(),
        local_dates_of=lambda when: when.date(),
        moods=[(datetime(2025, 1, 1, tzinfo=UTC), 5)],
        entries=[NOW - timedelta(days=d) for d in range(3)],
        grounding=[],
        attempts=[(datetime.combine(date(2025, 1, 1), datetime.min.time(), UTC), "ready")],
    )
    assert later == base
