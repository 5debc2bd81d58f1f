"""Everything else: media, edits, groups, blocking, and buttons nobody recognises."""

from __future__ import annotations

import logging

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.content.texts import T
from bot.db.repo import users as user_repo
from bot.edge.context import BotContext
from bot.handlers.common import reply_text
from bot.services.profile import schedule_next_prompt

log = logging.getLogger(__name__)


async def on_media(update: Update, context: BotContext) -> None:
    """Say kindly that only text can be read (stickers, photos, voice, files...)."""
    await reply_text(update, context, T.media_unsupported)


async def on_edited(update: Update, context: BotContext) -> None:
    """Explain that edits are not re-read, so nothing is silently ignored."""
    await reply_text(update, context, T.edited_message)


async def on_group(update: Update, context: BotContext) -> None:
    """Refuse politely in groups and channels, store nothing, and leave."""
    chat = update.effective_chat
    if chat is None:
        return
    message = update.effective_message
    # Answer commands and mentions only: replying to every group message would be noise.
    if message is not None and message.text and not message.text.startswith("/"):
        return
    try:
        await context.bot.send_message(
            chat.id, context.services.catalog.texts.get(T.group_refusal)
        )
        if chat.type != ChatType.PRIVATE:
            await context.bot.leave_chat(chat.id)
    except TelegramError as exc:
        log.info("could not refuse in chat kind %s: %s", chat.type, exc.__class__.__name__)


async def on_my_chat_member(update: Update, context: BotContext) -> None:
    """Track blocking in private chats; refuse and leave when added to a group."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None:
        return
    if change.chat.type != ChatType.PRIVATE:
        if change.new_chat_member.status in {
            ChatMemberStatus.MEMBER,
            ChatMemberStatus.ADMINISTRATOR,
        }:
            await on_group(update, context)
        return
    blocked = change.new_chat_member.status == ChatMemberStatus.BANNED
    services = context.services
    async with services.db.session() as session:
        user = await user_repo.update_user(session, user_id=change.chat.id, active=not blocked)
        if user is not None:
            await schedule_next_prompt(session, user=user, now=services.clock())
    log.info("user %s the bot", "blocked" if blocked else "unblocked")


async def on_unknown_button(update: Update, context: BotContext) -> None:
    """Answer a tap on a button from an old version or another bot."""
    await reply_text(update, context, T.stale_button)
