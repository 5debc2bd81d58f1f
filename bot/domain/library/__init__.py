"""The bot's core content, loaded and validated: prompts, lessons, exercises and scenarios.

One small loader per kind of content sits in this package (``prompts``, ``lessons``,
``exercises``, ``scenarios``); ``Library.load`` runs them all, collects every problem they find
(with file, line and a hint for the author) and raises one ``ContentError``; on success it
returns frozen, ready-to-render data. Pure: no Telegram, no database, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from bot.content.errors import ContentError, ContentProblem
from bot.domain.library.exercises import (
    Exercise,
    ExerciseKind,
    ExerciseStep,
    Phase,
    load_exercises,
)
from bot.domain.library.lessons import Lesson, LessonPage, load_lessons
from bot.domain.library.prompts import Prompt, PromptMeta, Theme, load_prompts
from bot.domain.library.scenarios import Scenario, load_scenarios

__all__ = [
    "Exercise",
    "ExerciseKind",
    "ExerciseStep",
    "Lesson",
    "LessonPage",
    "Library",
    "Phase",
    "Prompt",
    "PromptMeta",
    "Scenario",
    "Theme",
]


@dataclass(frozen=True, slots=True)
class Library:
    """All core content, validated and ready to render."""

    themes: Mapping[str, Theme]
    prompts: Mapping[str, Prompt]
    meta: PromptMeta
    lessons: tuple[Lesson, ...]
    exercises: Mapping[str, Exercise]
    scenarios: tuple[Scenario, ...]

    @classmethod
    def load(cls, content_dir: Path) -> Library:
        """Load and validate prompts, lessons, exercises and scenarios from content_dir."""
        problems: list[ContentProblem] = []
        themes, meta = load_prompts(content_dir / "prompts", problems)
        lessons = load_lessons(content_dir / "lessons", problems)
        exercises = load_exercises(content_dir / "exercises", problems)
        scenarios = load_scenarios(content_dir / "practice" / "scenarios.yml", problems)
        if problems or meta is None:
            raise ContentError(problems)
        prompts = {p.id: p for theme in themes.values() for p in theme.prompts}
        return cls(
            themes=MappingProxyType(themes),
            prompts=MappingProxyType(prompts),
            meta=meta,
            lessons=lessons,
            exercises=MappingProxyType(exercises),
            scenarios=scenarios,
        )


# ---------------------------------------------------------------------------------------------
# Choosing the daily prompt
# ---------------------------------------------------------------------------------------------
