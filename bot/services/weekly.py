"""/insights: gather the last four weeks, compute, draw, and say it in plain sentences."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from datetime import UTC, timedelta

from bot.content.texts import T, Texts
from bot.db.repo import hot as hot_repo
from bot.db.repo import insights as insights_repo
from bot.db.repo import users as user_repo
from bot.domain.charts import render_png
from bot.domain.insights import WEEKS, Insights, compute
from bot.edge.context import Services
from bot.scheduling.plan import zone_of

# A change in mean mood smaller than this reads as "steady".
MOOD_STEP = 0.3
# Drawing takes a few hundred milliseconds, so it runs in a worker thread and the event loop
# keeps serving everyone else; matplotlib is not thread-safe, so one drawing at a time.
_DRAWING = threading.Lock()


def _draw(insights: Insights, texts: Texts) -> bytes:
    with _DRAWING:
        return render_png(insights, texts)


@dataclass(frozen=True, slots=True)
class Picture:
    """The chart and its caption; no chart when there is nothing to show."""

    png: bytes | None
    caption_html: str


async def weekly_picture(services: Services, user_id: int) -> Picture:
    """Build the /insights answer for a user."""
    now = services.clock()
    async with services.db.session() as session:
        user = await user_repo.get_user(session, user_id=user_id)
        zone = zone_of(user.timezone) if user is not None and user.timezone else UTC
        today = now.astimezone(zone).date()
        since = now - timedelta(weeks=WEEKS, days=1)
        moods, entries, grounding, attempts = await insights_repo.window(
            session, user_id=user_id, since=since
        )
        bids = await hot_repo.bids_since(session, user_id=user_id, since=since)
    insights = compute(
        today=today,
        local_dates_of=lambda when: when.astimezone(zone).date(),
        moods=moods,
        entries=entries,
        grounding=grounding,
        attempts=attempts,
        bids=[(when, response) for when, _by, response in bids],
    )
    texts = services.catalog.texts
    if insights.empty:
        return Picture(None, texts.get(T.insights_empty))
    png = await asyncio.to_thread(_draw, insights, texts)
    return Picture(png, caption(insights, services))


def caption(insights: Insights, services: Services) -> str:
    """Two or three plain sentences about the picture."""
    texts = services.catalog.texts
    lines = [texts.get(T.insights_caption)]
    trend = insights.mood_trend()
    if trend is not None:
        key = (
            T.insights_mood_up
            if trend >= MOOD_STEP
            else T.insights_mood_down
            if trend <= -MOOD_STEP
            else T.insights_mood_steady
        )
        lines.append(texts.get(key))
    if insights.entries_per_week[-1]:
        lines.append(texts.get(T.insights_writing, count=insights.entries_per_week[-1]))
    if insights.grounding_before is not None and insights.grounding_after is not None:
        lines.append(
            texts.get(
                T.insights_grounding,
                before=f"{insights.grounding_before:.0f}",
                after=f"{insights.grounding_after:.0f}",
                count=insights.grounding_count,
            )
        )
    elif insights.attempts:
        lines.append(
            texts.get(T.insights_practice, ready=insights.ready, attempts=insights.attempts)
        )
    if any(insights.bids):
        toward, away, against = insights.bids
        lines.append(texts.get(T.insights_bids, toward=toward, away=away, against=against))
    return "\n\n".join(lines[:5])
