"""Turn `Outgoing` messages into Bot API calls."""

from __future__ import annotations

import io
from collections.abc import Sequence

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.db.engine import settle
from bot.edge.outgoing import Outgoing


def markup(message: Outgoing) -> InlineKeyboardMarkup | None:
    """Build the inline keyboard for a message, if it has buttons."""
    if not message.rows:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
            for row in message.rows
        ]
    )


async def send_messages(bot: Bot, chat_id: int, messages: Sequence[Outgoing]) -> list[Message]:
    """Send (or edit) each message in order; return what Telegram sent back. What the
    update stored so far is committed first (see bot.db.engine.settle)."""
    await settle()
    sent: list[Message] = []
    for message in messages:
        if message.edit_message_id is not None:
            try:
                result = await bot.edit_message_text(
                    message.html,
                    chat_id=chat_id,
                    message_id=message.edit_message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup(message),
                )
            except BadRequest as exc:
                # Editing to identical text is harmless; anything else is a real problem.
                if "not modified" in str(exc).lower():
                    continue
                raise
            if isinstance(result, Message):
                sent.append(result)
            continue
        if message.photo is not None:
            sent.append(
                await bot.send_photo(
                    chat_id,
                    InputFile(io.BytesIO(message.photo), filename="picture.png"),
                    caption=message.html,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup(message),
                )
            )
            continue
        sent.append(
            await bot.send_message(
                chat_id,
                message.html,
                parse_mode=ParseMode.HTML,
                reply_markup=markup(message),
            )
        )
    return sent
