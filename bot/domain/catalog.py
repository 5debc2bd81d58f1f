"""All content, loaded once at start-up into frozen objects and checked as a whole.

`Catalog.load()` is what the bot runs before it starts (and refuses to start on a problem),
and what `python -m bot content check` runs. It collects every problem from every kind of
content, so an author sees the full list at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.coach import Coach
from bot.content.errors import ContentError, ContentProblem
from bot.content.texts import Texts
from bot.content.yamlio import load_yaml
from bot.domain.grounding import exercise_flows
from bot.domain.lessons import lesson_flows
from bot.domain.library import Library
from bot.domain.places import Places
from bot.domain.timeparse import TimeWords
from bot.flows.loader import FlowRules, check_flows, load_flows
from bot.flows.schema import Flow
from bot.safety import Helplines, SafetyScreen, SafetyTexts

_T = TypeVar("_T")


class CommandEntry(BaseModel):
    """One entry of the command menu."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    command: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,32}$")]
    description: Annotated[str, Field(min_length=3, max_length=256)]


@dataclass(frozen=True, slots=True)
class Catalog:
    """Every piece of user-facing content and the pure services built from it."""

    texts: Texts
    safety_texts: SafetyTexts
    flows: Mapping[str, Flow]
    commands: tuple[CommandEntry, ...]
    library: Library
    coach: Coach
    safety: SafetyScreen
    helplines: Helplines
    places: Places
    words: TimeWords

    @classmethod
    def load(cls, content_dir: Path, rules: FlowRules) -> Catalog:
        """Load and check all content; raise ContentError listing every problem."""
        problems: list[ContentProblem] = []

        def attempt(loader: Callable[[Path], _T]) -> _T | None:
            try:
                return loader(content_dir)
            except ContentError as exc:
                problems.extend(exc.problems)
                return None

        texts = attempt(Texts.load)
        safety_texts = attempt(SafetyTexts.load)
        sources = attempt(lambda d: load_flows(d / "flows"))
        commands = attempt(_load_commands)
        library = attempt(Library.load)
        coach = attempt(Coach.load)
        safety = attempt(SafetyScreen.load)
        helplines = attempt(Helplines.load)
        places = attempt(Places.load)
        words = attempt(TimeWords.load)
        if sources is not None:
            problems.extend(check_flows(sources, rules))
        generated: dict[str, Flow] = {}
        if library is not None and texts is not None:
            generated = exercise_flows(library, texts) | lesson_flows(library, texts)
            for clash in sorted(set(generated) & set(sources or {})):
                problems.append(
                    ContentProblem(
                        content_dir / "flows" / f"{clash}.yml",
                        f"flow id '{clash}' is reserved for the exercise or lesson of that name",
                        hint="rename the flow",
                    )
                )
        if problems:
            raise ContentError(problems)
        # Every loader either returned or added a problem, so none of these is None here.
        assert texts is not None
        assert safety_texts is not None
        assert sources is not None
        assert commands is not None
        assert library is not None
        assert coach is not None
        assert safety is not None
        assert helplines is not None
        assert places is not None
        assert words is not None
        return cls(
            texts=texts,
            safety_texts=safety_texts,
            flows={**{fid: source.flow for fid, source in sources.items()}, **generated},
            commands=commands,
            library=library,
            coach=coach,
            safety=safety,
            helplines=helplines,
            places=places,
            words=words,
        )


def _load_commands(content_dir: Path) -> tuple[CommandEntry, ...]:
    path = content_dir / "commands.yml"
    raw: Any = load_yaml(path)
    entries = raw.get("commands") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise ContentError([ContentProblem(path, "expected a 'commands' list")])
    problems: list[ContentProblem] = []
    result: list[CommandEntry] = []
    for entry in entries:
        try:
            result.append(CommandEntry.model_validate(entry))
        except ValidationError as exc:
            for error in exc.errors():
                problems.append(
                    ContentProblem(path, f"{error['loc']}: {error['msg']}", where=str(entry))
                )
    if problems:
        raise ContentError(problems)
    return tuple(result)
