"""The safety layer in Telegram: screen every private text first, answer crisis and abuse
with the resources for the user's country, and keep /sos one tap away from anywhere.

Registered in an earlier handler group than everything else, so it sees every text message,
including those inside flows. When it takes over it stops all later handlers; the user's
flow is paused, and "I'm safe now" brings it back.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Literal

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.content.texts import T
from bot.db.models import SafetyEvent
from bot.db.repo import flows as flow_repo
from bot.db.repo import tasks as task_repo
from bot.db.repo import users as user_repo
from bot.edge import callbacks
from bot.edge.context import BotContext, Services
from bot.edge.outgoing import ButtonSpec, Outgoing, layout
from bot.handlers import grounding, hot
from bot.handlers.common import reply, resume_note, runner, user_id_of
from bot.safety import SafetyText, Screening

log = logging.getLogger(__name__)

Kind = Literal["self_harm", "abuse"]

SAFETY = "s"
TALK, PLAN, GROUND, SAFE, YES, NO = "talk", "plan", "ground", "safe", "yes", "no"
PLAN_FLOW = "safety_plan"
FOLLOWUP_KIND = "safety_followup"
FOLLOWUP_AFTER = timedelta(hours=24)


def _menu(services: Services, kind: str) -> tuple[tuple[ButtonSpec, ...], ...]:
    texts = services.catalog.safety_texts
    buttons = [
        ButtonSpec(texts.get(SafetyText.btn_talk_now), callbacks.encode(SAFETY, TALK, kind)),
        ButtonSpec(texts.get(SafetyText.btn_safety_plan), callbacks.encode(SAFETY, PLAN, kind)),
        ButtonSpec(texts.get(SafetyText.btn_grounding), callbacks.encode(SAFETY, GROUND, kind)),
        ButtonSpec(texts.get(SafetyText.btn_safe_now), callbacks.encode(SAFETY, SAFE, kind)),
    ]
    return tuple((b,) for b in buttons)


async def _country(services: Services, user_id: int) -> str | None:
    async with services.db.session() as session:
        user = await user_repo.get_user(session, user_id=user_id)
    if user is None:
        return None
    if user.country:
        return user.country
    # No country given: the time zone's country is the best guess for local helplines.
    return services.catalog.places.country_of_zone(user.timezone) if user.timezone else None


async def crisis_messages(services: Services, user_id: int, kind: Kind) -> tuple[Outgoing, ...]:
    """The crisis reply: words from content, local resources, and the menu."""
    texts = services.catalog.safety_texts
    key = SafetyText.crisis_abuse if kind == "abuse" else SafetyText.crisis_self_harm
    resources = services.catalog.helplines.render_html(await _country(services, user_id), kind)
    return (
        Outgoing(texts.get(key)),
        Outgoing(resources),
        Outgoing(texts.get(SafetyText.menu_prompt), _menu(services, kind)),
    )


async def _record(services: Services, user_id: int, screening: Screening) -> bool:
    """Note that the screen fired (never the words); pause any flow. False if no consent."""
    now = services.clock()
    async with services.db.session() as session:
        user = await user_repo.get_user(session, user_id=user_id)
        if user is None:
            return False
        session.add(
            SafetyEvent(
                user_id=user_id, level=screening.level, kind=screening.kind, created_at=now
            )
        )
        await flow_repo.close_runs(session, user_id=user_id, status="paused", now=now)
        if screening.level == "crisis" and screening.kind == "abuse":
            user.skills_paused = True
            session.add(user)
    return True


async def screen_message(update: Update, context: BotContext) -> None:
    """Screen every private text before any other handler sees it."""
    message = update.effective_message
    # Captions are free text too: "I want to die" under a photo must not go unanswered.
    words = (message.text or message.caption) if message is not None else None
    if not words:
        return
    services = context.services
    # Every language's screen, whatever language the user chose: people switch languages
    # when they are distressed. The reply is in the user's language.
    screening = services.locales.screen(words)
    user_id = user_id_of(update)
    if screening.level == "none":
        intent = services.locales.intent(words)
        if intent == "grounding":
            await grounding.offer(update, context)
            raise ApplicationHandlerStop
        if intent == "hold" and not await runner(context).has_active(user_id):
            # Inside an exercise the words belong to it (a draft pasted into /hold, say).
            await hot.offer(update, context)
            raise ApplicationHandlerStop
        return
    log.info("safety screen: level=%s kind=%s", screening.level, screening.kind)
    await _record(services, user_id, screening)
    kind: Kind = screening.kind or "self_harm"
    if screening.level == "crisis":
        await reply(update, context, *await crisis_messages(services, user_id, kind))
    else:
        texts = services.catalog.safety_texts
        question = SafetyText.check_abuse if kind == "abuse" else SafetyText.check_self_harm
        buttons = [
            ButtonSpec(texts.get(SafetyText.btn_yes), callbacks.encode(SAFETY, YES, kind)),
            ButtonSpec(texts.get(SafetyText.btn_no), callbacks.encode(SAFETY, NO, kind)),
        ]
        await reply(update, context, Outgoing(texts.get(question), layout(buttons)))
    raise ApplicationHandlerStop


async def cmd_sos(update: Update, context: BotContext) -> None:
    """Always show support and resources, from anywhere, consent or not."""
    services = context.services
    user_id = user_id_of(update)
    texts = services.catalog.safety_texts
    country = await _country(services, user_id)
    await reply(
        update,
        context,
        Outgoing(texts.get(SafetyText.sos_intro)),
        Outgoing(services.catalog.helplines.render_html(country, "self_harm")),
        Outgoing(texts.get(SafetyText.menu_prompt), _menu(services, "self_harm")),
    )


async def on_safety_button(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    """The safety menu and the answer to the direct question."""
    services = context.services
    user_id = user_id_of(update)
    texts = services.catalog.safety_texts
    action = data.args[0] if data.args else ""
    kind: Kind = "abuse" if len(data.args) > 1 and data.args[1] == "abuse" else "self_harm"
    if action == YES:
        await reply(update, context, *await crisis_messages(services, user_id, kind))
    elif action == NO:
        messages = [Outgoing(texts.get(SafetyText.check_no_ack))]
        messages.extend(await _resume_paused(context, user_id))
        await reply(update, context, *messages)
    elif action == TALK:
        country = await _country(services, user_id)
        resources = services.catalog.helplines.render_html(country, kind)
        await reply(
            update, context, Outgoing(texts.get(SafetyText.talk_now_intro)), Outgoing(resources)
        )
    elif action == GROUND:
        await grounding.breathe_now(update, context)
    elif action == PLAN:
        if not await _consented(services, user_id):
            await reply(update, context, Outgoing(services.catalog.texts.get(T.consent_needed)))
            return
        await reply(update, context, *await runner(context).start(user_id, PLAN_FLOW))
    elif action == SAFE:
        await _safe_now(update, context, user_id)
    else:
        await reply(update, context, Outgoing(services.catalog.texts.get(T.stale_button)))


async def _consented(services: Services, user_id: int) -> bool:
    async with services.db.session() as session:
        return await user_repo.get_user(session, user_id=user_id) is not None


async def _safe_now(update: Update, context: BotContext, user_id: int) -> None:
    services = context.services
    if not await _consented(services, user_id):
        # Nothing may be stored, so there is no later check-in to promise.
        await reply(update, context, Outgoing(services.catalog.texts.get(T.safe_now_unstored)))
        return
    async with services.db.session() as session:
        await task_repo.cancel_for_user(session, user_id=user_id, kind=FOLLOWUP_KIND)
        await task_repo.add_task(
            session,
            user_id=user_id,
            kind=FOLLOWUP_KIND,
            ref="",
            due_at=services.clock() + FOLLOWUP_AFTER,
        )
    messages = [Outgoing(services.catalog.safety_texts.get(SafetyText.safe_now_ack))]
    messages.extend(await _resume_paused(context, user_id))
    await reply(update, context, *messages)


async def _resume_paused(context: BotContext, user_id: int) -> tuple[Outgoing, ...]:
    """Bring back the flow the safety path paused, at the question it was on."""
    async with context.services.db.session() as session:
        resumed = await flow_repo.resume_paused(
            session, user_id=user_id, now=context.services.clock()
        )
    if not resumed:
        return ()
    return tuple(await resume_note(context, user_id))


async def followup(services: Services) -> tuple[Outgoing, ...]:
    """The one gentle check-in a day after someone said they were safe."""
    texts = services.catalog.safety_texts
    return (Outgoing(texts.get(SafetyText.followup_checkin), _menu(services, "self_harm")),)
