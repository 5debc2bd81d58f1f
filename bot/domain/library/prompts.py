"""Daily reflection prompts as content: ``prompts/<theme>.yml`` and ``prompts/_meta.yml``.

A theme file holds one theme's prompts (ids ``<theme>_NNN``, each one short question, some
with a follow-up); ``_meta.yml`` holds the small lines around a prompt (teasers, thanks,
re-entry and check-in lines) and its button labels. ``load_prompts`` validates both.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bot.content.errors import ContentProblem
from bot.content.loading import (
    BUTTON_LIMIT,
    TITLE_LIMIT,
    Report,
    Strict,
    clean,
    missing_folder,
    read_yaml,
    yaml_files,
)
from bot.content.yamlio import line_of

_META_FILE = "_meta.yml"
_BUTTON_KEYS = ("answer", "another", "skip_today", "remind_later")


@dataclass(frozen=True, slots=True)
class Prompt:
    """One daily reflection question, with an optional gentle follow-up."""

    id: str
    theme: str
    text: str
    follow_up: str | None


@dataclass(frozen=True, slots=True)
class Theme:
    """A group of prompts the user can switch on or off in /settings."""

    id: str
    title: str
    prompts: tuple[Prompt, ...]


@dataclass(frozen=True, slots=True)
class PromptMeta:
    """The small lines around a prompt: teasers, thanks, re-entry, check-ins and buttons."""

    teasers: tuple[str, ...]
    acknowledgements: tuple[str, ...]
    reentry: tuple[str, ...]
    checkin: tuple[str, ...]
    buttons: Mapping[str, str]


class _PromptIn(Strict):
    id: str
    text: str
    follow_up: str | None = None


class _ThemeFileIn(Strict):
    theme: str
    title: str
    prompts: list[Any]


class _ButtonsIn(Strict):
    answer: str
    another: str
    skip_today: str
    remind_later: str


class _MetaIn(Strict):
    teasers: list[str]
    acknowledgements: list[str]
    reentry: list[str]
    checkin: list[str]
    buttons: _ButtonsIn


def load_prompts(
    folder: Path, problems: list[ContentProblem]
) -> tuple[dict[str, Theme], PromptMeta | None]:
    """Load every theme file and _meta.yml from the prompts folder, reporting problems."""
    if missing_folder(folder, problems):
        return {}, None
    themes: dict[str, Theme] = {}
    first_seen: dict[str, str] = {}
    meta: PromptMeta | None = None
    paths = yaml_files(folder, problems)
    if not [p for p in paths if not p.name.startswith("_")]:
        Report(folder, problems).add("has no theme files", None, hint="add <theme>.yml files")
    for path in paths:
        if path.name == _META_FILE:
            meta = _load_meta(path, problems)
        elif path.name.startswith("_"):
            Report(path, problems).add(
                "is not a known file", None, hint=f"only {_META_FILE} may start with '_'"
            )
        else:
            theme = _load_theme(path, problems, first_seen)
            if theme is not None:
                themes[theme.id] = theme
    if not (folder / _META_FILE).is_file():
        Report(folder / _META_FILE, problems).add("file is missing", None)
    return themes, meta


def _load_theme(
    path: Path, problems: list[ContentProblem], first_seen: dict[str, str]
) -> Theme | None:
    ok, raw = read_yaml(path, problems)
    if not ok:
        return None
    report = Report(path, problems)
    parsed = report.schema(raw, _ThemeFileIn)
    if parsed is None:
        return None
    root = line_of(raw)
    theme_id = parsed.theme
    if report.ident(theme_id, root, "theme") and theme_id != path.stem:
        report.add(
            f"theme {theme_id!r} does not match the file name",
            root,
            "theme",
            f"rename the file to {theme_id}.yml or set theme: {path.stem}",
        )
    report.label(parsed.title, root, "title", limit=TITLE_LIMIT)
    if not parsed.prompts:
        report.add("has no prompts", root, "prompts", "add at least one prompt")
    pattern = re.compile(rf"{re.escape(theme_id)}_\d{{3}}")
    prompts: list[Prompt] = []
    for index, item in enumerate(parsed.prompts):
        where = f"prompts[{index}]"
        prompt = report.schema(item, _PromptIn, where)
        if prompt is None:
            continue
        line = line_of(item)
        if not pattern.fullmatch(prompt.id):
            report.add(
                f"id {prompt.id!r} is not well-formed",
                line,
                f"{where}.id",
                f"use {theme_id}_NNN with three digits, e.g. {theme_id}_007",
            )
        elif prompt.id in first_seen:
            report.add(
                f"id {prompt.id!r} is used twice",
                line,
                f"{where}.id",
                f"it is first used at {first_seen[prompt.id]}; give this prompt a new number",
            )
        else:
            first_seen[prompt.id] = f"{path.name}:{line}"
        report.text(prompt.text, line, f"{where}.text")
        report.question(prompt.text, line, f"{where}.text")
        if prompt.follow_up is not None:
            report.text(prompt.follow_up, line, f"{where}.follow_up")
            report.question(prompt.follow_up, line, f"{where}.follow_up")
        follow_up = clean(prompt.follow_up) if prompt.follow_up else None
        prompts.append(Prompt(prompt.id, theme_id, clean(prompt.text), follow_up))
    if not report.clean:
        return None
    return Theme(theme_id, parsed.title, tuple(prompts))


def _load_meta(path: Path, problems: list[ContentProblem]) -> PromptMeta | None:
    ok, raw = read_yaml(path, problems)
    if not ok:
        return None
    report = Report(path, problems)
    parsed = report.schema(raw, _MetaIn)
    if parsed is None:
        return None
    root = line_of(raw)
    lists = {
        "teasers": parsed.teasers,
        "acknowledgements": parsed.acknowledgements,
        "reentry": parsed.reentry,
        "checkin": parsed.checkin,
    }
    for name, lines in lists.items():
        if not lines:
            report.add("is empty", root, name, "write at least one line to choose from")
        for index, text in enumerate(lines):
            report.text(text, root, f"{name}[{index}]")
    buttons = {key: getattr(parsed.buttons, key) for key in _BUTTON_KEYS}
    for key, label in buttons.items():
        report.label(label, line_of(raw.get("buttons")), f"buttons.{key}", limit=BUTTON_LIMIT)
    if not report.clean:
        return None
    return PromptMeta(
        teasers=tuple(clean(t) for t in parsed.teasers),
        acknowledgements=tuple(clean(t) for t in parsed.acknowledgements),
        reentry=tuple(clean(t) for t in parsed.reentry),
        checkin=tuple(clean(t) for t in parsed.checkin),
        buttons=MappingProxyType(buttons),
    )


# ---------------------------------------------------------------------------------------------
# Lessons
# ---------------------------------------------------------------------------------------------
