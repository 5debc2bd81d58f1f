"""/practice: the menu of exercises, quick checks of any draft, and progress so far."""

from __future__ import annotations

import re

from telegram import Update

from bot.content.texts import T
from bot.db.repo import users as user_repo
from bot.edge import callbacks
from bot.edge.context import BotContext
from bot.edge.outgoing import ButtonSpec, Outgoing, layout
from bot.handlers.common import reply, runner, user_id_of
from bot.safety import SafetyText
from bot.services import practice

MENU_FLOW = "practice_menu"
SKILLS_BUTTON = "sk"
# "check: <draft>" in a normal message asks for a quick check, like "/practice <draft>".
CHECK_PREFIX = re.compile(r"^\s*check\s*[:\-]\s*", re.IGNORECASE)


async def skills_paused(update: Update, context: BotContext) -> bool:
    """Tell a user in abuse mode that skills practice is paused; return whether it is."""
    async with context.services.db.session() as session:
        user = await user_repo.get_user(session, user_id=user_id_of(update))
    if user is None or not user.skills_paused:
        return False
    texts = context.services.catalog.texts
    button = ButtonSpec(texts.get(T.btn_skills_back_on), callbacks.encode(SKILLS_BUTTON, "on"))
    await reply(
        update, context, Outgoing(texts.get(T.practice_paused_for_safety), layout([button]))
    )
    return True


async def cmd_practice(update: Update, context: BotContext) -> None:
    """Open the practice menu, or check the draft written after the command."""
    if await skills_paused(update, context):
        return
    services = context.services
    user_id = user_id_of(update)
    draft = " ".join(context.args or []).strip()
    if draft:
        await reply(update, context, await practice.quick_check(services, user_id, draft))
        return
    messages: list[Outgoing] = []
    note = await practice.progress_note(services, user_id)
    if note is not None:
        messages.append(note)
    messages.extend(await runner(context).start(user_id, MENU_FLOW))
    await reply(update, context, *messages)


def check_request(text: str) -> str | None:
    """Return the draft in a "check: ..." message, or None for any other text."""
    match = CHECK_PREFIX.match(text)
    if match is None:
        return None
    return text[match.end() :].strip()


async def on_check_text(update: Update, context: BotContext, draft: str) -> None:
    """Answer "check: <draft>" with the coach's feedback."""
    if await skills_paused(update, context):
        return
    if not draft:
        await reply(
            update, context, Outgoing(context.services.catalog.texts.get(T.practice_check_empty))
        )
        return
    await reply(
        update, context, await practice.quick_check(context.services, user_id_of(update), draft)
    )


async def on_skills_button(update: Update, context: BotContext, _data: callbacks.Callback) -> None:
    """Turn relationship-skills practice back on after the user chose to."""
    services = context.services
    async with services.db.session() as session:
        await user_repo.update_user(session, user_id=user_id_of(update), skills_paused=False)
    await reply(
        update, context, Outgoing(services.catalog.safety_texts.get(SafetyText.skills_resumed))
    )
