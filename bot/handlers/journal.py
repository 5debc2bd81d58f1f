"""/journal, /mood and /learn: the user's own space to write, check in and read."""

from __future__ import annotations

from telegram import Update

from bot.content.texts import T
from bot.domain.lessons import flow_id as lesson_flow
from bot.edge import callbacks
from bot.edge.context import BotContext
from bot.edge.outgoing import ButtonSpec, Outgoing
from bot.handlers.common import reply, reply_text, runner, user_id_of
from bot.services import journal, weekly
from bot.services.journal import OLDER, WRITE

NOTE_FLOW = "journal_note"
MOOD_FLOW = "mood_checkin"
LESSON_BUTTON = "l"


async def cmd_journal(update: Update, context: BotContext) -> None:
    """Show recent entries, or save the note written after the command."""
    user_id = user_id_of(update)
    text = _after_command(update)
    if text:
        await reply(update, context, await journal.write_note(context.services, user_id, text))
        return
    await reply(update, context, await journal.journal_page(context.services, user_id, 0))


def _after_command(update: Update) -> str:
    # context.args splits on whitespace and would flatten the note's line breaks.
    message = update.effective_message
    parts = (message.text or "").split(maxsplit=1) if message is not None else []
    return parts[1].strip() if len(parts) > 1 else ""


async def on_journal_button(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    """Page through the journal, or start writing a note."""
    user_id = user_id_of(update)
    action = data.args[0] if data.args else ""
    if action == WRITE:
        await reply(update, context, *await runner(context).start(user_id, NOTE_FLOW))
        return
    offset = data.int_arg(1)
    if action != OLDER or offset is None or offset < 0:
        await reply_text(update, context, T.stale_button)
        return
    page = await journal.journal_page(context.services, user_id, offset)
    query = update.callback_query
    if query is not None and query.message is not None:
        # Page in place, so the chat doesn't fill up with journal copies.
        page = Outgoing(page.html, page.rows, edit_message_id=query.message.message_id)
    await reply(update, context, page)


async def cmd_mood(update: Update, context: BotContext) -> None:
    """Start a quick mood check-in."""
    await reply(update, context, *await runner(context).start(user_id_of(update), MOOD_FLOW))


async def cmd_learn(update: Update, context: BotContext) -> None:
    """List the short lessons."""
    services = context.services
    lessons = sorted(services.catalog.library.lessons, key=lambda lesson: lesson.order)
    rows = tuple(
        (ButtonSpec(lesson.title, callbacks.encode(LESSON_BUTTON, lesson.id)),)
        for lesson in lessons
    )
    await reply(update, context, Outgoing(services.catalog.texts.get(T.learn_menu), rows))


async def on_lesson_button(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    """Start the chosen lesson."""
    flow = lesson_flow(data.args[0]) if data.args else ""
    if flow not in context.services.catalog.flows:
        await reply_text(update, context, T.stale_button)
        return
    await reply(update, context, *await runner(context).start(user_id_of(update), flow))


async def cmd_insights(update: Update, context: BotContext) -> None:
    """Send the weekly picture: a chart and a few plain sentences."""
    picture = await weekly.weekly_picture(context.services, user_id_of(update))
    await reply(update, context, Outgoing(picture.caption_html, photo=picture.png))
