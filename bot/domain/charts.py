"""Render the insights chart as a PNG with matplotlib (Agg backend, its bundled DejaVu font,
so it works offline and headless)."""

from __future__ import annotations

import io

from bot.content.texts import T, Texts
from bot.domain.dates import short_date
from bot.domain.insights import Insights

_ACCENT = "#4C8C7A"
_SOFT = "#B9D6CC"
_GREY = "#9AA5A1"


def _empty(axes: object, texts: Texts) -> None:
    axes.text(  # type: ignore[attr-defined]
        0.5, 0.5, texts.get(T.chart_no_data), ha="center", va="center", color=_GREY,
        transform=axes.transAxes,  # type: ignore[attr-defined]
    )  # fmt: skip
    # Without bars matplotlib would label the x axis 0.0 to 1.0, which means nothing here.
    axes.set_xticks([])  # type: ignore[attr-defined]


def _bids(axes: object, insights: Insights, texts: Texts) -> None:
    axes.spines[["top", "right"]].set_visible(False)  # type: ignore[attr-defined]
    axes.tick_params(labelsize=8)  # type: ignore[attr-defined]
    axes.set_title(texts.get(T.chart_bids), fontsize=10)  # type: ignore[attr-defined]
    labels = [texts.get(T.chart_toward), texts.get(T.chart_away), texts.get(T.chart_against)]
    axes.bar(labels, insights.bids, color=[_ACCENT, _SOFT, _GREY])  # type: ignore[attr-defined]
    axes.yaxis.get_major_locator().set_params(integer=True)  # type: ignore[attr-defined]


def render_png(insights: Insights, texts: Texts) -> bytes:
    """Draw four small panels and return the PNG bytes."""
    # Imported here: matplotlib takes most of a second to import, and only /insights needs it.
    # A bare Figure renders through the Agg canvas: no pyplot, no GUI backend, no global state.
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 6), dpi=110)
    if any(insights.bids):
        # Bids for connection sit beside the mood line, small: three bars for the last week.
        panels = figure.subplot_mosaic(
            [["mood", "mood", "bids"], ["entries", "grounding", "practice"]]
        )
        mood, entries, grounding, practice = (
            panels[name] for name in ("mood", "entries", "grounding", "practice")
        )
        _bids(panels["bids"], insights, texts)
    else:
        (mood, entries), (grounding, practice) = figure.subplots(2, 2)
    for axes in (mood, entries, grounding, practice):
        axes.spines[["top", "right"]].set_visible(False)
        axes.tick_params(labelsize=8)

    mood.set_title(texts.get(T.chart_mood), fontsize=10)
    points = [(i, m) for i, m in enumerate(insights.mood) if m is not None]
    if points:
        mood.plot([i for i, _ in points], [m for _, m in points], marker="o", color=_ACCENT)
    else:
        _empty(mood, texts)
    mood.set_ylim(0.5, 5.5)
    # Always the whole four weeks, so a lone check-in sits at its day, not in the middle.
    mood.set_xlim(-0.5, len(insights.days) - 0.5)
    mood.set_xticks(range(0, len(insights.days), 7))
    mood.set_xticklabels([short_date(texts, d) for d in insights.days[::7]])

    labels = [short_date(texts, d) for d in insights.week_starts]
    entries.set_title(texts.get(T.chart_entries), fontsize=10)
    entries.bar(labels, insights.entries_per_week, color=_ACCENT)
    entries.yaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]

    grounding.set_title(texts.get(T.chart_grounding), fontsize=10)
    if insights.grounding_before is not None and insights.grounding_after is not None:
        grounding.bar(
            [texts.get(T.chart_before), texts.get(T.chart_after)],
            [insights.grounding_before, insights.grounding_after],
            color=[_SOFT, _ACCENT],
        )
    else:
        _empty(grounding, texts)
    grounding.set_ylim(0, 10)

    practice.set_title(texts.get(T.chart_practice), fontsize=10)
    shares = [s * 100 if s is not None else 0 for s in insights.ready_share_per_week]
    if insights.attempts:
        practice.bar(labels, shares, color=_ACCENT)
    else:
        _empty(practice, texts)
    practice.set_ylim(0, 100)
    practice.yaxis.set_major_formatter("{x:.0f}%")

    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
