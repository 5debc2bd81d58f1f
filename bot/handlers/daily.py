"""/prompt, /pause, /resume and the buttons under a daily prompt."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.content.texts import T
from bot.domain.timeparse import parse_duration
from bot.edge import callbacks
from bot.edge.context import BotContext, Services
from bot.edge.outgoing import Outgoing
from bot.edge.send import send_messages
from bot.handlers.common import reply, reply_text, user_id_of
from bot.services import daily
from bot.services.prompting import ANOTHER, ANSWER, LATER, SKIP


async def _another(services: Services, user_id: int, _prompt_id: str) -> Outgoing:
    return await daily.another_prompt(services, user_id)


BUTTON_ACTIONS: dict[str, Callable[[Services, int, str], Awaitable[Outgoing]]] = {
    ANSWER: daily.invite_answer,
    ANOTHER: _another,
    SKIP: daily.skip_today,
    LATER: daily.remind_later,
}


async def cmd_prompt(update: Update, context: BotContext) -> None:
    """Send today's reflection prompt now."""
    assert update.effective_chat is not None
    result = await daily.prompt_now(context.services, user_id_of(update))
    sent = await send_messages(context.bot, update.effective_chat.id, [result.message])
    if result.delivery_id is not None and sent:
        await daily.link_message(context.services, result.delivery_id, sent[0].message_id)


async def on_prompt_button(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    """Answer, swap, skip or postpone the prompt a button belongs to."""
    services = context.services
    user_id = user_id_of(update)
    action = data.args[0] if data.args else ""
    prompt_id = data.args[1] if len(data.args) > 1 else ""
    if prompt_id not in services.catalog.library.prompts:
        await reply_text(update, context, T.stale_button)
        return
    handler = BUTTON_ACTIONS.get(action)
    if handler is None:
        await reply_text(update, context, T.stale_button)
        return
    message = await handler(services, user_id, prompt_id)
    await reply(update, context, message)


async def cmd_pause(update: Update, context: BotContext) -> None:
    """Pause daily prompts: `/pause` until /resume, or `/pause for 3 days`."""
    text = " ".join(context.args or []).strip()
    duration = None
    if text:
        duration = parse_duration(text, context.services.catalog.words)
        if duration is None:
            await reply_text(update, context, T.pause_not_understood)
            return
    await reply(update, context, await daily.pause(context.services, user_id_of(update), duration))


async def cmd_resume(update: Update, context: BotContext) -> None:
    """Resume daily prompts."""
    await reply(update, context, await daily.resume(context.services, user_id_of(update)))
