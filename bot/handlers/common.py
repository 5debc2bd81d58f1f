"""Small helpers shared by handlers: who is talking, and replying to them."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import Update

from bot.content.texts import T
from bot.db.repo import flows as flow_repo
from bot.edge.context import BotContext
from bot.edge.outgoing import Outgoing
from bot.edge.send import send_messages
from bot.services.flow_runner import FlowRunner

RUNNER_KEY = "flow_runner"


def runner(context: BotContext) -> FlowRunner:
    """Return the flow runner set up by build_application()."""
    value = context.bot_data[RUNNER_KEY]
    assert isinstance(value, FlowRunner)
    return value


def user_id_of(update: Update) -> int:
    """Return the id of the user behind an update (private chats only reach handlers)."""
    assert update.effective_user is not None
    return update.effective_user.id


async def reply(update: Update, context: BotContext, *messages: Outgoing) -> None:
    """Send messages to the chat an update came from."""
    assert update.effective_chat is not None
    await send_messages(context.bot, update.effective_chat.id, messages)


async def reply_text(update: Update, context: BotContext, key: T, **values: object) -> None:
    """Send one interface text from content/locales/<lang>/ui.yml."""
    services = context.services
    await reply(update, context, Outgoing(services.catalog.texts.get(key, services.rng, **values)))


async def resume_note(context: BotContext, user_id: int) -> Sequence[Outgoing]:
    """After an interruption, repeat the active flow's open question, if there is one."""
    question = await runner(context).current_question(user_id)
    if not question:
        return ()
    note = Outgoing(context.services.catalog.texts.get(T.flow_resumed))
    return (note, *question)


Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


def needs_consent(handler: Handler) -> Handler:
    """Let only users who consented through: everyone else is pointed to /start."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: BotContext) -> None:
        async with context.services.db.session() as session:
            # With the active run: the flow runner's look-up after this costs no query.
            user, _run = await flow_repo.user_and_active_run(session, user_id=user_id_of(update))
        if user is None:
            await reply_text(update, context, T.consent_needed)
            return
        await handler(update, context)

    return guarded
