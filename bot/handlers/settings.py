"""/settings: show the profile and start the small flow that changes one part of it."""

from __future__ import annotations

from telegram import Update

from bot.content.texts import T
from bot.db.repo import users as user_repo
from bot.edge import callbacks
from bot.edge.context import BotContext
from bot.edge.outgoing import ButtonSpec, Outgoing, layout
from bot.handlers.common import reply, reply_text, runner, user_id_of
from bot.services.profile import settings_summary

SETTINGS = "st"
# Button argument -> (label key, flow that changes it)
CHANGES: dict[str, tuple[T, str]] = {
    "zone": (T.btn_settings_zone, "settings_zone"),
    "time": (T.btn_settings_time, "settings_time"),
    "days": (T.btn_settings_days, "settings_days"),
    "country": (T.btn_settings_country, "settings_country"),
    "mood": (T.btn_settings_mood, "settings_mood"),
    "digest": (T.btn_settings_digest, "settings_digest"),
}


async def cmd_settings(update: Update, context: BotContext) -> None:
    """Show the user's settings with a button for each thing they can change."""
    services = context.services
    async with services.db.session() as session:
        user = await user_repo.get_user(session, user_id=user_id_of(update))
    if user is None:
        await reply_text(update, context, T.consent_needed)
        return
    texts = services.catalog.texts
    buttons = [
        ButtonSpec(texts.get(label), callbacks.encode(SETTINGS, name))
        for name, (label, _) in CHANGES.items()
    ]
    summary = settings_summary(services.catalog, user, services.clock())
    await reply(update, context, Outgoing(summary, layout(buttons)))


async def on_settings_button(
    update: Update, context: BotContext, data: callbacks.Callback
) -> None:
    """Start the flow that changes the chosen setting."""
    change = CHANGES.get(data.args[0] if data.args else "")
    if change is None:
        await reply_text(update, context, T.stale_button)
        return
    await reply(update, context, *await runner(context).start(user_id_of(update), change[1]))
