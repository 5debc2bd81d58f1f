"""/hold, /timeout and /bids: tools for the moment you want to chase and they pull away."""

from __future__ import annotations

from telegram import Update

from bot.content.texts import T
from bot.edge import callbacks
from bot.edge.context import BotContext
from bot.edge.outgoing import ButtonSpec, Outgoing
from bot.handlers import grounding
from bot.handlers.common import reply, runner, user_id_of
from bot.handlers.practice import skills_paused
from bot.services import hot

# Buttons of the offer made when someone says they want to text again.
START_HOLD, START_TIMEOUT = "hold", "timeout"


async def _start(update: Update, context: BotContext, flow: str) -> None:
    if await skills_paused(update, context):
        return
    await reply(update, context, *await runner(context).start(user_id_of(update), flow))


async def cmd_hold(update: Update, context: BotContext) -> None:
    """List the messages on hold (if any), then offer to hold another."""
    if await skills_paused(update, context):
        return
    user_id = user_id_of(update)
    listing = await hot.holds_list(context.services, user_id)
    started = await runner(context).start(user_id, hot.HOLD_FLOW)
    await reply(update, context, *((listing,) if listing else ()), *started)


async def cmd_timeout(update: Update, context: BotContext) -> None:
    """Agree a break instead of a chase, or wait well through theirs."""
    await _start(update, context, hot.TIMEOUT_FLOW)


async def cmd_bids(update: Update, context: BotContext) -> None:
    """Log a small moment of reaching out, in ten seconds."""
    await _start(update, context, hot.BIDS_FLOW)


async def offer(update: Update, context: BotContext) -> None:
    """When someone says they want to text again: offer to hold it, or a time-out."""
    services = context.services
    texts = services.catalog.texts
    buttons = (
        (ButtonSpec(texts.get(T.btn_offer_hold), callbacks.encode(hot.HOLD_BUTTON, START_HOLD)),),
        (
            ButtonSpec(
                texts.get(T.btn_offer_timeout), callbacks.encode(hot.HOLD_BUTTON, START_TIMEOUT)
            ),
        ),
    )
    await reply(update, context, Outgoing(texts.get(T.hot_offer, services.rng), buttons))


async def on_hold_button(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    """Buttons of held messages (send, edit, let go, bring back now) and of the offer."""
    action = data.args[0] if data.args else ""
    if action == START_HOLD:
        await cmd_hold(update, context)
        return
    if action == START_TIMEOUT:
        await cmd_timeout(update, context)
        return
    choice = await hot.on_hold_button(
        context.services, runner(context), user_id_of(update), action, data.int_arg(1)
    )
    extra = (grounding.menu(context.services),) if choice.grounding else ()
    await reply(update, context, *choice.messages, *extra)
