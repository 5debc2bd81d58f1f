"""Every language the bot speaks: one Catalog per locale folder, English the reference.

`Locales.load` loads each folder under content/locales/ with the same loaders (sharing the
language-free files), then checks every other locale against English (bot.domain.crosscheck):
same files, keys, flow graphs, placeholders and ids. The safety screen is multilingual here:
`screen()` runs every locale's screen on a message and the most serious verdict wins, because
people switch languages when they are distressed. Pure.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.errors import ContentError, ContentProblem
from bot.domain.catalog import BORROWABLE, LOCALES_DIR, REFERENCE, Catalog, Shared, locale_dir
from bot.flows.loader import FlowRules
from bot.safety import SafetyScreen, Screening
from bot.safety.lexicon import LEVEL_RANK, Answer

_WORD = re.compile(r"[^\W\d_]+")
# Safety kinds in order of precedence at the same level: a risk to life first.
_KIND_RANK = {"self_harm": 1, "abuse": 0, None: -1}


def language_of(code: str | None, known: Mapping[str, object] | tuple[str, ...]) -> str | None:
    """The locale a Telegram language_code asks for: es, es-ES, es-419 -> es; None if unknown."""
    if not code:
        return None
    base = code.replace("_", "-").split("-", 1)[0].strip().lower()
    return base if base in known else None


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class Detection:
    """Which language a text looks like, and how sure: the share of its words recognised."""

    language: str
    score: float


@dataclass(frozen=True)
class Locales:
    """All loaded languages, keyed by locale code (the folder name); English comes first."""

    catalogs: Mapping[str, Catalog]
    reference: str = REFERENCE
    _detect: Mapping[str, frozenset[str]] = field(init=False, repr=False, compare=False)
    # Each distinct screen once (a translation may still borrow English's).
    _screens: tuple[SafetyScreen, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        words = {
            code: frozenset(_fold(word) for word in catalog.info.detect)
            for code, catalog in self.catalogs.items()
        }
        object.__setattr__(self, "_detect", words)
        screens = {id(c.safety): c.safety for c in self.catalogs.values()}
        object.__setattr__(self, "_screens", tuple(screens.values()))

    @classmethod
    def load(
        cls, content_dir: Path, rules: FlowRules, languages: tuple[str, ...] | None = None
    ) -> Locales:
        """Load every locale folder (or only `languages`) and check them against English;
        raise ContentError listing every problem of every language."""
        from bot.domain.crosscheck import cross_problems

        problems: list[ContentProblem] = []
        found = available(content_dir)
        if REFERENCE not in found:
            raise ContentError(
                [
                    ContentProblem(
                        content_dir / LOCALES_DIR / REFERENCE,
                        "the English reference locale is missing",
                    )
                ]
            )
        wanted = languages or found
        shared: Shared | None = None
        try:
            shared = Shared.load(content_dir)
        except ContentError as exc:
            problems.extend(exc.problems)
        catalogs: dict[str, Catalog] = {}
        for language in (REFERENCE, *(code for code in wanted if code != REFERENCE)):
            if shared is None:
                break
            try:
                catalogs[language] = Catalog.load(
                    content_dir, rules, language, shared=shared, fallback=catalogs.get(REFERENCE)
                )
            except ContentError as exc:
                problems.extend(exc.problems)
        for language in wanted:
            if language != REFERENCE:
                folder = locale_dir(content_dir, language)
                borrowed = tuple(p for p in BORROWABLE if not (folder / p).exists())
                problems.extend(
                    cross_problems(content_dir, REFERENCE, language, catalogs, borrowed)
                )
        if problems:
            raise ContentError(problems)
        return cls(catalogs)

    @classmethod
    def single(cls, catalog: Catalog) -> Locales:
        """One language only (tests and tools that load a catalog by hand)."""
        return cls({catalog.language: catalog}, reference=catalog.language)

    def borrowed(self) -> list[str]:
        """What each translation still borrows from English, for authors to read."""
        return [
            f"{code}: {part} is not translated yet, English's is used"
            for code, catalog in self.catalogs.items()
            for part in catalog.borrowed
        ]

    @property
    def languages(self) -> tuple[str, ...]:
        """The locale codes, the reference first."""
        return tuple(self.catalogs)

    @property
    def english(self) -> Catalog:
        """The reference catalog."""
        return self.catalogs[self.reference]

    def get(self, language: str | None) -> Catalog:
        """The catalog of a language, or the reference for an unknown or empty one."""
        return self.catalogs.get(language or "", self.catalogs[self.reference])

    def __iter__(self) -> Iterator[Catalog]:
        return iter(self.catalogs.values())

    def resolve(self, language_code: str | None) -> str:
        """The locale for a Telegram language_code, falling back to the reference."""
        return language_of(language_code, tuple(self.catalogs)) or self.reference

    def screen(self, text: str) -> Screening:
        """Screen a message in every language; the most serious verdict wins (at the same
        level self-harm before abuse, then the reference language's reading)."""
        best: Screening | None = None
        for screen in self._screens:
            found = screen.screen(text)
            if best is None or _rank(found) > _rank(best):
                best = found
        assert best is not None
        return best

    def intent(self, text: str) -> str | None:
        """A request for calm in any language ("I'm panicking", "me está dando pánico")."""
        for screen in self._screens:
            intent = screen.intent(text)
            if intent is not None:
                return intent
        return None

    def answer(self, text: str, first: SafetyScreen) -> Answer:
        """Read a typed reply to the check question in any language, `first` (the user's) first:
        the first language that reads it as "not_safe" or "safe" decides; else "unsure"."""
        for screen in (first, *self._screens):
            found = screen.answer(text)
            if found != "unsure":
                return found
        return "unsure"

    def detect(self, text: str) -> Detection:
        """Guess a text's language from each locale's common words (locale.yml `detect`);
        the reference language when nothing is recognised. No model, no download."""
        words = [_fold(word) for word in _WORD.findall(text)]
        if not words:
            return Detection(self.reference, 0.0)
        best = Detection(self.reference, 0.0)
        for code, known in self._detect.items():
            score = sum(1 for word in words if word in known) / len(words)
            if score > best.score:
                best = Detection(code, score)
        return best


def available(content_dir: Path) -> tuple[str, ...]:
    """The locale folders under content/locales/, sorted (English first)."""
    folder = content_dir / LOCALES_DIR
    if not folder.is_dir():
        return ()
    names = sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    return tuple(sorted(names, key=lambda name: name != REFERENCE))


def _rank(screening: Screening) -> tuple[int, int]:
    return LEVEL_RANK[screening.level], _KIND_RANK[screening.kind]
