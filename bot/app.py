"""Build the Application: services, content, and the one handler table that routes everything.

Read `_register_handlers` top to bottom to see where any update goes. Order matters: within a
group the first matching handler wins, and the safety screen sits in an earlier group so it
sees every private text message first, even in the middle of a flow.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import datetime

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.config import Settings
from bot.content.catalog import Catalog
from bot.content.texts import T
from bot.context import SERVICES_KEY, BotContext, Services, utc_now
from bot.db.crypto import Vault, install_vault
from bot.db.engine import Database
from bot.flows.engine import FlowEngine
from bot.flows.loader import FlowRules
from bot.handlers import buttons, conversation, errors, fallback, info, settings, start
from bot.handlers.common import RUNNER_KEY
from bot.inputs import EXTRAS, build_validators
from bot.services import profile
from bot.services.flow_runner import FLOW_BUTTON, ActionFn, FlowRunner

log = logging.getLogger(__name__)

# Actions flows may ask for (`action:` steps); the content checker knows this list.
ACTIONS: dict[str, ActionFn] = {
    "save_profile": profile.save_profile,
}
# The engine's generic re-ask texts, by the reason a validator gave.
RETRY_TEXTS = {
    "choose_a_button": T.retry_choose_a_button,
    "empty": T.retry_empty,
    "too_long": T.retry_too_long,
    "not_text": T.retry_not_text,
}
# Commands and their handlers. Each must also be listed in content/commands.yml.
COMMANDS = {
    "start": start.cmd_start,
    "help": info.cmd_help,
    "settings": settings.cmd_settings,
    "privacy": info.cmd_privacy,
    "cancel": conversation.cmd_cancel,
}


def flow_rules() -> FlowRules:
    """What flows may reference: input types, actions and extra variables."""
    return FlowRules(
        inputs=("text", "short_text", "timezone", "time", "days", "country"),
        actions=tuple(ACTIONS),
        globals=(),
        extras=EXTRAS,
    )


def load_catalog(settings: Settings) -> Catalog:
    """Load all content (raises ContentError, so the bot refuses to start on bad content)."""
    return Catalog.load(settings.content_dir, flow_rules())


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    catalog: Catalog | None = None,
    clock: Callable[[], datetime] = utc_now,
    rng: random.Random | None = None,
    rate_limit: bool = True,
) -> Application:  # type: ignore[type-arg]
    """Build the bot: content, database, services, handlers and lifecycle hooks."""
    catalog = catalog or load_catalog(settings)
    install_vault(Vault(settings.key_list))
    database = Database(settings.database_url)
    rng = rng or random.Random()
    validators = build_validators(catalog.places)
    engine = FlowEngine(
        catalog.flows,
        validators=validators,
        rng=rng,
        retry_texts={reason: catalog.texts.get(key) for reason, key in RETRY_TEXTS.items()},
    )
    services = Services(
        settings=settings, catalog=catalog, db=database, engine=engine, clock=clock, rng=rng
    )

    builder: ApplicationBuilder = (  # type: ignore[type-arg]
        Application.builder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.api_file_base_url)
        .context_types(ContextTypes(context=BotContext))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    application = builder.build()
    application.bot_data[SERVICES_KEY] = services
    application.bot_data[RUNNER_KEY] = FlowRunner(services, ACTIONS)
    _register_handlers(application)
    return application


def _register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE

    # Group 0, in order; the first handler that matches an update handles it.
    # 1. Blocks, unblocks and being added to groups.
    app.add_handler(
        ChatMemberHandler(fallback.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    # 2. Anything outside a private chat: a polite refusal, nothing stored.
    app.add_handler(MessageHandler(~private, fallback.on_group))
    # 3. Edits are not re-read; say so instead of staying silent.
    app.add_handler(MessageHandler(filters.UpdateType.EDITED & private, fallback.on_edited))
    # 4. Commands.
    for name, callback in COMMANDS.items():
        app.add_handler(CommandHandler(name, callback, filters=private))
    # 5. Every inline button, routed by the kind in its data.
    app.add_handler(
        CallbackQueryHandler(
            buttons.button_router(
                {
                    FLOW_BUTTON: conversation.on_flow_button,
                    settings.SETTINGS: settings.on_settings_button,
                }
            )
        )
    )
    # 6. Shared locations (time zone during onboarding).
    app.add_handler(MessageHandler(filters.LOCATION & private, conversation.on_location))
    # 7. Free text: the active flow, a prompt answer, or a pointer to what the bot can do.
    app.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND & private, conversation.on_text)
    )
    # 8. Commands nobody handles.
    app.add_handler(MessageHandler(filters.COMMAND & private, info.on_unknown_command))
    # 9. Stickers, photos, voice, files and everything else: a kind word, never silence.
    app.add_handler(MessageHandler(private, fallback.on_media))

    app.add_error_handler(errors.on_error)


async def _post_init(app: Application) -> None:  # type: ignore[type-arg]
    services: Services = app.bot_data[SERVICES_KEY]
    await services.db.upgrade()
    commands = [BotCommand(c.command, c.description) for c in services.catalog.commands]
    try:
        await app.bot.set_my_commands(commands)
    except TelegramError as exc:
        # The menu is a convenience; the bot works without it.
        log.warning("could not register the command menu: %s", exc.__class__.__name__)


async def _post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
    services: Services = app.bot_data[SERVICES_KEY]
    await services.db.dispose()


__all__ = ["Update", "build_application", "flow_rules", "load_catalog"]
