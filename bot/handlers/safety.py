"""The safety layer in Telegram: screen every private text first, answer crisis and abuse
with the resources for the user's country, and keep /sos one tap away from anywhere.

Registered in an earlier handler group than everything else, so it sees every text message,
including those inside flows. When it takes over it stops all later handlers; the user's
flow is paused, and "I'm safe now" brings it back.

A `check` is a conversation: one direct question with Yes / No / Not sure and people to talk
to one tap away. The answer decides, tapped or typed within an hour: "no" brings back what
the user was doing; "yes", "not sure", a reply that says neither, or a warning sign in the
reply opens the crisis path. The open question is kept as a check event (consented users) or
in memory (before consent nothing is stored), never with the user's words.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Literal

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.content.texts import T
from bot.db.repo import flows as flow_repo
from bot.db.repo import safety as safety_repo
from bot.db.repo import tasks as task_repo
from bot.db.repo import users as user_repo
from bot.edge import callbacks
from bot.edge.context import BotContext, Services
from bot.edge.outgoing import ButtonSpec, Outgoing, layout
from bot.handlers import grounding, hot
from bot.handlers.common import reply, resume_note, runner, user_id_of
from bot.safety import SafetyText

log = logging.getLogger(__name__)

Kind = Literal["self_harm", "abuse"]

Answer = Literal["yes", "unsure"]

SAFETY = "s"
TALK, PLAN, GROUND, SAFE, YES, NO, UNSURE = "talk", "plan", "ground", "safe", "yes", "no", "unsure"
PLAN_FLOW = "safety_plan"
FOLLOWUP_KIND = "safety_followup"
FOLLOWUP_AFTER = timedelta(hours=24)
# How long a typed message still counts as the answer to the check question.
CHECK_ANSWER_WINDOW = timedelta(hours=1)
# Where the open check question is kept for someone who has not consented (memory only).
PENDING_CHECK = "safety_check"


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


async def crisis_messages(
    services: Services, user_id: int, kind: Kind, key: SafetyText | None = None
) -> tuple[Outgoing, ...]:
    """The crisis reply: words from content, local resources, and the menu."""
    texts = services.catalog.safety_texts
    if key is None:
        key = SafetyText.crisis_abuse if kind == "abuse" else SafetyText.crisis_self_harm
    resources = services.catalog.helplines.render_html(await _country(services, user_id), kind)
    return (
        Outgoing(texts.get(key)),
        Outgoing(resources),
        Outgoing(texts.get(SafetyText.menu_prompt), _menu(services, kind)),
    )


def check_message(services: Services, kind: Kind) -> Outgoing:
    """The direct question, its three answers, and people to talk to one tap away."""
    texts = services.catalog.safety_texts
    question = SafetyText.check_abuse if kind == "abuse" else SafetyText.check_self_harm
    answers = [
        ButtonSpec(texts.get(SafetyText.btn_yes), callbacks.encode(SAFETY, YES, kind)),
        ButtonSpec(texts.get(SafetyText.btn_no), callbacks.encode(SAFETY, NO, kind)),
        ButtonSpec(texts.get(SafetyText.btn_not_sure), callbacks.encode(SAFETY, UNSURE, kind)),
    ]
    talk = ButtonSpec(texts.get(SafetyText.btn_talk_now), callbacks.encode(SAFETY, TALK, kind))
    return Outgoing(texts.get(question), (*layout(answers), (talk,)))


async def _record(
    services: Services,
    user_id: int,
    level: str,
    kind: Kind,
    *,
    answer_by: datetime | None = None,
) -> bool:
    """Note that the screen fired (never the words); pause any flow. False if no consent."""
    now = services.clock()
    async with services.db.session() as session:
        user = await user_repo.get_user(session, user_id=user_id)
        if user is None:
            return False
        await safety_repo.record_event(
            session, user_id=user_id, level=level, kind=kind, now=now, answer_by=answer_by
        )
        await flow_repo.close_runs(session, user_id=user_id, status="paused", now=now)
        if level == "crisis" and kind == "abuse":
            user.skills_paused = True
            session.add(user)
    return True


async def _pending_check(context: BotContext, user_id: int) -> Kind | None:
    """The kind of the check question awaiting this user's answer, if one does."""
    services = context.services
    now = services.clock()
    memory = context.user_data.get(PENDING_CHECK) if context.user_data is not None else None
    if memory is not None:
        kind, until = memory
        if until > now:
            return kind  # type: ignore[no-any-return]
        context.user_data.pop(PENDING_CHECK, None)  # type: ignore[union-attr]
    async with services.db.session() as session:
        # With the user and the active run: the handlers after this one ask no more.
        pending = (await flow_repo.user_state(session, user_id=user_id, now=now)).pending_check
    if pending is None:
        return None
    return "abuse" if pending == "abuse" else "self_harm"


async def _close_check(context: BotContext, user_id: int) -> None:
    """The question is answered (or set aside): later messages are not read as the answer."""
    if context.user_data is not None:
        context.user_data.pop(PENDING_CHECK, None)
    async with context.services.db.session() as session:
        await safety_repo.close_checks(session, user_id=user_id)


async def _ask(update: Update, context: BotContext, user_id: int, kind: Kind) -> None:
    """Ask the direct question and wait for the answer, tapped or typed."""
    services = context.services
    until = services.clock() + CHECK_ANSWER_WINDOW
    stored = await _record(services, user_id, "check", kind, answer_by=until)
    if not stored and context.user_data is not None:
        # Before consent nothing is stored: the open question lives in memory only.
        context.user_data[PENDING_CHECK] = (kind, until)
    await reply(update, context, check_message(services, kind))


async def _escalate(
    update: Update, context: BotContext, user_id: int, kind: Kind, answer: Answer
) -> None:
    """The answer was yes, not sure, or unclear: open the crisis path."""
    services = context.services
    await _close_check(context, user_id)
    await _record(services, user_id, "crisis", kind)
    keys = {
        ("abuse", "yes"): SafetyText.crisis_abuse,
        ("abuse", "unsure"): SafetyText.check_unsure_abuse,
        ("self_harm", "yes"): SafetyText.check_yes_self_harm,
        ("self_harm", "unsure"): SafetyText.check_unsure_self_harm,
    }
    key = keys[(kind, answer)]
    log.info("safety check answered: kind=%s answer=%s", kind, answer)
    await reply(update, context, *await crisis_messages(services, user_id, kind, key))


async def _answered_safe(update: Update, context: BotContext, user_id: int) -> None:
    """The answer was no: say thank you and bring back what the user was doing."""
    await _close_check(context, user_id)
    messages = [Outgoing(context.services.catalog.safety_texts.get(SafetyText.check_no_ack))]
    messages.extend(await _resume_paused(context, user_id))
    await reply(update, context, *messages)


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
    command = words.startswith("/")
    pending = await _pending_check(context, user_id)
    if screening.level == "none":
        if pending is not None:
            if command:  # moving on with a command: the buttons still answer the question
                await _close_check(context, user_id)
            else:
                answer = services.locales.answer(words, services.catalog.safety)
                if answer == "safe":
                    await _answered_safe(update, context, user_id)
                else:
                    yes_or_unsure: Answer = "yes" if answer == "not_safe" else "unsure"
                    await _escalate(update, context, user_id, pending, yes_or_unsure)
                raise ApplicationHandlerStop
        intent = services.locales.intent(words)
        if intent == "grounding":
            await grounding.offer(update, context)
            raise ApplicationHandlerStop
        if intent == "hold" and not await runner(context).has_active(user_id):
            # Inside an exercise the words belong to it (a draft pasted into /hold, say).
            await hot.offer(update, context)
            raise ApplicationHandlerStop
        return
    log.info(
        "safety screen: level=%s kind=%s category=%s",
        screening.level,
        screening.kind,
        screening.category,
    )
    kind: Kind = screening.kind or "self_harm"
    if screening.level == "crisis":
        if pending is not None:
            await _close_check(context, user_id)
        await _record(services, user_id, "crisis", kind)
        await reply(update, context, *await crisis_messages(services, user_id, kind))
    elif pending is not None:
        # A warning sign in reply to the question is a yes.
        await _escalate(update, context, user_id, kind, "yes")
    else:
        await _ask(update, context, user_id, kind)
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
    """The safety menu and the answers to the direct question."""
    services = context.services
    user_id = user_id_of(update)
    texts = services.catalog.safety_texts
    action = data.args[0] if data.args else ""
    kind: Kind = "abuse" if len(data.args) > 1 and data.args[1] == "abuse" else "self_harm"
    if action == YES:
        await _escalate(update, context, user_id, kind, "yes")
    elif action == UNSURE:
        await _escalate(update, context, user_id, kind, "unsure")
    elif action == NO:
        await _answered_safe(update, context, user_id)
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
