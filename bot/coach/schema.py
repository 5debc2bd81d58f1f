"""The coach's content files as raw schemas, and how they are read and validated.

One strict pydantic model per file in `content/locales/<lang>/coach/`; `read`, `validate` and
`validate_codes` turn what YAML gives into checked models or ContentProblems with lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.content.errors import ContentError, ContentProblem
from bot.content.validation import validation_problems
from bot.content.yamlio import line_of, load_yaml

_M = TypeVar("_M", bound=BaseModel)
Phrase = Annotated[str, Field(min_length=1, max_length=300)]
Word = Annotated[str, Field(min_length=1, max_length=60)]
Text = Annotated[str, Field(min_length=1, max_length=1000)]


class Strict(BaseModel):
    """Base of every coach file schema: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class MatcherSpec(Strict):
    """Phrases to look for, and the phrases that cancel a match (see language.yml)."""

    patterns: list[Phrase] = Field(min_length=1)
    not_after: list[Phrase] = []
    unless_next: list[Phrase] = []
    unless_in_clause: list[Phrase] = []
    unless_in_sentence: list[Phrase] = []
    unless_question: bool = False


class DetectorSpec(MatcherSpec):
    """A matcher for one issue, with how far to widen the quote and an optional own tip."""

    extend: Literal["match", "clause", "sentence"] = "match"
    tip: Text | None = None


class LanguageFile(Strict):
    """content/locales/<lang>/coach/language.yml."""

    contractions: dict[str, list[Word]]
    shorthand: dict[str, list[Word]]
    typos: dict[str, list[Word]]
    clause_breaks: list[Word]
    negations: list[Word]
    lists: dict[str, list[Phrase]]
    fold: dict[
        Annotated[str, Field(min_length=1, max_length=1)], Annotated[str, Field(max_length=1)]
    ] = {}


class WordsFile(Strict):
    """content/locales/<lang>/coach/words.yml."""

    lists: dict[str, list[Phrase]]
    disjoint: list[Annotated[list[Word], Field(min_length=2, max_length=2)]] = []


class FeelingsFile(Strict):
    """content/locales/<lang>/coach/feelings.yml."""

    negated_form: Text
    pleasant: dict[str, list[Phrase]]
    unpleasant: dict[str, list[Phrase]]
    frames: list[MatcherSpec] = Field(min_length=1)


class FauxGroup(Strict):
    """Words that judge the other person, and the feelings that may sit underneath."""

    words: list[Phrase] = Field(min_length=1)
    deeper: list[Word] = Field(min_length=2, max_length=3)


class FauxFile(Strict):
    """content/locales/<lang>/coach/faux_feelings.yml."""

    faux: list[FauxGroup] = Field(min_length=1)
    negated: list[FauxGroup] = []


class IssueSpec(Strict):
    """The tip for one issue code and the detectors that find it."""

    tip: Text
    detectors: list[DetectorSpec] = []


class StrengthSpec(Strict):
    """The note for one strength and the detectors that find it."""

    note: Text
    detectors: list[MatcherSpec] = []


class FeedbackFile(Strict):
    """content/locales/<lang>/coach/feedback.yml."""

    issue_priority: list[str]
    strength_priority: list[str]
    ready: Text
    opening_with_strength: Text
    opening_without_strength: Text
    suggestion_quoted: Text
    suggestion_plain: Text
    rewrite: Text
    list_join: str
    list_join_last: str


class RewriteFile(Strict):
    """content/locales/<lang>/coach/rewrite.yml."""

    with_situation: Text
    without_situation: Text
    feel_present: Word
    feel_past: Word
    past_markers: list[Phrase]
    default_feeling: Word
    feeling_for_code: dict[str, Word]
    default_ask: Text
    ask_for_code: dict[str, Text]


class Problems:
    """Collects problems for one file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[ContentProblem] = []

    def add(
        self, message: str, *, line: int | None = None, where: str = "", hint: str = ""
    ) -> None:
        self.items.append(ContentProblem(self.path, message, line=line, where=where, hint=hint))


def read(path: Path, problems: list[ContentProblem]) -> Any:
    """Load one YAML file; on failure add its problems and return None."""
    try:
        return load_yaml(path)
    except ContentError as exc:
        problems.extend(exc.problems)
        return None


def get(node: Any, key: str | int) -> Any:
    """node[key], or None when it is not there."""
    try:
        return node[key]
    except (KeyError, IndexError, TypeError):
        return None


def validate(
    model: type[_M], raw: Any, path: Path, problems: list[ContentProblem], prefix: str = ""
) -> _M | None:
    """Validate raw with model; add a problem per error and return None on failure."""
    if raw is None and not path.exists():
        return None  # already reported by read
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems.extend(validation_problems(path, raw, exc, prefix=prefix))
        return None


def validate_codes(
    model: type[_M],
    raw: Any,
    path: Path,
    codes: Sequence[str],
    problems: list[ContentProblem],
    what: str,
) -> dict[str, _M] | None:
    """Validate a file keyed by code: each entry with model, every code present, none unknown."""
    if raw is None:
        if path.exists():
            problems.append(
                ContentProblem(path, "the file is empty", hint=f"add one entry per {what}")
            )
        return None
    if not isinstance(raw, dict):
        problems.append(ContentProblem(path, f"expected one entry per {what}: {', '.join(codes)}"))
        return None
    result: dict[str, _M] = {}
    for key, value in raw.items():
        if key not in codes:
            problems.append(
                ContentProblem(
                    path,
                    f"unknown {what} {key!r}",
                    line=line_of(value) or line_of(raw),
                    hint=f"use one of: {', '.join(codes)}",
                )
            )
            continue
        checked = validate(model, value, path, problems, prefix=f"{key}.")
        if checked is not None:
            result[key] = checked
    for code in codes:
        if code not in raw:
            problems.append(
                ContentProblem(path, f"missing {what} {code!r}", line=line_of(raw), hint="add it")
            )
    return result
