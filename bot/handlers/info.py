"""Informational commands: /help, /privacy, and unknown commands."""

from __future__ import annotations

from telegram import Update

from bot.content.texts import T
from bot.edge.context import BotContext
from bot.edge.outgoing import Outgoing
from bot.handlers.common import reply, resume_note, user_id_of


async def _answer_then_resume(update: Update, context: BotContext, key: T) -> None:
    texts = context.services.catalog.texts
    messages = [Outgoing(texts.get(key, context.services.rng))]
    messages.extend(await resume_note(context, user_id_of(update)))
    await reply(update, context, *messages)


async def cmd_help(update: Update, context: BotContext) -> None:
    """List what the bot can do; an open flow question is repeated after it."""
    await _answer_then_resume(update, context, T.help)


async def cmd_privacy(update: Update, context: BotContext) -> None:
    """Explain what is stored, where and why, and how to export or delete it."""
    await _answer_then_resume(update, context, T.privacy)


async def on_unknown_command(update: Update, context: BotContext) -> None:
    """Answer a command the bot does not know, without losing the user's place."""
    await _answer_then_resume(update, context, T.unknown_command)
