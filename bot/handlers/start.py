"""/start and the consent buttons: nothing is stored until the user says yes."""

from __future__ import annotations

from telegram import Update

from bot.content.texts import T
from bot.db.repo import users as user_repo
from bot.edge import callbacks
from bot.edge.context import BotContext, current_language
from bot.edge.outgoing import ButtonSpec, Outgoing, layout
from bot.handlers.common import reply, reply_text, resume_note, runner, user_id_of
from bot.services import language

CONSENT = "c"
ONBOARDING = "onboarding"


async def cmd_start(update: Update, context: BotContext) -> None:
    """Welcome a new user and ask for consent, or greet a returning one."""
    services = context.services
    user_id = user_id_of(update)
    async with services.db.session() as session:
        user = await user_repo.get_user(session, user_id=user_id)
    if user is None:
        texts = services.catalog.texts
        buttons = [
            ButtonSpec(texts.get(T.btn_consent_yes), callbacks.encode(CONSENT, "yes")),
            ButtonSpec(texts.get(T.btn_consent_no), callbacks.encode(CONSENT, "no")),
        ]
        await reply(update, context, Outgoing(texts.get(T.welcome), layout(buttons)))
        return
    resume = await resume_note(context, user_id)
    if resume:
        await reply(update, context, *resume)
    elif not user.timezone or not user.prompt_time:
        await reply(update, context, *await runner(context).start(user_id, ONBOARDING))
    else:
        await reply_text(update, context, T.welcome_back)


async def on_consent(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    """Record consent and start onboarding, or confirm that nothing was stored."""
    services = context.services
    user_id = user_id_of(update)
    choice = data.args[0] if data.args else ""
    async with services.db.session() as session:
        existing = await user_repo.get_user(session, user_id=user_id)
        if choice == "yes" and existing is None:
            # The language the welcome was written in: their Telegram app's, or English.
            speaks = current_language()
            await user_repo.create_user(
                session, user_id=user_id, now=services.clock(), language=speaks
            )
            language.remember(services, user_id, speaks)
    if choice == "yes" and existing is None:
        await reply_text(update, context, T.consent_thanks)
        await reply(update, context, *await runner(context).start(user_id, ONBOARDING))
    elif choice == "no" and existing is None:
        await reply_text(update, context, T.consent_declined)
    else:
        await reply_text(update, context, T.stale_button)
