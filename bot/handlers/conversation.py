"""Free text, shared locations and flow buttons: route them to the active flow or answer kindly."""

from __future__ import annotations

import unicodedata

from telegram import Update

from bot.content.texts import T
from bot.db.repo import flows as flow_repo
from bot.db.repo import users as user_repo
from bot.edge import callbacks
from bot.edge.context import BotContext
from bot.flows.engine import Location
from bot.handlers.common import reply, reply_text, runner, user_id_of
from bot.handlers.practice import check_request, on_check_text
from bot.services import daily

# Telegram caps a message at 4096 characters; anything near that is split by the client.
MAX_MESSAGE_CHARS = 4096


def is_emoji_only(text: str) -> bool:
    """Return whether a message has symbols or emoji but no letters or digits."""
    stripped = [c for c in text if not c.isspace()]
    return bool(stripped) and not any(unicodedata.category(c)[0] in {"L", "N"} for c in stripped)


async def on_text(update: Update, context: BotContext) -> None:
    """Answer free text: the active flow gets it first, otherwise a kind pointer to commands."""
    assert update.effective_message is not None
    text = update.effective_message.text or ""
    user_id = user_id_of(update)
    services = context.services
    async with services.db.session() as session:
        # With the active run: the flow runner's look-up after this costs no query.
        user, _run = await flow_repo.user_and_active_run(session, user_id=user_id)
        if user is not None:
            await user_repo.touch(session, user_id=user_id, now=services.clock())
    if user is None:
        await reply_text(update, context, T.consent_needed)
        return
    answer = await runner(context).on_input(user_id, text)
    draft = check_request(text) if answer is None else None
    if draft is not None:
        await on_check_text(update, context, draft)
        return
    if answer is None:
        reply_to = update.effective_message.reply_to_message
        answer = await daily.capture_answer(
            services, user_id, text, reply_to.message_id if reply_to else None
        )
    if answer is not None:
        await reply(update, context, *answer)
        return
    if is_emoji_only(text):
        await reply_text(update, context, T.emoji_only)
        return
    await reply_text(update, context, T.unknown_text)


async def on_location(update: Update, context: BotContext) -> None:
    """Use a shared location when a flow asks for a time zone; otherwise say thanks."""
    assert update.effective_message is not None
    location = update.effective_message.location
    assert location is not None
    answer = await runner(context).on_input(
        user_id_of(update), Location(location.latitude, location.longitude)
    )
    if answer:
        await reply(update, context, *answer)
    else:
        await reply_text(update, context, T.location_unexpected)


async def on_flow_button(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    """Advance the flow a button belongs to, or say kindly that the step has passed."""
    answer = await runner(context).on_button(user_id_of(update), data)
    if answer is None:
        await reply_text(update, context, T.stale_button)
        return
    await reply(update, context, *answer)


async def cmd_cancel(update: Update, context: BotContext) -> None:
    """Leave any flow; what was already written stays saved."""
    cancelled = await runner(context).cancel(user_id_of(update))
    await reply_text(update, context, T.cancelled if cancelled else T.nothing_to_cancel)
