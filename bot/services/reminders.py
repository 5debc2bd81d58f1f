"""Optional recurring reminders a user turns on in /settings: a daily mood check-in and the
weekly picture. Each is one pending scheduled task that, when it runs, books the next one."""

from __future__ import annotations

from datetime import datetime, time

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.repo import tasks as task_repo
from bot.db.repo import users as user_repo
from bot.edge.outgoing import Outgoing
from bot.scheduling.plan import ALL_DAYS, days_mask, next_occurrence
from bot.services.flow_runner import ActionContext

MOOD = "mood_reminder"
DIGEST = "weekly_digest"
OFF = "off"


async def book(
    session: AsyncSession, *, user_id: int, kind: str, at: str, days: int, now: datetime
) -> bool:
    """Replace the user's pending reminder of this kind with the next occurrence."""
    await task_repo.cancel_for_user(session, user_id=user_id, kind=kind)
    user = await user_repo.get_user(session, user_id=user_id)
    if user is None or not user.timezone:
        return False
    due = next_occurrence(zone=user.timezone, at=time.fromisoformat(at), days=days, after=now)
    await task_repo.add_task(session, user_id=user_id, kind=kind, ref=f"{days}|{at}", due_at=due)
    return True


async def save_mood_reminder(ctx: ActionContext) -> tuple[Outgoing, ...]:
    """Turn the daily mood check-in on at a time, or off."""
    at = ctx.vars.get("mood_time", OFF)
    if at == OFF:
        await task_repo.cancel_for_user(ctx.session, user_id=ctx.user_id, kind=MOOD)
    else:
        await book(
            ctx.session, user_id=ctx.user_id, kind=MOOD, at=at, days=ALL_DAYS,
            now=ctx.services.clock(),
        )  # fmt: skip
    return ()


async def save_digest(ctx: ActionContext) -> tuple[Outgoing, ...]:
    """Turn the weekly picture on for a weekday and time, or off."""
    day = ctx.vars.get("digest_day", OFF)
    if day == OFF:
        await task_repo.cancel_for_user(ctx.session, user_id=ctx.user_id, kind=DIGEST)
    else:
        await book(
            ctx.session,
            user_id=ctx.user_id,
            kind=DIGEST,
            at=ctx.vars.get("digest_time", "18:00"),
            days=days_mask([int(day)]),
            now=ctx.services.clock(),
        )
    return ()


def schedule_of(ref: str) -> tuple[int, str]:
    """Read back the (days, time) a reminder task was booked with."""
    days, at = ref.split("|", 1)
    return int(days), at
