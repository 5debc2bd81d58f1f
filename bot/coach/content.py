"""Load, check and compile the coach's content (a locale's `coach/*.yml`) into matchers.

Each file is validated with a strict pydantic model, every phrase is compiled with the phrase
language in `patterns`, and the files are checked against each other (a faux feeling's deeper
words must be real feelings, every issue code needs a tip, templates may only use the
placeholders the code fills in). All problems are collected and raised together as one
ContentError, so an author fixes a file in one pass.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from bot.coach.build import add_lists, build_tokenizer, compile_all, resolve_lists
from bot.coach.checks import check_faux, check_feedback, check_rewrite, check_text, list_problems
from bot.coach.patterns import (
    Option,
    Pattern,
    PatternError,
    PatternIndex,
    list_item_words,
)
from bot.coach.results import CODES, STRENGTH_CODES
from bot.coach.schema import (
    DetectorSpec,
    FauxFile,
    FeedbackFile,
    FeelingsFile,
    IssueSpec,
    LanguageFile,
    MatcherSpec,
    Problems,
    RewriteFile,
    StrengthSpec,
    WordsFile,
    get,
    read,
    validate,
    validate_codes,
)
from bot.coach.tokens import Tokenizer
from bot.content.errors import ContentError, ContentProblem
from bot.content.yamlio import line_of

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


def load_coach_content(content_dir: Path) -> CoachContent:
    """Read a locale's coach/*.yml, check everything and compile it; raise ContentError."""
    folder = content_dir / "coach"
    problems: list[ContentProblem] = []
    raws: dict[str, Any] = {}
    for name in ("language", "words", "feelings", "faux_feelings", "issues", "strengths"):
        raws[name] = read(folder / f"{name}.yml", problems)
    for name in ("feedback", "rewrite"):
        raws[name] = read(folder / f"{name}.yml", problems)

    language = validate(LanguageFile, raws["language"], folder / "language.yml", problems)
    words = validate(WordsFile, raws["words"], folder / "words.yml", problems)
    feelings = validate(FeelingsFile, raws["feelings"], folder / "feelings.yml", problems)
    faux = validate(FauxFile, raws["faux_feelings"], folder / "faux_feelings.yml", problems)
    issues = validate_codes(
        IssueSpec, raws["issues"], folder / "issues.yml", CODES, problems, "issue code"
    )
    strengths = validate_codes(
        StrengthSpec, raws["strengths"], folder / "strengths.yml", STRENGTH_CODES, problems,
        "strength",
    )  # fmt: skip
    feedback = validate(FeedbackFile, raws["feedback"], folder / "feedback.yml", problems)
    rewrite = validate(RewriteFile, raws["rewrite"], folder / "rewrite.yml", problems)
    if language is None:
        raise ContentError(problems)  # nothing else can be compiled without the word forms

    tokenizer = build_tokenizer(language, folder / "language.yml", raws["language"], problems)
    words_of = tokenizer.words
    named: dict[str, tuple[list[str], Path, str, int | None]] = {}
    add_lists(named, language.lists, folder / "language.yml", raws["language"], problems)
    if words is not None:
        add_lists(named, words.lists, folder / "words.yml", raws["words"], problems)
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
        check_faux(faux, feeling_words, words_of, path, raws["faux_feelings"], problems)
        for group, negated in [(g, False) for g in faux.faux] + [(g, True) for g in faux.negated]:
            for item in group.words:
                try:
                    key = list_item_words(item, words_of)
                except PatternError:
                    continue
                faux_map[key] = FauxEntry(" ".join(key), tuple(group.deeper), negated)
        named["faux"] = ([w for g in faux.faux for w in g.words], path, "faux", None)
        named["faux_negated"] = ([w for g in faux.negated for w in g.words], path, "negated", None)
    lists = resolve_lists(named, words_of, problems)
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
        report = Problems(path)
        not_after, unless_next, in_clause, in_sentence = (
            PatternIndex(
                (0, p)
                for p in compile_all(getattr(spec, name), lists, words_of, report, where, line)
            )
            for name in ("not_after", "unless_next", "unless_in_clause", "unless_in_sentence")
        )
        guards = Guards(not_after, unless_next, in_clause, in_sentence, spec.unless_question)
        patterns = compile_all(spec.patterns, lists, words_of, report, where, line)
        problems.extend(report.items)
        extend = spec.extend if isinstance(spec, DetectorSpec) else "match"
        tip = spec.tip if isinstance(spec, DetectorSpec) else None
        number = len(rules)
        rules.append(Rule(kind, code, extend, tip, guards))
        entries.extend((number, pattern) for pattern in patterns)

    if feelings is not None:
        check_text(
            feelings.negated_form,
            frozenset({"feeling"}),
            folder / "feelings.yml",
            "negated_form",
            line_of(raws["feelings"]),
            problems,
        )
        raw_frames = get(raws["feelings"], "frames")
        for n, frame in enumerate(feelings.frames):
            line = line_of(get(raw_frames, n))
            add_rule(frame, "frame", "feeling", folder / "feelings.yml", f"frames[{n}]", line)
    tips: dict[str, str] = {}
    for code, spec in (issues or {}).items():
        tips[code] = spec.tip
        path, raw_code = folder / "issues.yml", get(raws["issues"], code)
        check_text(
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
        raw_detectors = get(raw_code, "detectors")
        for n, detector in enumerate(spec.detectors):
            where, line = f"{code}.detectors[{n}]", line_of(get(raw_detectors, n))
            if detector.tip is not None:
                check_text(
                    detector.tip, _TIP_FIELDS[code], path, where, line, problems, one_sentence=True
                )
            add_rule(detector, "issue", code, path, where, line)
    notes: dict[str, str] = {}
    for code, strength in (strengths or {}).items():
        notes[code] = strength.note
        path, raw_code = folder / "strengths.yml", get(raws["strengths"], code)
        check_text(
            strength.note,
            _NOTE_FIELDS[code],
            path,
            code,
            line_of(raw_code),
            problems,
            one_sentence=True,
        )
        raw_detectors = get(raw_code, "detectors")
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
            where, line = f"{code}.detectors[{n}]", line_of(get(raw_detectors, n))
            add_rule(matcher, "strength", code, path, where, line)

    past_markers: PatternIndex[int] = PatternIndex(())
    if feedback is not None:
        check_feedback(feedback, folder / "feedback.yml", raws["feedback"], problems)
    if rewrite is not None:
        report = Problems(folder / "rewrite.yml")
        check_rewrite(rewrite, feeling_words, words_of, report, raws["rewrite"])
        past_markers = PatternIndex(
            (0, p)
            for p in compile_all(
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
