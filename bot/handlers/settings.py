"""/settings: show the profile and start the small flow that changes one part of it, or
choose the language the bot writes in."""

from __future__ import annotations

from telegram import Update

from bot.content.texts import T
from bot.db.repo import users as user_repo
from bot.edge import callbacks
from bot.edge.context import BotContext
from bot.edge.outgoing import ButtonSpec, Outgoing, layout
from bot.handlers.common import reply, reply_text, runner, user_id_of
from bot.services import language
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
LANGUAGE = "language"


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
    if len(services.locales.catalogs) > 1:
        language_label = texts.get(T.btn_settings_language)
        buttons.append(ButtonSpec(language_label, callbacks.encode(SETTINGS, LANGUAGE)))
    summary = settings_summary(services.catalog, user, services.clock())
    await reply(update, context, Outgoing(summary, layout(buttons)))


async def on_settings_button(
    update: Update, context: BotContext, data: callbacks.Callback
) -> None:
    """Start the flow that changes the chosen setting, or offer and set the language."""
    if data.args and data.args[0] == LANGUAGE:
        await _language(update, context, data.args[1] if len(data.args) > 1 else "")
        return
    change = CHANGES.get(data.args[0] if data.args else "")
    if change is None:
        await reply_text(update, context, T.stale_button)
        return
    await reply(update, context, *await runner(context).start(user_id_of(update), change[1]))


async def _language(update: Update, context: BotContext, chosen: str) -> None:
    """Without a choice, offer each language by its own name; with one, switch to it."""
    services = context.services
    if not chosen:
        buttons = [
            ButtonSpec(catalog.info.name, callbacks.encode(SETTINGS, LANGUAGE, code))
            for code, catalog in services.locales.catalogs.items()
        ]
        choose = services.catalog.texts.get(T.language_choose)
        await reply(update, context, Outgoing(choose, layout(buttons)))
        return
    if not await language.set_language(services, user_id_of(update), chosen):
        await reply_text(update, context, T.stale_button)
        return
    # Confirmed in the new language, which everything from the next update on will use.
    saved = services.locales.get(chosen).texts.get(T.language_saved)
    await reply(update, context, Outgoing(saved))
