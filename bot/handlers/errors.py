"""The error handler: log without secrets, tell the user kindly, never crash."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut

from bot.content.texts import T
from bot.edge.context import BotContext

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log the error and, where possible, tell the user their message is safe."""
    error = context.error
    if isinstance(error, Forbidden):
        log.info("a user blocked the bot before a reply reached them")
        return
    if isinstance(error, RetryAfter | TimedOut | NetworkError):
        log.warning("telegram was unavailable: %s", error.__class__.__name__)
    else:
        log.error("unhandled error while handling an update", exc_info=error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(
                update.effective_chat.id, context.services.catalog.texts.get(T.error_generic)
            )
        except Exception:  # the apology itself failed: the log above already says why
            log.warning("could not send the apology for an error")
