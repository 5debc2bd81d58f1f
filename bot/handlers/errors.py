"""The error handler: log without secrets, tell the user kindly, never crash."""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from telegram import Update
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import ApplicationHandlerStop

from bot.content.texts import T
from bot.db.engine import abandon
from bot.edge.context import BotContext

log = logging.getLogger(__name__)


def storage_unavailable(error: object) -> bool:
    """Whether an error means the database could not be reached (down, refusing, locked,
    out of connections), rather than a bug."""
    if isinstance(error, OperationalError | InterfaceError | PoolTimeout):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    # asyncpg raises plain OS errors when the server refuses or drops the connection.
    return isinstance(error, ConnectionError | OSError | TimeoutError) and not isinstance(
        error, NetworkError
    )


async def on_error(update: object, context: BotContext) -> None:
    """Log the error and, where possible, tell the user their message is safe.

    Whatever the update wrote before it failed is rolled back first (one transaction per
    update), so a failure never leaves a flow half-moved, and the update stops there."""
    await abandon()
    error = context.error
    key = T.error_generic
    if isinstance(error, Forbidden):
        log.info("a user blocked the bot before a reply reached them")
        return
    if isinstance(error, RetryAfter | TimedOut | NetworkError):
        log.warning("telegram was unavailable: %s", error.__class__.__name__)
    elif storage_unavailable(error):
        # Expected while the database is down: one line, no traceback per update.
        log.warning("the database was unavailable: %s", error.__class__.__name__)
        key = T.error_storage
    else:
        log.error("unhandled error while handling an update", exc_info=error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(
                update.effective_chat.id, context.services.catalog.texts.get(key)
            )
        except Exception:  # the apology itself failed: the log above already says why
            log.warning("could not send the apology for an error")
        # One failure, one apology: the update's writes were rolled back, so the handlers of
        # later groups (the safety screen runs first) must not carry on with it or apologise
        # again. PTB stops the update when an error handler raises this.
        raise ApplicationHandlerStop
