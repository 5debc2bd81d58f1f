"""One entry point for every inline button: answer the tap, then route by the data's kind."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Coroutine, Mapping
from typing import Any

from telegram import Update

from bot.content.texts import T
from bot.db.repo import flows as flow_repo
from bot.edge import callbacks
from bot.edge.context import BotContext
from bot.handlers import start
from bot.handlers.common import reply_text, user_id_of

ButtonHandler = Callable[[Update, BotContext, callbacks.Callback], Awaitable[None]]


def button_router(
    routes: Mapping[str, ButtonHandler], *, open_kinds: Collection[str] = ()
) -> Callable[[Update, BotContext], Coroutine[Any, Any, None]]:
    """Build the one CallbackQueryHandler callback from a table of button kinds.

    Buttons of `open_kinds` work without consent (safety must never be gated); every other
    kind needs a user who consented, and everyone else is pointed to /start.
    """
    if start.CONSENT in routes:
        raise ValueError(f"button kind {start.CONSENT!r} is reserved for consent")

    async def on_button(update: Update, context: BotContext) -> None:
        """Route a button tap; old, foreign or malformed buttons get a kind answer."""
        query = update.callback_query
        assert query is not None
        # Answer first so the client stops its spinner even if the work below is slow.
        await query.answer()
        data = callbacks.decode(query.data)
        if data is None:
            await reply_text(update, context, T.stale_button)
            return
        if data.kind == start.CONSENT:
            await start.on_consent(update, context, data)
            return
        handler = routes.get(data.kind)
        if handler is None:
            await reply_text(update, context, T.stale_button)
            return
        if data.kind not in open_kinds:
            async with context.services.db.session() as session:
                # With the active run: the flow runner's look-up after this costs no query.
                user, _run = await flow_repo.user_and_active_run(
                    session, user_id=user_id_of(update)
                )
            if user is None:
                await reply_text(update, context, T.consent_needed)
                return
        await handler(update, context, data)

    return on_button
