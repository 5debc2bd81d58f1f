"""A user's profile: saving what onboarding and /settings collect, and describing it."""

from __future__ import annotations

from datetime import datetime, time

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.content.texts import T
from bot.db.models import User
from bot.db.repo import deliveries as delivery_repo
from bot.db.repo import users as user_repo
from bot.domain.catalog import Catalog
from bot.domain.dates import short_date, weekday_abbreviations
from bot.domain.inputs import NO_COUNTRY
from bot.edge.outgoing import Outgoing
from bot.scheduling.plan import days_label_key, reschedule, weekdays_of
from bot.services.flow_runner import ActionContext

PROMPT_SLOT = "prompt"


async def save_profile(ctx: ActionContext) -> tuple[Outgoing, ...]:
    """Store the zone, time, days and country a flow collected, and reschedule prompts."""
    changes: dict[str, object] = {}
    if zone := ctx.vars.get("zone"):
        changes["timezone"] = zone
    if prompt_time := ctx.vars.get("time"):
        changes["prompt_time"] = prompt_time
    if days := ctx.vars.get("days"):
        changes["prompt_days"] = int(days)
    if "country" in ctx.vars:
        country = ctx.vars["country"]
        changes["country"] = None if country == NO_COUNTRY else country
    user = await user_repo.update_user(ctx.session, user_id=ctx.user_id, **changes)
    if user is not None:
        if user.timezone and user.prompt_time and ctx.flow_id == "onboarding":
            user.prompts_enabled = True
        await schedule_next_prompt(ctx.session, user=user, now=ctx.services.clock())
    return ()


async def schedule_next_prompt(session: AsyncSession, *, user: User, now: datetime) -> None:
    """Set next_prompt_at from the user's settings, never twice on one local date."""
    if not (user.prompts_enabled and user.active and user.timezone and user.prompt_time):
        user.next_prompt_at = None
    else:
        last = await delivery_repo.last_local_date(session, user_id=user.id, slot=PROMPT_SLOT)
        after = max(now, user.paused_until) if user.paused_until else now
        user.next_prompt_at = reschedule(
            zone=user.timezone,
            at=time.fromisoformat(user.prompt_time),
            days=user.prompt_days,
            now=after,
            last_delivered_local_date=last,
        )
    session.add(user)
    await session.flush()


def describe_days(catalog: Catalog, days: int) -> str:
    """Return 'every day', 'on weekdays' or 'on Mon, Wed' from content."""
    key = days_label_key(days)
    if key != "custom":
        return catalog.texts.get(f"days_{key}")
    names = weekday_abbreviations(catalog.texts.locale)
    return catalog.texts.get(T.days_custom, days=", ".join(names[d] for d in weekdays_of(days)))


def settings_summary(catalog: Catalog, user: User, now: datetime) -> str:
    """Render the /settings summary for a user."""
    texts = catalog.texts
    unset = texts.get(T.settings_not_set)
    if user.paused_until and user.paused_until > now and user.timezone:
        from bot.scheduling.plan import zone_of

        until = short_date(texts, user.paused_until.astimezone(zone_of(user.timezone)).date())
        status = texts.get(T.status_paused, until=until)
    else:
        status = texts.get(T.status_on if user.prompts_enabled else T.status_off)
    country = catalog.country_name(user.country) if user.country else None
    return texts.get(
        T.settings_summary,
        zone=user.timezone or unset,
        time=user.prompt_time or unset,
        days=describe_days(catalog, user.prompt_days),
        country=country or unset,
        status=status,
    )
