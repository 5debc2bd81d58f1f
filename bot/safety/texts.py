"""The safety layer's texts (content/locales/<lang>/safety/messages.yml).

Handlers look texts up by `SafetyText` key; the loader proves every key exists, that each text
is valid Telegram HTML of a sensible length, and that only `emergency_line` has a placeholder
(`{number}`). The safety plan is a list of questions with ids that a flow can walk through.
"""

from __future__ import annotations

import html
import string
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from bot.content.errors import ContentError, ContentProblem
from bot.content.html import html_problems, visible_length
from bot.content.yamlio import line_of, load_yaml

MESSAGES_FILE = "messages.yml"
# Telegram's limit on an inline button's text is 64 characters; keep buttons short anyway.
_BUTTON_LIMIT = 40
_TEXT_LIMIT = 1500  # the helplines list still has to fit after the text (4,096 in all)


class SafetyText(StrEnum):
    """Every messages.yml key the handlers use."""

    crisis_self_harm = "crisis_self_harm"
    crisis_abuse = "crisis_abuse"
    check_self_harm = "check_self_harm"
    check_abuse = "check_abuse"
    check_yes_self_harm = "check_yes_self_harm"
    check_unsure_self_harm = "check_unsure_self_harm"
    check_unsure_abuse = "check_unsure_abuse"
    menu_prompt = "menu_prompt"
    btn_talk_now = "btn_talk_now"
    btn_safety_plan = "btn_safety_plan"
    btn_grounding = "btn_grounding"
    btn_safe_now = "btn_safe_now"
    btn_yes = "btn_yes"
    btn_no = "btn_no"
    btn_not_sure = "btn_not_sure"
    safe_now_ack = "safe_now_ack"
    followup_checkin = "followup_checkin"
    check_no_ack = "check_no_ack"
    sos_intro = "sos_intro"
    skills_paused = "skills_paused"
    skills_resumed = "skills_resumed"
    talk_now_intro = "talk_now_intro"
    emergency_line = "emergency_line"


# Placeholders each key must use; every other key has none.
_PLACEHOLDERS: Mapping[str, frozenset[str]] = {"emergency_line": frozenset({"number"})}


@dataclass(frozen=True, slots=True)
class SafetyTexts:
    """The loaded messages.yml."""

    entries: Mapping[str, str]

    @classmethod
    def load(cls, content_dir: Path) -> SafetyTexts:
        """Load and check a locale's safety/messages.yml; raise ContentError on problems."""
        path = content_dir / "safety" / MESSAGES_FILE
        raw: Any = load_yaml(path)
        if not isinstance(raw, dict):
            raise ContentError([ContentProblem(path, "must be a mapping of key: text")])
        problems: list[ContentProblem] = []
        entries: dict[str, str] = {}
        known = {key.value for key in SafetyText}
        for key, value in raw.items():
            where = str(key)
            if key not in known:
                problems.append(
                    ContentProblem(
                        path,
                        "unknown key (no handler uses it)",
                        line=line_of(raw),
                        where=where,
                        hint="check the spelling against bot/safety/texts.py",
                    )
                )
                continue
            if not isinstance(value, str) or not value.strip():
                problems.append(ContentProblem(path, "must be a non-empty text", where=where))
                continue
            problems.extend(_text_problems(path, where, value))
            entries[where] = value
        problems.extend(
            ContentProblem(
                path,
                f"missing key '{key.value}' (the bot uses it)",
                line=line_of(raw),
                hint="add it to messages.yml",
            )
            for key in SafetyText
            if key.value not in raw
        )
        if problems:
            raise ContentError(problems)
        return cls(entries)

    def get(self, key: SafetyText, **values: object) -> str:
        """Return a text, filling its placeholders with HTML-escaped values."""
        text = self.entries[key.value]
        escaped = {name: html.escape(str(value), quote=False) for name, value in values.items()}
        return text.format_map(escaped) if escaped else text


def _text_problems(path: Path, key: str, text: str) -> list[ContentProblem]:
    problems = [ContentProblem(path, problem, where=key) for problem in html_problems(text)]
    limit = _BUTTON_LIMIT if key.startswith("btn_") else _TEXT_LIMIT
    if visible_length(text) > limit:
        problems.append(ContentProblem(path, f"text is longer than {limit} characters", where=key))
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        return [*problems, ContentProblem(path, str(exc), where=key, hint="use {{ and }}")]
    needed = _PLACEHOLDERS.get(key, frozenset())
    if names != needed:
        expected = ", ".join(f"{{{name}}}" for name in sorted(needed)) or "no placeholders"
        problems.append(
            ContentProblem(
                path,
                f"must use {expected}",
                where=key,
                hint="use {{ and }} for literal braces",
            )
        )
    return problems
