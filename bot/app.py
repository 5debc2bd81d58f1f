"""Build the Application: services, content, and the one handler table that routes everything.

Read `_register_handlers` top to bottom to see where any update goes. Order matters: within a
group the first matching handler wins, and the safety screen sits in an earlier group so it
sees every private text message first, even in the middle of a flow.

About 400 lines: the assembly of the whole bot, kept in one place on purpose so the routing
and the jobs read top to bottom.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
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

from bot.content.cache import cached_load
from bot.content.errors import ContentError, ContentProblem
from bot.content.texts import T
from bot.db.crypto import Vault, install_vault
from bot.db.engine import Database
from bot.db.models import ScheduledTask
from bot.domain.catalog import Catalog, locale_dir
from bot.domain.grounding import DONE_ACTION
from bot.domain.inputs import EXTRAS, WHEN, build_validators
from bot.domain.locales import Locales
from bot.edge.context import SERVICES_KEY, BotContext, Services, language_scope, utc_now
from bot.edge.outgoing import Outgoing
from bot.edge.ratelimit import FloodLimiter
from bot.edge.send import send_messages
from bot.flows.engine import RECORD_ATTEMPT, FlowEngine
from bot.flows.loader import FlowRules
from bot.handlers import (
    buttons,
    conversation,
    daily,
    data,
    errors,
    fallback,
    grounding,
    hot,
    info,
    journal,
    safety,
    settings,
    start,
)
from bot.handlers import practice as practice_handlers
from bot.handlers.buttons import ButtonHandler
from bot.handlers.common import RUNNER_KEY, Handler, needs_consent
from bot.ops.config import Settings
from bot.ops.imports import remember_missing
from bot.ops.lifecycle import (
    running as running,  # re-exported: webhook mode and tests start with it
)
from bot.ops.metrics import Metrics, update_kind
from bot.services import hot as hot_service
from bot.services import journal as journal_service
from bot.services import language, practice, profile, reminders, weekly
from bot.services.dispatcher import Dispatcher
from bot.services.flow_runner import FLOW_BUTTON, ActionFn, FlowRunner, Starter
from bot.services.prompting import PROMPT_BUTTON
from bot.services.retention import Retention
from bot.services.tasks import TaskRunner

log = logging.getLogger(__name__)

# Actions flows may ask for (`action:` steps); the content checker knows this list.
ACTIONS: dict[str, ActionFn] = {
    "save_profile": profile.save_profile,
    "save_reflection": practice.save_reflection,
    RECORD_ATTEMPT: practice.record_attempt,
    DONE_ACTION: grounding.grounding_done,
    "save_note": journal_service.save_note,
    "save_mood": journal_service.save_mood,
    "save_mood_reminder": reminders.save_mood_reminder,
    "save_digest": reminders.save_digest,
    "hold_message": hot_service.hold_message,
    "book_timeout": hot_service.book_timeout,
    "save_bid": hot_service.save_bid,
    "offer_grounding": hot_service.offer_grounding,
}
# Flows that get starting variables from the shell whenever they start.
STARTERS: dict[str, Starter] = {
    practice.DRILL: practice.drill_scenario,
}
# Placeholders flows may use without setting them: what the starters and schedules pass in.
FLOW_GLOBALS = ("scenario_title", "scenario_situation", "scenario_hint", "boundary", "selfcare")
# The engine's generic re-ask texts, by the reason a validator gave.
RETRY_TEXTS = {
    "choose_a_button": T.retry_choose_a_button,
    "empty": T.retry_empty,
    "too_long": T.retry_too_long,
    "not_text": T.retry_not_text,
    "when": T.retry_when,
    "when_zero": T.retry_when_zero,
    "when_past": T.retry_when_past,
    "when_far": T.retry_when_far,
}
# Commands and their handlers. Each must also be listed in content/commands.yml.
# needs_consent: only users who said yes at /start get through; others are pointed there.
COMMANDS: dict[str, Handler] = {
    "start": start.cmd_start,
    "help": info.cmd_help,
    "privacy": info.cmd_privacy,
    "settings": settings.cmd_settings,
    "prompt": needs_consent(daily.cmd_prompt),
    "practice": needs_consent(practice_handlers.cmd_practice),
    "ground": grounding.cmd_ground,
    "hold": needs_consent(hot.cmd_hold),
    "timeout": needs_consent(hot.cmd_timeout),
    "bids": needs_consent(hot.cmd_bids),
    "pause": needs_consent(daily.cmd_pause),
    "resume": needs_consent(daily.cmd_resume),
    "journal": needs_consent(journal.cmd_journal),
    "mood": needs_consent(journal.cmd_mood),
    "learn": needs_consent(journal.cmd_learn),
    "insights": needs_consent(journal.cmd_insights),
    "export": needs_consent(data.cmd_export),
    "delete": needs_consent(data.cmd_delete),
    "sos": safety.cmd_sos,
    "cancel": conversation.cmd_cancel,
}
# Inline buttons by the kind in their data (consent buttons are routed before these).
BUTTONS: dict[str, ButtonHandler] = {
    FLOW_BUTTON: conversation.on_flow_button,
    settings.SETTINGS: settings.on_settings_button,
    PROMPT_BUTTON: daily.on_prompt_button,
    grounding.GROUND: grounding.on_ground_button,
    practice_handlers.SKILLS_BUTTON: practice_handlers.on_skills_button,
    data.DELETE: data.on_delete_button,
    journal_service.JOURNAL_BUTTON: journal.on_journal_button,
    journal.LESSON_BUTTON: journal.on_lesson_button,
    safety.SAFETY: safety.on_safety_button,
    hot_service.HOLD_BUTTON: hot.on_hold_button,
}
# Safety and grounding buttons work for everyone: nobody in distress is sent to /start first.
OPEN_BUTTONS = (safety.SAFETY, grounding.GROUND)
DISPATCH_JOB = "dispatch_prompts"
# A time-out check-in waits this long while the user finishes another exercise.
TIMEOUT_POSTPONE = timedelta(minutes=5)
DISPATCHER_KEY = "dispatcher"
TASKS_KEY = "tasks"
RETENTION_KEY = "retention"


class SecureBaseApplication(Application):  # type: ignore[type-arg]
    """The PTB Application, timing every update for /metrics."""

    async def process_update(self, update: object) -> None:
        """Handle one update in its user's language; record its kind and how long it took."""
        started = time.perf_counter()
        services: Services = self.bot_data[SERVICES_KEY]
        try:
            # One session and one transaction for the whole update (see Database.unit).
            async with services.db.unit():
                who = update.effective_user if isinstance(update, Update) else None
                speaks = await language.of_user(services, who)
                with language_scope(speaks):
                    await super().process_update(update)
        finally:
            metrics: Metrics = services.metrics
            metrics.updates[update_kind(update)] += 1
            metrics.latency.observe(time.perf_counter() - started)


def flow_rules() -> FlowRules:
    """What flows may reference: input types, actions and extra variables."""
    return FlowRules(
        inputs=("text", "short_text", "timezone", "time", "days", "country", WHEN),
        actions=tuple(ACTIONS),
        globals=FLOW_GLOBALS,
        extras=EXTRAS,
    )


def load_locales(settings: Settings, *, use_cache: bool = True) -> Locales:
    """Load every language's content and check it against English (raises ContentError, so
    the bot refuses to start on bad content).

    Content that was loaded and checked before, byte for byte and by the same code, comes
    from the cache (bot/content/cache.py) instead of being parsed and checked again."""
    cache_dir = settings.content_cache if use_cache else None
    return cached_load(_load_checked_locales, settings.content_dir, cache_dir)


def _load_checked_locales(content_dir: Path) -> Locales:
    locales = Locales.load(content_dir, flow_rules())
    problems = command_problems(
        locales.english, locale_dir(content_dir, locales.reference) / "commands.yml"
    )
    if problems:
        raise ContentError(problems)
    return locales


def load_catalog(settings: Settings, *, use_cache: bool = True) -> Catalog:
    """Load all content and return the English catalog (the reference)."""
    return load_locales(settings, use_cache=use_cache).english


def command_problems(catalog: Catalog, path: Path) -> list[ContentProblem]:
    """The command menu and the handler table must list the same commands."""
    listed = [entry.command for entry in catalog.commands]
    problems = [
        ContentProblem(path, f"/{name} is in the menu but the bot has no handler for it")
        for name in listed
        if name not in COMMANDS
    ]
    problems += [
        ContentProblem(path, f"/{name} works but is missing from the menu", hint="add it")
        for name in COMMANDS
        if name not in listed
    ]
    return problems


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    locales: Locales | None = None,
    catalog: Catalog | None = None,
    clock: Callable[[], datetime] = utc_now,
    rng: random.Random | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    rate_limit: bool = True,
    updater: bool = True,
) -> Application:  # type: ignore[type-arg]
    """Build the bot: content, database, services, handlers and lifecycle hooks.

    `locales` is all the content (loaded from settings when not given); passing one `catalog`
    instead builds a bot that speaks only that language."""
    remember_missing()
    if locales is None:
        locales = Locales.single(catalog) if catalog is not None else load_locales(settings)
    install_vault(Vault(settings.key_list))
    database = Database(settings.database_url)
    rng = rng or random.Random()
    services = Services(
        settings=settings,
        locales=locales,
        db=database,
        engines={code: flow_engine(each, rng) for code, each in locales.catalogs.items()},
        clock=clock,
        rng=rng,
        sleep=sleep,
    )

    builder: ApplicationBuilder = (  # type: ignore[type-arg]
        Application.builder()
        .application_class(SecureBaseApplication)
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
        # Paced just under 30/s, and a 429 holds every request (see bot/ratelimit.py).
        builder = builder.rate_limiter(FloodLimiter(max_retries=3))
    if not updater:
        # Webhook mode: updates arrive through our own server, not PTB's Updater.
        builder = builder.updater(None)
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    application = builder.build()
    application.bot_data[SERVICES_KEY] = services
    application.bot_data[RUNNER_KEY] = FlowRunner(services, ACTIONS, STARTERS)
    _register_handlers(application)
    return application


def flow_engine(catalog: Catalog, rng: random.Random) -> FlowEngine:
    """The flow engine of one language: its flows, input words, coach and re-ask texts."""
    return FlowEngine(
        catalog.flows,
        validators=build_validators(catalog.places, catalog.words),
        rng=rng,
        coach=practice.coach_fn(catalog.coach),
        retry_texts={reason: catalog.texts.get(key) for reason, key in RETRY_TEXTS.items()},
    )


def _register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE

    # Group -1: the safety screen sees every private text first, flows and commands included,
    # and stops all later handlers when it takes over.
    app.add_handler(
        MessageHandler((filters.TEXT | filters.CAPTION) & private, safety.screen_message),
        group=-1,
    )

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
    app.add_handler(CallbackQueryHandler(buttons.button_router(BUTTONS, open_kinds=OPEN_BUTTONS)))
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


def make_dispatcher(app: Application) -> Dispatcher:  # type: ignore[type-arg]
    """Build the prompt dispatcher that sends through this application's bot."""

    async def send(chat_id: int, message: Outgoing) -> int:
        sent = await send_messages(app.bot, chat_id, [message])
        return sent[0].message_id

    return Dispatcher(app.bot_data[SERVICES_KEY], send)


def make_task_runner(app: Application) -> TaskRunner:  # type: ignore[type-arg]
    """Build the runner for scheduled tasks (follow-ups, reminders)."""

    async def send(chat_id: int, messages: tuple[Outgoing, ...]) -> None:
        await send_messages(app.bot, chat_id, messages)

    services: Services = app.bot_data[SERVICES_KEY]
    flows: FlowRunner = app.bot_data[RUNNER_KEY]
    runner = TaskRunner(services, flows, send)

    async def safety_followup(_task: ScheduledTask) -> tuple[Outgoing, ...]:
        return await safety.followup(services)

    async def mood_checkin(task: ScheduledTask) -> tuple[Outgoing, ...]:
        await _book_next(services, task)
        return await flows.start(task.user_id, journal.MOOD_FLOW)

    async def weekly_digest(task: ScheduledTask) -> tuple[Outgoing, ...]:
        await _book_next(services, task)
        picture = await weekly.weekly_picture(services, task.user_id)
        return (Outgoing(picture.caption_html, photo=picture.png),)

    runner.add_kind(safety.FOLLOWUP_KIND, safety_followup)
    runner.add_kind(reminders.MOOD, mood_checkin, starts_flow=True)

    async def return_hold(task: ScheduledTask) -> tuple[Outgoing, ...]:
        return await hot_service.return_hold(services, task)

    async def timeout_check_in(task: ScheduledTask) -> tuple[Outgoing, ...]:
        variables = json.loads(task.state) if task.state else {}
        return await flows.start(task.user_id, task.ref, variables)

    runner.add_kind(reminders.DIGEST, weekly_digest)
    # A held message always comes back, even late (it says so); a "ready to go back?" hours
    # after a downtime would be wrong, so it is skipped past the grace window.
    runner.add_kind(hot_service.HOLD_KIND, return_hold)
    runner.add_kind(
        hot_service.TIMEOUT_KIND,
        timeout_check_in,
        starts_flow=True,
        postpone=TIMEOUT_POSTPONE,
        skip_when_late=True,
    )
    return runner


async def _book_next(services: Services, task: ScheduledTask) -> None:
    """A recurring reminder books its next occurrence before it runs."""
    days, at = reminders.schedule_of(task.ref)
    async with services.db.session() as session:
        await reminders.book(
            session, user_id=task.user_id, kind=task.kind, at=at, days=days, now=services.clock()
        )


async def dispatch_job(context: BotContext) -> None:
    """Send every prompt and scheduled task that is due (the one repeating job), and age out
    old rows once a day when RETENTION_DAYS is set."""
    dispatcher: Dispatcher = context.bot_data[DISPATCHER_KEY]
    tasks: TaskRunner = context.bot_data[TASKS_KEY]
    retention: Retention = context.bot_data[RETENTION_KEY]
    report = await dispatcher.tick()
    metrics = context.services.metrics
    metrics.prompts_sent += report.sent
    metrics.send_errors["blocked"] += report.blocked
    metrics.send_errors["released"] += report.released
    metrics.send_errors["uncertain"] += report.uncertain
    metrics.rate_limit_waits += report.rate_limited
    metrics.dispatcher_lag_seconds = report.lag_seconds
    if report.claimed or report.skipped:
        log.info(
            "dispatch: sent=%d skipped=%d blocked=%d released=%d lag=%.1fs",
            report.sent,
            report.skipped,
            report.blocked,
            report.released,
            report.lag_seconds,
        )
    await tasks.tick()
    # Onboarding never expires: someone who comes back days later simply carries on.
    await context.bot_data[RUNNER_KEY].expire_stale(keep=(start.ONBOARDING,))
    # Last, so a slow or failing purge never holds up what users are waiting for.
    await retention.run_if_due()


async def _post_init(app: Application) -> None:  # type: ignore[type-arg]
    services: Services = app.bot_data[SERVICES_KEY]
    await services.db.upgrade()
    dispatcher = make_dispatcher(app)
    app.bot_data[DISPATCHER_KEY] = dispatcher
    tasks = app.bot_data[TASKS_KEY] = make_task_runner(app)
    app.bot_data[RETENTION_KEY] = Retention.from_services(services)
    await dispatcher.recover()
    await tasks.recover()
    if app.job_queue is not None:
        interval = services.settings.dispatch_interval_seconds
        app.job_queue.run_repeating(
            dispatch_job,
            interval=interval,
            first=1.0,
            name=DISPATCH_JOB,
            # APScheduler skips a run more than 1 s late by default; a busy loop must not
            # silently drop a tick, and two ticks must never overlap.
            job_kwargs={
                "misfire_grace_time": int(interval * 4) + 1,
                "max_instances": 1,
                "coalesce": True,
            },
        )
    try:
        # The menu in each language: Telegram shows the one matching the user's app language.
        for code, catalog in services.locales.catalogs.items():
            commands = [BotCommand(c.command, c.description) for c in catalog.commands]
            if code == services.locales.reference:
                await app.bot.set_my_commands(commands)
            else:
                await app.bot.set_my_commands(commands, language_code=code)
    except TelegramError as exc:
        # The menu is a convenience; the bot works without it.
        log.warning("could not register the command menu: %s", exc.__class__.__name__)


async def _post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
    services: Services = app.bot_data[SERVICES_KEY]
    await services.db.dispose()
