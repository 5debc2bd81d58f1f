"""/ground: pick an exercise, rate how intense it feels, breathe with a live message, rate again.

Breathing exercises edit one message phase by phase from a background task (one edit per
phase, and every phase lasts at least a second, so a chat never sees more than about one edit
a second); Stop cancels the task. Interactive and guided exercises run as flows.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.error import TelegramError

from bot.content.texts import T
from bot.db.repo import grounding as repo
from bot.domain.grounding import exercises_in_menu_order, flow_id, pacing_frames, rating_change
from bot.edge import callbacks
from bot.edge.context import BotContext, Services
from bot.edge.outgoing import ButtonSpec, Outgoing, layout
from bot.edge.send import send_messages
from bot.handlers.common import reply, reply_text, runner, user_id_of
from bot.services.flow_runner import ActionContext

log = logging.getLogger(__name__)

GROUND = "g"
CHOOSE, BEFORE, AFTER, STOP = "x", "b", "a", "s"
DEFAULT_EXERCISE = "physiological_sigh"
NO_RATING = "-"
PACERS_KEY = "grounding_pacers"


def menu(services: Services) -> Outgoing:
    """The exercise menu, the 30-second default first."""
    texts = services.catalog.texts
    exercises = exercises_in_menu_order(services.catalog.library.exercises, DEFAULT_EXERCISE)
    buttons = [
        ButtonSpec(
            texts.get(T.ground_menu_item, title=e.title, duration=e.duration),
            callbacks.encode(GROUND, CHOOSE, e.id),
        )
        for e in exercises
    ]
    return Outgoing(texts.get(T.ground_menu), tuple((b,) for b in buttons))


def rating_keyboard(services: Services, stage: str, session_id: int) -> Outgoing:
    """0-10 buttons (and Skip) for the before or after rating."""
    texts = services.catalog.texts
    question = texts.get(T.ground_rate_before if stage == BEFORE else T.ground_rate_after)

    def button(label: str, value: str) -> ButtonSpec:
        return ButtonSpec(label, callbacks.encode(GROUND, stage, session_id, value))

    rows = (
        tuple(button(str(n), str(n)) for n in range(6)),
        tuple(button(str(n), str(n)) for n in range(6, 11)),
        (button(texts.get(T.btn_rating_skip), NO_RATING),),
    )
    return Outgoing(question, rows)


async def cmd_ground(update: Update, context: BotContext) -> None:
    """Offer the grounding exercises."""
    await reply(update, context, menu(context.services))


async def offer(update: Update, context: BotContext) -> None:
    """Offer grounding at once when someone says they are flooded (any state)."""
    texts = context.services.catalog.texts
    await reply(update, context, Outgoing(texts.get(T.ground_offer)), menu(context.services))


async def on_ground_button(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    """Handle the menu, the ratings and Stop."""
    services = context.services
    user_id = user_id_of(update)
    action = data.args[0] if data.args else ""
    if action == CHOOSE:
        exercise_id = data.args[1] if len(data.args) > 1 else ""
        if exercise_id not in services.catalog.library.exercises:
            await reply_text(update, context, T.stale_button)
            return
        async with services.db.session() as session:
            started = await repo.start_session(
                session, user_id=user_id, exercise=exercise_id, now=services.clock()
            )
        assert started.id is not None
        await reply(update, context, rating_keyboard(services, BEFORE, started.id))
        return
    session_id = data.int_arg(1)
    if session_id is None:
        await reply_text(update, context, T.stale_button)
        return
    if action == STOP:
        await _stop(update, context, session_id)
        return
    value = data.args[2] if len(data.args) > 2 else NO_RATING
    rating = int(value) if value.isdigit() and 0 <= int(value) <= 10 else None
    async with services.db.session() as session:
        row = await repo.rate(
            session, user_id=user_id, session_id=session_id, before=action == BEFORE, rating=rating
        )
    if row is None:
        await reply_text(update, context, T.stale_button)
    elif action == BEFORE:
        await _run(update, context, session_id, row.exercise)
    else:
        await reply_text(
            update, context, rating_change(row.before, rating), before=row.before, after=rating
        )


async def _run(update: Update, context: BotContext, session_id: int, exercise_id: str) -> None:
    exercise = context.services.catalog.library.exercises[exercise_id]
    if exercise.kind != "paced":
        variables = {"session_id": str(session_id)}
        messages = await runner(context).start(user_id_of(update), flow_id(exercise_id), variables)
        await reply(update, context, *messages)
        return
    _start_pacer(update, context, session_id, exercise_id)


async def breathe_now(update: Update, context: BotContext) -> None:
    """Start the 30-second default at once, nothing asked or stored (from the safety menu)."""
    _start_pacer(update, context, -user_id_of(update), DEFAULT_EXERCISE)


def _start_pacer(update: Update, context: BotContext, key: int, exercise_id: str) -> None:
    # key: the grounding session id, or minus the user id for a session that is not recorded.
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    pacers: dict[int, asyncio.Task[None]] = context.bot_data.setdefault(PACERS_KEY, {})
    previous = pacers.pop(key, None)
    if previous is not None:
        previous.cancel()
    task = context.application.create_task(
        _pace(context, chat_id, key, exercise_id), name=f"grounding:{key}"
    )
    pacers[key] = task
    task.add_done_callback(lambda done: pacers.pop(key, None) if pacers.get(key) is done else None)


async def _pace(context: BotContext, chat_id: int, key: int, exercise_id: str) -> None:
    services = context.services
    texts = services.catalog.texts
    exercise = services.catalog.library.exercises[exercise_id]
    stop = ButtonSpec(texts.get(T.btn_stop), callbacks.encode(GROUND, STOP, key))
    intro = exercise.intro + (f"\n\n<i>{exercise.caution}</i>" if exercise.caution else "")
    try:
        await send_messages(context.bot, chat_id, [Outgoing(intro)])
        frames = pacing_frames(exercise, texts)
        (live,) = await send_messages(
            context.bot, chat_id, [Outgoing(frames[0].html, layout([stop]))]
        )
        await services.sleep(frames[0].seconds)
        for frame in frames[1:]:
            await send_messages(
                context.bot,
                chat_id,
                [Outgoing(frame.html, layout([stop]), edit_message_id=live.message_id)],
            )
            await services.sleep(frame.seconds)
        finish = [Outgoing(exercise.outro, edit_message_id=live.message_id)]
        if key > 0:
            finish.append(rating_keyboard(services, AFTER, key))
        await send_messages(context.bot, chat_id, finish)
    except TelegramError as exc:
        log.warning("a breathing exercise stopped early: %s", exc.__class__.__name__)


async def _stop(update: Update, context: BotContext, key: int) -> None:
    services = context.services
    user_id = user_id_of(update)
    pacers: dict[int, asyncio.Task[None]] = context.bot_data.get(PACERS_KEY, {})
    task = pacers.pop(key, None) if key > 0 or key == -user_id else None
    running = False
    if key > 0:
        async with services.db.session() as session:
            row = await repo.get_session(session, user_id=user_id, session_id=key)
            running = row is not None and row.status == "running"
            if row is not None and running:
                row.status = "stopped"
                session.add(row)
    if task is None and not running:
        await reply_text(update, context, T.stale_button)
        return
    if task is not None:
        task.cancel()
    messages: list[Outgoing] = [Outgoing(services.catalog.texts.get(T.ground_stopped))]
    if key > 0:
        messages.append(rating_keyboard(services, AFTER, key))
    await reply(update, context, *messages)


async def grounding_done(ctx: ActionContext) -> tuple[Outgoing, ...]:
    """End of an interactive or guided exercise: ask for the after-rating."""
    session_id = int(ctx.vars.get("session_id", "0") or 0)
    if not session_id:
        return ()
    return (rating_keyboard(ctx.services, AFTER, session_id),)
