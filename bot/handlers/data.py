"""/export and /delete: the user's data, theirs to take or erase."""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import datetime
from typing import Any

from telegram import InputFile, Update

from bot.content.texts import T, Texts
from bot.db.repo import data as data_repo
from bot.domain.export import to_json, to_markdown
from bot.edge import callbacks
from bot.edge.context import BotContext
from bot.edge.outgoing import ButtonSpec, Outgoing, layout
from bot.handlers.common import reply, reply_text, user_id_of
from bot.services import language

log = logging.getLogger(__name__)

DELETE = "d"


async def cmd_export(update: Update, context: BotContext) -> None:
    """Send everything the user gave the bot as a JSON file and a Markdown file."""
    services = context.services
    async with services.db.session() as session:
        rows = await data_repo.user_rows(session, user_id=user_id_of(update))
    if not any(rows.values()):
        await reply_text(update, context, T.export_empty)
        return
    now = services.clock()
    stamp = now.strftime("%Y-%m-%d")
    # Years of entries take a noticeable moment to format: do it off the event loop.
    json_file, markdown_file = await asyncio.to_thread(_files, rows, services.catalog.texts, now)
    files = ((f"secure-base-{stamp}.json", json_file), (f"secure-base-{stamp}.md", markdown_file))
    assert update.effective_chat is not None
    for position, (name, content) in enumerate(files):
        caption = services.catalog.texts.get(T.export_caption) if position == 0 else None
        await context.bot.send_document(
            update.effective_chat.id,
            InputFile(io.BytesIO(content), filename=name),
            caption=caption,
        )


def _files(
    rows: dict[str, list[dict[str, Any]]], texts: Texts, now: datetime
) -> tuple[bytes, bytes]:
    return to_json(rows, exported_at=now), to_markdown(rows, texts, exported_at=now)


async def cmd_delete(update: Update, context: BotContext) -> None:
    """Ask for an explicit confirmation before erasing everything."""
    texts = context.services.catalog.texts
    buttons = [
        ButtonSpec(texts.get(T.btn_delete_yes), callbacks.encode(DELETE, "yes")),
        ButtonSpec(texts.get(T.btn_delete_no), callbacks.encode(DELETE, "no")),
    ]
    await reply(update, context, Outgoing(texts.get(T.delete_confirm), layout(buttons)))


async def on_delete_button(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    """Erase every row of the user after they confirmed, or keep everything."""
    if not data.args or data.args[0] != "yes":
        await reply_text(update, context, T.delete_kept)
        return
    services = context.services
    async with services.db.session() as session:
        removed = await data_repo.delete_user(session, user_id=user_id_of(update))
    language.forget(services, user_id_of(update))
    log.info("erased a user's data on request (%d rows)", removed)
    await reply_text(update, context, T.delete_done)
