"""All content of one language, loaded once at start-up into frozen objects and checked whole.

Content lives in ``content/locales/<language>/`` (texts, flows, prompts, lessons, exercises,
scenarios, the coach's and the safety screen's lists, time words) plus a few language-free
files at the root of ``content/`` (helplines, place aliases), which every language shares.
`Catalog.load(content_dir, rules, language)` loads one language; `Locales` (bot.domain.locales)
loads them all and checks them against English. It collects every problem from every kind of
content, so an author sees the full list at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, TypeVar

from babel import Locale
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

LOCALES_DIR = "locales"
REFERENCE = "en"
LOCALE_FILE = "locale.yml"
# Parts a translation may still lack: until its own are written, it borrows English's (the
# safety screens of every language run on every message anyway). `content check` says so.
BORROWABLE = ("coach", "safety/screen.yml")


def locale_dir(content_dir: Path, language: str) -> Path:
    """Where one language's content lives: content/locales/<language>/."""
    return content_dir / LOCALES_DIR / language


class LocaleInfo(BaseModel):
    """A locale's locale.yml: its own name and the words that recognise it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Annotated[str, Field(min_length=2, max_length=32)]
    detect: Annotated[tuple[Annotated[str, Field(pattern=r"^[^\s]+$")], ...], Field(min_length=20)]

    @classmethod
    def load(cls, folder: Path) -> LocaleInfo:
        """Load and check locale.yml; raise ContentError on problems."""
        from bot.content.validation import validate

        path = folder / LOCALE_FILE
        return validate(cls, load_yaml(path), path)


@dataclass(frozen=True, slots=True)
class Shared:
    """The content every language shares, loaded once: helplines and places."""

    helplines: Helplines
    places: Places

    @classmethod
    def load(cls, content_dir: Path) -> Shared:
        """Load the language-free files at the root of content/; ContentError on problems."""
        problems: list[ContentProblem] = []
        helplines = places = None
        try:
            helplines = Helplines.load(content_dir)
        except ContentError as exc:
            problems.extend(exc.problems)
        try:
            places = Places.load(content_dir)
        except ContentError as exc:
            problems.extend(exc.problems)
        if problems:
            raise ContentError(problems)
        assert helplines is not None
        assert places is not None
        return cls(helplines, places)


class CommandEntry(BaseModel):
    """One entry of the command menu."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    command: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,32}$")]
    description: Annotated[str, Field(min_length=3, max_length=256)]


@dataclass(frozen=True)
class Catalog:
    """Every piece of one language's user-facing content and the pure services built from it."""

    language: str
    info: LocaleInfo
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
    borrowed: tuple[str, ...] = ()

    @classmethod
    def load(
        cls,
        content_dir: Path,
        rules: FlowRules,
        language: str = REFERENCE,
        *,
        shared: Shared | None = None,
        fallback: Catalog | None = None,
    ) -> Catalog:
        """Load and check one language's content (content/locales/<language>/ plus the shared
        files); raise ContentError listing every problem. `shared` saves loading the shared
        files again when several languages are loaded together; with `fallback` (English), a
        translation without its own coach or safety screen yet borrows those (BORROWABLE)."""
        problems: list[ContentProblem] = []
        folder = locale_dir(content_dir, language)

        def attempt(loader: Callable[[Path], _T], where: Path = folder) -> _T | None:
            try:
                return loader(where)
            except ContentError as exc:
                problems.extend(exc.problems)
                return None

        if not folder.is_dir():
            raise ContentError([ContentProblem(folder, f"no content for language '{language}'")])
        if shared is None:
            shared = attempt(Shared.load, content_dir)
        info = attempt(LocaleInfo.load)
        texts = attempt(lambda d: Texts.load(d, language))
        safety_texts = attempt(SafetyTexts.load)
        sources = attempt(lambda d: load_flows(d / "flows"))
        commands = attempt(_load_commands)
        library = attempt(Library.load)
        borrowed = tuple(
            part for part in BORROWABLE if fallback is not None and not (folder / part).exists()
        )
        coach = fallback.coach if fallback and "coach" in borrowed else attempt(Coach.load)
        if fallback is not None and "safety/screen.yml" in borrowed:
            safety: SafetyScreen | None = fallback.safety
        else:
            safety = attempt(SafetyScreen.load)
        helplines = places = None
        if shared is not None:
            places = shared.places
            helplines = attempt(shared.helplines.in_language)
        words = attempt(TimeWords.load)
        if sources is not None:
            problems.extend(check_flows(sources, rules))
        generated: dict[str, Flow] = {}
        if library is not None and texts is not None:
            generated = exercise_flows(library, texts) | lesson_flows(library, texts)
            for clash in sorted(set(generated) & set(sources or {})):
                problems.append(
                    ContentProblem(
                        folder / "flows" / f"{clash}.yml",
                        f"flow id '{clash}' is reserved for the exercise or lesson of that name",
                        hint="rename the flow",
                    )
                )
        if problems:
            raise ContentError(problems)
        # Every loader either returned or added a problem, so none of these is None here.
        assert info is not None
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
            language=language,
            info=info,
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
            borrowed=borrowed,
        )

    @cached_property
    def _territories(self) -> Mapping[str, str]:
        return Locale.parse(self.language).territories

    def country_name(self, code: str) -> str | None:
        """A country's name in this language (CLDR), or the tz database's English name."""
        return self._territories.get(code.upper()) or self.places.country_name(code)


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
