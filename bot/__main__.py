"""`python -m bot`: run, playground, content check, db upgrade, analyze."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.ops.config import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot with long polling")
    sub.add_parser("webhook", help="run the bot behind a webhook server (WEBHOOK_URL)")
    playground = sub.add_parser(
        "playground", help="chat with the bot in this terminal, no Telegram needed"
    )
    playground.add_argument(
        "--lang", default="en", help="the fake user's Telegram language_code (e.g. es)"
    )
    content = sub.add_parser("content", help="content tools")
    content.add_argument("action", choices=["check"])
    db = sub.add_parser("db", help="database tools")
    db.add_argument("action", choices=["upgrade"])
    keys = sub.add_parser("keys", help="encryption keys for text at rest")
    keys.add_argument("action", choices=["generate", "rotate"])
    analyze = sub.add_parser(
        "analyze",
        help="print the safety, intent and coach view of a text, or measure the safety screen "
        "on a labelled set (--set)",
    )
    analyze.add_argument("text", nargs="?")
    analyze.add_argument(
        "--set",
        dest="case_set",
        type=Path,
        metavar="FILE",
        help="a labelled set (JSON Lines, see bot/safety/evaluate.py): print recall per "
        "category and false alarms instead",
    )
    analyze.add_argument(
        "--screen",
        type=Path,
        metavar="FILE",
        help="screen with this screen file instead of the language's safety/screen.yml",
    )
    analyze.add_argument("--json", action="store_true", help="with --set: print JSON")
    analyze.add_argument(
        "--lang",
        default=None,
        help="the language whose coach reads the text, or whose screen reads --set "
        "(default: detect the text's; English for --set)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run one command; return the exit code."""
    args = _parser().parse_args(argv)
    settings = Settings()
    match args.command:
        case "run":
            return _run(settings)
        case "webhook":
            return _webhook(settings)
        case "playground":
            from bot.playground import playground_settings, run_playground

            return asyncio.run(
                run_playground(
                    playground_settings(settings),
                    sys.stdin,
                    sys.stdout,
                    interactive=sys.stdin.isatty(),
                    language=args.lang,
                )
            )
        case "content":
            return _content_check(settings)
        case "db":
            from bot.db.engine import run_upgrade

            run_upgrade(settings.database_url)
            print("database is up to date")
            return 0
        case "analyze":
            if args.case_set is not None:
                return _analyze_set(
                    settings, args.case_set, args.screen, args.lang or "en", as_json=args.json
                )
            if args.text is None:
                print("analyze needs a TEXT, or --set FILE", file=sys.stderr)
                return 2
            return _analyze(settings, args.text, args.lang, args.screen)
        case "keys":
            return _keys(settings, args.action)
    return 2


def _content_check(settings: Settings) -> int:
    from bot.app import load_locales
    from bot.content.errors import ContentError

    try:
        locales = load_locales(settings, use_cache=False)
        languages = locales.languages
        problems = []
        for note in locales.borrowed():
            print(f"note: {note}", file=sys.stderr)
    except ContentError as exc:
        problems = exc.problems
    here = Path.cwd()
    for problem in problems:
        # Paths as the author sees them from here: content/locales/es/ui.yml:12: …
        if problem.path.is_relative_to(here):
            problem = dataclasses.replace(problem, path=problem.path.relative_to(here))
        print(problem, file=sys.stderr)
    if problems:
        print(f"\n{len(problems)} problem(s) in {settings.content_dir}", file=sys.stderr)
        return 1
    print(f"content OK: {settings.content_dir} ({', '.join(languages)})")
    return 0


def _keys(settings: Settings, action: str) -> int:
    from bot.db.crypto import Vault, generate_key, install_vault

    if action == "generate":
        print(generate_key())
        return 0
    keys = settings.key_list
    if not keys:
        print("ENCRYPTION_KEYS is empty: nothing to rotate to", file=sys.stderr)
        return 2
    from bot.db.engine import Database
    from bot.db.keys import rotate

    async def run() -> int:
        database = Database(settings.database_url)
        try:
            await database.upgrade()
            return await rotate(database, Vault(keys))
        finally:
            await database.dispose()

    install_vault(Vault(keys))
    changed = asyncio.run(run())
    print(f"re-encrypted {changed} value(s) with the newest key")
    return 0


def _analyze(
    settings: Settings, text: str, lang: str | None, screen_file: Path | None = None
) -> int:
    from bot.app import load_locales
    from bot.domain.catalog import locale_dir
    from bot.safety import SafetyScreen

    locales = load_locales(settings)
    if lang is not None and lang not in locales.catalogs:
        known = ", ".join(locales.languages)
        print(f"unknown language {lang!r}; the content has {known}", file=sys.stderr)
        return 2
    detected = locales.detect(text).language
    used = lang or detected
    catalog = locales.get(used)
    screening, intent = locales.screen(text), locales.intent(text)
    if screen_file is not None:  # a draft of a screen file, read on its own
        screen = SafetyScreen.load(locale_dir(settings.content_dir, used), screen_file)
        screening, intent = screen.screen(text), screen.intent(text)
    result = {
        # Safety and intents read every language, as the bot does.
        "safety": screening.to_dict(),
        "intent": intent,
        "coach": catalog.coach.analyze(text).to_dict(),
        "language": {"detected": detected, "used": used},
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0


def _analyze_set(
    settings: Settings, case_set: Path, screen_file: Path | None, lang: str, *, as_json: bool
) -> int:
    from bot.content.errors import ContentError
    from bot.domain.catalog import locale_dir
    from bot.safety import SafetyScreen
    from bot.safety.evaluate import CaseError, evaluate_splits, load_cases

    try:
        screen = SafetyScreen.load(locale_dir(settings.content_dir, lang), screen_file)
        cases = load_cases(case_set, screen.categories)
    except (ContentError, CaseError, OSError) as exc:
        print(exc, file=sys.stderr)
        return 1
    reports = evaluate_splits(screen, cases)
    if as_json:
        print(json.dumps([report.to_dict() for report in reports], ensure_ascii=False))
        return 0
    print(f"safety screen ({screen.language}) on {case_set.name}: {len(cases)} messages")
    for report in reports:
        print("\n".join(report.lines()))
    return 0


def _webhook(settings: Settings) -> int:
    from bot.ops.logs import setup_logging

    token = settings.telegram_bot_token.get_secret_value()
    secret = settings.webhook_secret.get_secret_value()
    setup_logging(settings.log_level, secrets=[token, secret], as_json=settings.log_json)
    # Checked before the slow imports, so a misconfigured deployment fails at once.
    problem = _webhook_problem(token, settings.webhook_url, secret)
    if problem:
        print(problem, file=sys.stderr)
        return 2

    from bot.content.errors import ContentError
    from bot.webhook import serve

    try:
        return asyncio.run(serve(settings))
    except ContentError as exc:
        print(f"refusing to start, the content has problems:\n{exc}", file=sys.stderr)
        return 1


def _webhook_problem(token: str, url: str, secret: str) -> str:
    """What keeps webhook mode from starting, or '' when it can start."""
    if not token:
        return "TELEGRAM_BOT_TOKEN is not set: get one from @BotFather (see README)"
    if not url or not secret:
        return (
            "webhook mode needs WEBHOOK_URL (the public https address Telegram posts to) "
            "and WEBHOOK_SECRET (1-256 characters: A-Z, a-z, 0-9, _ and -)"
        )
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        # Telegram's setWebhook refuses any other secret_token.
        return "WEBHOOK_SECRET may only use A-Z, a-z, 0-9, _ and - (1-256 characters)"
    return ""


def _run(settings: Settings) -> int:
    from telegram import Update

    from bot.app import build_application
    from bot.content.errors import ContentError
    from bot.ops.logs import setup_logging

    token = settings.telegram_bot_token.get_secret_value()
    setup_logging(settings.log_level, secrets=[token], as_json=settings.log_json)
    if not token:
        print(
            "TELEGRAM_BOT_TOKEN is not set: get one from @BotFather (see README)", file=sys.stderr
        )
        return 2
    try:
        application = build_application(settings)
    except ContentError as exc:
        print(f"refusing to start, the content has problems:\n{exc}", file=sys.stderr)
        return 1
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
