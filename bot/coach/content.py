"""Load, check and compile the coach's content (`content/coach/*.yml`) into ready matchers.

Each file is validated with a strict pydantic model, every phrase is compiled with the phrase
language in `patterns`, and the files are checked against each other (a faux feeling's deeper
words must be real feelings, every issue code needs a tip, templates may only use the
placeholders the code fills in). All problems are collected and raised together as one
ContentError, so an author fixes a file in one pass.
"""

from __future__ import annotations

import contextlib
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.coach.checks import list_problems
from bot.coach.patterns import (
    Alt,
    Option,
    Pattern,
    PatternError,
    PatternIndex,
    compile_pattern,
    list_item_words,
)
from bot.coach.results import CODES, STRENGTH_CODES
from bot.coach.tokens import Tokenizer
from bot.content.errors import ContentError, ContentProblem
from bot.content.html import html_problems
from bot.content.validation import validation_problems
from bot.content.yamlio import line_of, load_yaml

_M = TypeVar("_M", bound=BaseModel)

Phrase = Annotated[str, Field(min_length=1, max_length=300)]
Word = Annotated[str, Field(min_length=1, max_length=60)]
Text = Annotated[str, Field(min_length=1, max_length=1000)]

# Issues whose tip asks for the feeling anyway: when one is present, "no feeling" would repeat it.
FEELING_ISSUES = frozenset({"faux_feeling", "thought_as_feeling", "make_me_feel"})

# Placeholders each kind of text may use; the coach fills exactly these.
_TIP_FIELDS: Mapping[str, frozenset[str]] = {
    code: frozenset({"word", "alternatives"}) if code == "faux_feeling" else frozenset()
    for code in CODES
}
_NOTE_FIELDS: Mapping[str, frozenset[str]] = {
    "feeling": frozenset({"feeling"}),
    "situation": frozenset(),
    "need": frozenset(),
}
_FEEDBACK_FIELDS: Mapping[str, frozenset[str]] = {
    "ready": frozenset({"strength"}),
    "opening_with_strength": frozenset({"strength"}),
    "opening_without_strength": frozenset(),
    "suggestion_quoted": frozenset({"quote", "tip"}),
    "suggestion_plain": frozenset({"tip"}),
    "rewrite": frozenset({"rewrite"}),
}
_REWRITE_FIELDS = frozenset({"situation", "feel", "feeling", "ask"})
# A full stop, question or exclamation mark, then what may open a new sentence (see below).
_SENTENCE_BREAK = re.compile(r"[.!?]\s+(?:[¿¡]|[“\"‘'«]?[^\W\d_])")


def _new_sentence(text: str) -> bool:
    """Whether a second sentence starts: a capital, or an opening "¿" or "¡", after . ! or ?."""
    return any(
        m.group()[-1] in "¿¡" or m.group()[-1].isupper() for m in _SENTENCE_BREAK.finditer(text)
    )


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MatcherSpec(_Strict):
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


class LanguageFile(_Strict):
    """content/coach/language.yml."""

    contractions: dict[str, list[Word]]
    shorthand: dict[str, list[Word]]
    typos: dict[str, list[Word]]
    clause_breaks: list[Word]
    negations: list[Word]
    lists: dict[str, list[Phrase]]
    fold: dict[
        Annotated[str, Field(min_length=1, max_length=1)], Annotated[str, Field(max_length=1)]
    ] = {}


class WordsFile(_Strict):
    """content/coach/words.yml."""

    lists: dict[str, list[Phrase]]
    disjoint: list[Annotated[list[Word], Field(min_length=2, max_length=2)]] = []


class FeelingsFile(_Strict):
    """content/coach/feelings.yml."""

    negated_form: Text
    pleasant: dict[str, list[Phrase]]
    unpleasant: dict[str, list[Phrase]]
    frames: list[MatcherSpec] = Field(min_length=1)


class FauxGroup(_Strict):
    """Words that judge the other person, and the feelings that may sit underneath."""

    words: list[Phrase] = Field(min_length=1)
    deeper: list[Word] = Field(min_length=2, max_length=3)


class FauxFile(_Strict):
    """content/coach/faux_feelings.yml."""

    faux: list[FauxGroup] = Field(min_length=1)
    negated: list[FauxGroup] = []


class IssueSpec(_Strict):
    """The tip for one issue code and the detectors that find it."""

    tip: Text
    detectors: list[DetectorSpec] = []


class StrengthSpec(_Strict):
    """The note for one strength and the detectors that find it."""

    note: Text
    detectors: list[MatcherSpec] = []


class FeedbackFile(_Strict):
    """content/coach/feedback.yml."""

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


class RewriteFile(_Strict):
    """content/coach/rewrite.yml."""

    with_situation: Text
    without_situation: Text
    feel_present: Word
    feel_past: Word
    past_markers: list[Phrase]
    default_feeling: Word
    feeling_for_code: dict[str, Word]
    default_ask: Text
    ask_for_code: dict[str, Text]


@dataclass(frozen=True, slots=True)
class FauxEntry:
    """A faux feeling word with its deeper feelings; `negated` for "I don't feel heard"."""

    word: str
    deeper: tuple[str, ...]
    negated: bool


@dataclass(frozen=True, slots=True)
class Guards:
    """Compiled cancel-phrases of one rule (empty indexes when the rule has none)."""

    not_after: PatternIndex[int]
    unless_next: PatternIndex[int]
    unless_in_clause: PatternIndex[int]
    unless_in_sentence: PatternIndex[int]
    unless_question: bool = False


@dataclass(frozen=True, slots=True)
class Rule:
    """One compiled detector: an issue, a strength or a feeling frame."""

    kind: Literal["issue", "strength", "frame"]
    code: str
    extend: Literal["match", "clause", "sentence"]
    tip: str | None
    guards: Guards


@dataclass(frozen=True, slots=True)
class Templates:
    """The feedback message pieces (HTML) and the rewrite pieces (plain text)."""

    feedback: FeedbackFile
    rewrite: RewriteFile
    past_markers: PatternIndex[int]


@dataclass(frozen=True, slots=True)
class CoachContent:
    """Everything the coach needs, compiled and checked."""

    tokenizer: Tokenizer
    rules: tuple[Rule, ...]
    index: PatternIndex[int]
    tips: Mapping[str, str]
    notes: Mapping[str, str]
    faux: Mapping[Option, FauxEntry]
    feeling_words: frozenset[Option]
    negated_form: str
    negations: frozenset[str]
    templates: Templates


class _Problems:
    """Collects problems for one file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[ContentProblem] = []

    def add(
        self, message: str, *, line: int | None = None, where: str = "", hint: str = ""
    ) -> None:
        self.items.append(ContentProblem(self.path, message, line=line, where=where, hint=hint))


def load_coach_content(content_dir: Path) -> CoachContent:
    """Read content/coach/*.yml, check everything and compile it; raise ContentError."""
    folder = content_dir / "coach"
    problems: list[ContentProblem] = []
    raws: dict[str, Any] = {}
    for name in ("language", "words", "feelings", "faux_feelings", "issues", "strengths"):
        raws[name] = _read(folder / f"{name}.yml", problems)
    for name in ("feedback", "rewrite"):
        raws[name] = _read(folder / f"{name}.yml", problems)

    language = _validate(LanguageFile, raws["language"], folder / "language.yml", problems)
    words = _validate(WordsFile, raws["words"], folder / "words.yml", problems)
    feelings = _validate(FeelingsFile, raws["feelings"], folder / "feelings.yml", problems)
    faux = _validate(FauxFile, raws["faux_feelings"], folder / "faux_feelings.yml", problems)
    issues = _validate_codes(
        IssueSpec, raws["issues"], folder / "issues.yml", CODES, problems, "issue code"
    )
    strengths = _validate_codes(
        StrengthSpec, raws["strengths"], folder / "strengths.yml", STRENGTH_CODES, problems,
        "strength",
    )  # fmt: skip
    feedback = _validate(FeedbackFile, raws["feedback"], folder / "feedback.yml", problems)
    rewrite = _validate(RewriteFile, raws["rewrite"], folder / "rewrite.yml", problems)
    if language is None:
        raise ContentError(problems)  # nothing else can be compiled without the word forms

    tokenizer = _build_tokenizer(language, folder / "language.yml", raws["language"], problems)
    words_of = tokenizer.words
    named: dict[str, tuple[list[str], Path, str, int | None]] = {}
    _add_lists(named, language.lists, folder / "language.yml", raws["language"], problems)
    if words is not None:
        _add_lists(named, words.lists, folder / "words.yml", raws["words"], problems)
    feeling_words: set[Option] = set()
    faux_map: dict[Option, FauxEntry] = {}
    if feelings is not None:
        path = folder / "feelings.yml"
        pleasant = [w for group in feelings.pleasant.values() for w in group]
        unpleasant = [w for group in feelings.unpleasant.values() for w in group]
        for name, items in (
            ("pleasant_feeling", pleasant),
            ("unpleasant_feeling", unpleasant),
            ("feeling", pleasant + unpleasant),
        ):
            named[name] = (items, path, name, line_of(raws["feelings"]))
        for item in pleasant + unpleasant:
            with contextlib.suppress(PatternError):  # reported when the list is compiled
                feeling_words.add(list_item_words(item, words_of))
    if faux is not None:
        path = folder / "faux_feelings.yml"
        _check_faux(faux, feeling_words, words_of, path, raws["faux_feelings"], problems)
        for group, negated in [(g, False) for g in faux.faux] + [(g, True) for g in faux.negated]:
            for item in group.words:
                try:
                    key = list_item_words(item, words_of)
                except PatternError:
                    continue
                faux_map[key] = FauxEntry(" ".join(key), tuple(group.deeper), negated)
        named["faux"] = ([w for g in faux.faux for w in g.words], path, "faux", None)
        named["faux_negated"] = ([w for g in faux.negated for w in g.words], path, "negated", None)
    lists = _resolve_lists(named, words_of, problems)
    disjoint = words.disjoint if words is not None else []
    words_at = folder / "words.yml", line_of(raws["words"])
    problems.extend(list_problems(named, lists, disjoint, words_of, *words_at))

    rules: list[Rule] = []
    entries: list[tuple[int, Pattern]] = []

    def add_rule(
        spec: MatcherSpec,
        kind: Literal["issue", "strength", "frame"],
        code: str,
        path: Path,
        where: str,
        line: int | None,
    ) -> None:
        report = _Problems(path)
        not_after, unless_next, in_clause, in_sentence = (
            PatternIndex(
                (0, p)
                for p in _compile_all(getattr(spec, name), lists, words_of, report, where, line)
            )
            for name in ("not_after", "unless_next", "unless_in_clause", "unless_in_sentence")
        )
        guards = Guards(not_after, unless_next, in_clause, in_sentence, spec.unless_question)
        patterns = _compile_all(spec.patterns, lists, words_of, report, where, line)
        problems.extend(report.items)
        extend = spec.extend if isinstance(spec, DetectorSpec) else "match"
        tip = spec.tip if isinstance(spec, DetectorSpec) else None
        number = len(rules)
        rules.append(Rule(kind, code, extend, tip, guards))
        entries.extend((number, pattern) for pattern in patterns)

    if feelings is not None:
        _check_text(
            feelings.negated_form,
            frozenset({"feeling"}),
            folder / "feelings.yml",
            "negated_form",
            line_of(raws["feelings"]),
            problems,
        )
        raw_frames = _get(raws["feelings"], "frames")
        for n, frame in enumerate(feelings.frames):
            line = line_of(_get(raw_frames, n))
            add_rule(frame, "frame", "feeling", folder / "feelings.yml", f"frames[{n}]", line)
    tips: dict[str, str] = {}
    for code, spec in (issues or {}).items():
        tips[code] = spec.tip
        path, raw_code = folder / "issues.yml", _get(raws["issues"], code)
        _check_text(
            spec.tip,
            _TIP_FIELDS[code],
            path,
            f"{code}.tip",
            line_of(raw_code),
            problems,
            one_sentence=True,
        )
        if code == "no_feeling" and spec.detectors:
            problems.append(
                ContentProblem(
                    path,
                    "no_feeling is decided by the coach (no feeling word found)",
                    line=line_of(raw_code),
                    where="no_feeling.detectors",
                    hint="remove its detectors; add feeling words to feelings.yml instead",
                )
            )
            continue
        raw_detectors = _get(raw_code, "detectors")
        for n, detector in enumerate(spec.detectors):
            where, line = f"{code}.detectors[{n}]", line_of(_get(raw_detectors, n))
            if detector.tip is not None:
                _check_text(
                    detector.tip, _TIP_FIELDS[code], path, where, line, problems, one_sentence=True
                )
            add_rule(detector, "issue", code, path, where, line)
    notes: dict[str, str] = {}
    for code, strength in (strengths or {}).items():
        notes[code] = strength.note
        path, raw_code = folder / "strengths.yml", _get(raws["strengths"], code)
        _check_text(
            strength.note,
            _NOTE_FIELDS[code],
            path,
            code,
            line_of(raw_code),
            problems,
            one_sentence=True,
        )
        raw_detectors = _get(raw_code, "detectors")
        if code == "feeling" and strength.detectors:
            problems.append(
                ContentProblem(
                    path,
                    "the feeling strength is found with the frames in feelings.yml",
                    line=line_of(raw_code),
                    where="feeling.detectors",
                    hint="move these phrases to feelings.yml under frames",
                )
            )
            continue
        for n, matcher in enumerate(strength.detectors):
            where, line = f"{code}.detectors[{n}]", line_of(_get(raw_detectors, n))
            add_rule(matcher, "strength", code, path, where, line)

    past_markers: PatternIndex[int] = PatternIndex(())
    if feedback is not None:
        _check_feedback(feedback, folder / "feedback.yml", raws["feedback"], problems)
    if rewrite is not None:
        report = _Problems(folder / "rewrite.yml")
        _check_rewrite(rewrite, feeling_words, words_of, report, raws["rewrite"])
        past_markers = PatternIndex(
            (0, p)
            for p in _compile_all(
                rewrite.past_markers, lists, words_of, report, "past_markers", None
            )
        )
        problems.extend(report.items)
    if problems:
        raise ContentError(problems)
    # Every file either validated or added a problem, so these are set here.
    assert feedback is not None
    assert rewrite is not None
    return CoachContent(
        tokenizer=tokenizer,
        rules=tuple(rules),
        index=PatternIndex(entries),
        tips=tips,
        notes=notes,
        faux=faux_map,
        feeling_words=frozenset(feeling_words),
        negated_form=feelings.negated_form if feelings is not None else "{feeling}",
        negations=frozenset(w for item in language.negations for w in words_of(item)),
        templates=Templates(feedback, rewrite, past_markers),
    )


def _read(path: Path, problems: list[ContentProblem]) -> Any:
    try:
        return load_yaml(path)
    except ContentError as exc:
        problems.extend(exc.problems)
        return None


def _get(node: Any, key: str | int) -> Any:
    try:
        return node[key]
    except (KeyError, IndexError, TypeError):
        return None


def _validate(
    model: type[_M], raw: Any, path: Path, problems: list[ContentProblem], prefix: str = ""
) -> _M | None:
    if raw is None and not path.exists():
        return None  # already reported by _read
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems.extend(validation_problems(path, raw, exc, prefix=prefix))
        return None


def _validate_codes(
    model: type[_M],
    raw: Any,
    path: Path,
    codes: Sequence[str],
    problems: list[ContentProblem],
    what: str,
) -> dict[str, _M] | None:
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
        checked = _validate(model, value, path, problems, prefix=f"{key}.")
        if checked is not None:
            result[key] = checked
    for code in codes:
        if code not in raw:
            problems.append(
                ContentProblem(path, f"missing {what} {code!r}", line=line_of(raw), hint="add it")
            )
    return result


def _build_tokenizer(
    language: LanguageFile, path: Path, raw: Any, problems: list[ContentProblem]
) -> Tokenizer:
    variants: dict[str, tuple[str, ...]] = {}
    plain = Tokenizer({}, frozenset(), language.fold)
    fold = str.maketrans(language.fold)
    for section in ("contractions", "shorthand", "typos"):
        table: dict[str, list[str]] = getattr(language, section)
        line = line_of(_get(raw, section))
        for canonical, forms in table.items():
            target = plain.words(canonical)
            if not target:
                problems.append(
                    ContentProblem(path, "no word to expand to", line=line, where=section)
                )
                continue
            for form in forms:
                key = form.lower().replace("’", "'").translate(fold)
                if len(plain.words(key)) != 1 or " " in key:
                    problems.append(
                        ContentProblem(
                            path,
                            f"{form!r} must be a single word (it is what a user types)",
                            line=line,
                            where=f"{section}.{canonical}",
                        )
                    )
                elif key in variants and variants[key] != target:
                    problems.append(
                        ContentProblem(
                            path,
                            f"{form!r} is listed for both {' '.join(variants[key])!r} "
                            f"and {canonical!r}",
                            line=line,
                            where=f"{section}.{canonical}",
                            hint="keep it under one of them",
                        )
                    )
                else:
                    variants[key] = target
    breaks = frozenset(w for item in language.clause_breaks for w in plain.words(item))
    return Tokenizer(variants, breaks, language.fold)


def _add_lists(
    named: dict[str, tuple[list[str], Path, str, int | None]],
    lists: Mapping[str, list[str]],
    path: Path,
    raw: Any,
    problems: list[ContentProblem],
) -> None:
    raw_lists = _get(raw, "lists")
    for name, items in lists.items():
        if name in named:
            problems.append(
                ContentProblem(
                    path,
                    f"the list {name!r} is already defined in {named[name][1].name}",
                    line=line_of(raw_lists),
                    where=f"lists.{name}",
                    hint="give it another name or merge the two",
                )
            )
            continue
        named[name] = (items, path, f"lists.{name}", line_of(raw_lists))


def _resolve_lists(
    named: Mapping[str, tuple[list[str], Path, str, int | None]],
    words_of: Any,
    problems: list[ContentProblem],
) -> dict[str, Alt]:
    """Expand `{other}` entries and compile every named list; report unknown names and loops."""
    resolved: dict[str, list[Option]] = {}

    def resolve(name: str, trail: tuple[str, ...]) -> list[Option]:
        if name in resolved:
            return resolved[name]
        items, path, where, line = named[name]
        options: list[Option] = []
        seen: set[Option] = set()
        for item in items:
            text = item.strip()
            if text.startswith("{") and text.endswith("}"):
                other = text[1:-1]
                if other not in named:
                    problems.append(
                        ContentProblem(path, f"unknown list {text}", line=line, where=where)
                    )
                    continue
                if other in trail:
                    problems.append(
                        ContentProblem(
                            path,
                            f"lists include each other in a loop: {' -> '.join((*trail, other))}",
                            line=line,
                            where=where,
                        )
                    )
                    continue
                options.extend(resolve(other, (*trail, other)))
                continue
            try:
                option = list_item_words(text, words_of)
            except PatternError as exc:
                problems.append(ContentProblem(path, f"{item!r}: {exc}", line=line, where=where))
                continue
            if option in seen:
                problems.append(
                    ContentProblem(
                        path,
                        f"{item!r} is listed twice",
                        line=line,
                        where=where,
                        hint="remove one (spelling variants are handled in language.yml)",
                    )
                )
            seen.add(option)
            options.append(option)
        resolved[name] = options
        return options

    alts: dict[str, Alt] = {}
    for name in named:
        options = resolve(name, (name,))
        if not options:
            _, path, where, line = named[name]
            problems.append(ContentProblem(path, "the list is empty", line=line, where=where))
            continue
        alts[name] = Alt.of(options)
    return alts


def _compile_all(
    phrases: Sequence[str],
    lists: Mapping[str, Alt],
    words_of: Any,
    report: _Problems,
    where: str,
    line: int | None,
) -> list[Pattern]:
    compiled: list[Pattern] = []
    for phrase in phrases:
        try:
            compiled.append(compile_pattern(phrase, lists, words_of))
        except PatternError as exc:
            report.add(
                f"phrase {phrase!r}: {exc}",
                line=line,
                where=where,
                hint="see the phrase syntax at the top of language.yml",
            )
    return compiled


def _check_text(
    text: str,
    allowed: frozenset[str],
    path: Path,
    where: str,
    line: int | None,
    problems: list[ContentProblem],
    *,
    plain: bool = False,
    one_sentence: bool = False,
) -> None:
    if one_sentence and _new_sentence(text.strip()):
        problems.append(
            ContentProblem(
                path,
                "a tip or note is one sentence; this one has more",
                line=line,
                where=where,
                hint="join the sentences with ';' or keep the most useful one",
            )
        )
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        problems.append(
            ContentProblem(
                path,
                f"broken {{placeholder}}: {exc}",
                line=line,
                where=where,
                hint="write a literal brace as {{ or }}",
            )
        )
        return
    unknown = sorted(fields - allowed)
    if unknown:
        usable = ", ".join(f"{{{f}}}" for f in sorted(allowed)) or "none"
        problems.append(
            ContentProblem(
                path,
                f"unknown placeholder(s) {', '.join(f'{{{u}}}' for u in unknown)}",
                line=line,
                where=where,
                hint=f"placeholders available here: {usable}",
            )
        )
    if plain:
        if "<" in text or "&" in text:
            problems.append(
                ContentProblem(
                    path,
                    "this text is sent as plain words inside the message; it cannot hold HTML",
                    line=line,
                    where=where,
                    hint="remove tags and write 'and' instead of '&'",
                )
            )
        return
    for problem in html_problems(text):
        problems.append(ContentProblem(path, problem, line=line, where=where))


def _check_faux(
    faux: FauxFile,
    feelings: set[Option],
    words_of: Any,
    path: Path,
    raw: Any,
    problems: list[ContentProblem],
) -> None:
    for section, groups in (("faux", faux.faux), ("negated", faux.negated)):
        raw_groups = _get(raw, section)
        for n, group in enumerate(groups):
            line = line_of(_get(raw_groups, n))
            for word in group.deeper:
                if words_of(word) not in feelings:
                    problems.append(
                        ContentProblem(
                            path,
                            f"deeper feeling {word!r} is not in feelings.yml",
                            line=line,
                            where=f"{section}[{n}].deeper",
                            hint="add it to feelings.yml or pick a listed feeling",
                        )
                    )
            if section == "faux":
                for word in group.words:
                    if words_of(word) in feelings:
                        problems.append(
                            ContentProblem(
                                path,
                                f"{word!r} is both a faux feeling and a feeling in feelings.yml",
                                line=line,
                                where=f"{section}[{n}].words",
                                hint="keep it in one place",
                            )
                        )


def _check_feedback(
    feedback: FeedbackFile, path: Path, raw: Any, problems: list[ContentProblem]
) -> None:
    for key, allowed in _FEEDBACK_FIELDS.items():
        text = getattr(feedback, key)
        _check_text(text, allowed, path, key, line_of(raw), problems)
    for key, expected in (("issue_priority", CODES), ("strength_priority", STRENGTH_CODES)):
        listed: list[str] = getattr(feedback, key)
        if sorted(listed) != sorted(expected):
            problems.append(
                ContentProblem(
                    path,
                    f"{key} must list each of these exactly once: {', '.join(expected)}",
                    line=line_of(raw),
                    where=key,
                )
            )


def _check_rewrite(
    rewrite: RewriteFile,
    feelings: set[Option],
    words_of: Any,
    report: _Problems,
    raw: Any,
) -> None:
    line = line_of(raw)
    checks: list[tuple[str, str, frozenset[str]]] = [
        ("with_situation", rewrite.with_situation, _REWRITE_FIELDS),
        ("without_situation", rewrite.without_situation, _REWRITE_FIELDS - {"situation"}),
        ("default_ask", rewrite.default_ask, frozenset()),
    ]
    checks += [(f"ask_for_code.{c}", t, frozenset()) for c, t in rewrite.ask_for_code.items()]
    for where, text, allowed in checks:
        _check_text(text, allowed, report.path, where, line, report.items, plain=True)
    for section in ("feeling_for_code", "ask_for_code"):
        for code in getattr(rewrite, section):
            if code not in CODES:
                report.add(
                    f"unknown issue code {code!r}",
                    line=line,
                    where=section,
                    hint=f"use one of: {', '.join(CODES)}",
                )
    for where, word in [("default_feeling", rewrite.default_feeling)] + [
        (f"feeling_for_code.{c}", w) for c, w in rewrite.feeling_for_code.items()
    ]:
        if words_of(word) not in feelings:
            report.add(
                f"{word!r} is not in feelings.yml",
                line=line,
                where=where,
                hint="pick a listed feeling",
            )
