"""Load a locale's safety/screen.yml and intents.yml and compile them into ready matchers.

The YAML holds the reviewed word lists (what to detect, which idioms to let pass, how negation
works). The screen is organised like a clinical screener: a list of categories (wish to be
dead, burden, preparation, strangulation, coercive control, ...), each with its kind, its level
and its phrases. This module validates the file with pydantic, compiles every phrase with
`phrases.py` and sorts the phrases into four matchers (`matcher.py`): explicit crisis phrases,
other crisis phrases, check phrases and intents; the guards share one more. Negations, past
markers and the answers to the check question become plain regexes, used only around a
match or on a short reply. Every problem
is collected with its line, then raised together.

Any screen file can be loaded (`load_lexicon(content_dir, screen_path)`): everything that
depends on the language, negation words, contractions and text rules included, is in the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.content.errors import ContentError, ContentProblem
from bot.content.validation import line_at, validate
from bot.content.yamlio import line_of, load_yaml
from bot.safety.matcher import Matcher, MultiMatcher
from bot.safety.normalize import Normalizer, TextRules
from bot.safety.phrases import (
    Compiled,
    PhraseContext,
    PhraseError,
    compile_phrase,
    compile_slot,
)

Kind = Literal["self_harm", "abuse"]
Answer = Literal["safe", "not_safe", "unsure"]
LEVEL_RANK: Mapping[str, int] = {"none": 0, "check": 1, "crisis": 2}

SCREEN_FILE = "screen.yml"
_SINGLE_WORD = re.compile(r"^[^\W_]+$")
INTENTS_FILE = "intents.yml"
# The order in which the answer lists are tried: a hint of danger beats a reassurance.
ANSWER_ORDER: tuple[Answer, ...] = ("not_safe", "unsure", "safe")

_Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,40}$")]
_Phrases = Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]
_Words = Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NegationModel(_Strict):
    """What cancels a phrase right before it (negations) and what demotes it (past, near)."""

    phrases: _Phrases
    fillers: list[str] = []
    max_fillers: Annotated[int, Field(ge=0, le=6)] = 3
    past: list[str] = []
    past_cap: Literal["none", "check"] = "check"
    past_cap_if_resolved: Literal["none", "check"] = "none"
    attempt: list[str] = []


class TextModel(_Strict):
    """How messages in this file's language are flattened (see normalize.TextRules)."""

    apostrophes: Literal["join", "split"] = "join"
    squeeze_repeats: bool = True
    fold_accents: bool = True


class CategoryModel(_Strict):
    """One category of warning sign: its kind, its level and the phrases that show it."""

    id: _Id
    kind: Kind
    level: Literal["crisis", "check"]
    note: str | None = None
    explicit: _Phrases | None = None
    phrases: _Phrases | None = None
    examples: list[str] = []


class GuardModel(_Strict):
    """Phrases that lower the level of the non-explicit triggers they touch."""

    id: _Id
    scope: Literal["overlap", "sentence"] = "overlap"
    cap: Literal["none", "check"] = "none"
    cap_if_resolved: Literal["none", "check"] | None = None
    kind: Kind | None = None
    categories: list[_Id] | None = None
    note: str | None = None
    phrases: _Phrases


class AnswersModel(_Strict):
    """How a typed reply to the check question is read (not_safe, then unsure, then safe)."""

    note: str | None = None
    not_safe: _Phrases
    unsure: _Phrases
    safe: _Phrases


class ScreenFile(_Strict):
    """The whole of screen.yml."""

    version: Literal[2]
    language: Annotated[str, Field(pattern=r"^[a-z]{2}$")] = "en"
    text: TextModel = TextModel()
    gap_words: Annotated[int, Field(ge=1, le=5)] = 3
    negation: NegationModel
    slots: dict[_Id, _Phrases] = {}
    categories: Annotated[list[CategoryModel], Field(min_length=1)]
    guards: list[GuardModel] = []
    resolved: list[str] = []
    answers: AnswersModel


class IntentRuleModel(_Strict):
    """A group of phrases that ask for one intent."""

    id: _Id
    intent: Literal["grounding", "hold"]
    note: str | None = None
    phrases: _Phrases
    examples: list[str] = []


class IntentGuardModel(_Strict):
    """Phrases that cancel an intent match they overlap."""

    id: _Id
    note: str | None = None
    phrases: _Phrases


class IntentsFile(_Strict):
    """The whole of intents.yml."""

    version: Literal[1]
    slots: dict[_Id, _Phrases] = {}
    rules: Annotated[list[IntentRuleModel], Field(min_length=1)]
    guards: list[IntentGuardModel] = []


@dataclass(frozen=True, slots=True)
class Category:
    """A category of warning sign, as the screen reports it."""

    id: str
    kind: Kind
    level: Literal["crisis", "check"]
    examples: tuple[str, ...]
    line: int | None


@dataclass(frozen=True, slots=True)
class Rule:
    """The explicit or the guarded phrases of one category (the phrases live in a matcher)."""

    id: str  # the category's id
    level: Literal["crisis", "check"]
    kind: Kind
    explicit: bool
    line: int | None


@dataclass(frozen=True, slots=True)
class Guard:
    """A compiled guard (its phrases live in Lexicon.guard_matcher, at `index`)."""

    id: str
    scope: Literal["overlap", "sentence"]
    cap: Literal["none", "check"]
    cap_if_resolved: Literal["none", "check"] | None
    categories: frozenset[str] | None = None  # None: it guards every category
    index: int = 0  # its place in Lexicon.guards (and in the guard matcher)


@dataclass(frozen=True, slots=True)
class Pair:
    """`A && B`: the rule counts A when B is somewhere in the same sentence too."""

    rule: Rule
    also: tuple[re.Pattern[str], ...]


@dataclass(frozen=True, slots=True)
class IntentRule:
    """A compiled intent rule."""

    id: str
    intent: str
    examples: tuple[str, ...]
    line: int | None


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A matcher and the rules its `Found.rule` numbers refer to."""

    matcher: Matcher
    rules: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Everything the screen needs, compiled."""

    language: str
    text: Normalizer
    categories: tuple[Category, ...]
    explicit: RuleSet
    crisis: RuleSet
    check: RuleSet
    guards: tuple[Guard, ...]
    guards_for: Mapping[str, tuple[Guard, ...]]  # category id -> the guards that apply to it
    guard_matcher: MultiMatcher  # list n holds the phrases of guards[n]
    pairs: tuple[Pair, ...]
    pair_matcher: MultiMatcher  # list n holds the first phrase of pairs[n]
    resolved: re.Pattern[str] | None
    negation: re.Pattern[str] | None
    past: re.Pattern[str] | None
    past_cap: Literal["none", "check"]
    past_cap_if_resolved: Literal["none", "check"]
    attempt: re.Pattern[str] | None
    intents: Matcher
    intent_rules: tuple[IntentRule, ...]
    intent_guards: re.Pattern[str] | None
    answers: tuple[tuple[Answer, re.Pattern[str]], ...]


class _Compiler:
    """Compile phrases while collecting problems with their file, line and place."""

    def __init__(self, path: Path, context: PhraseContext) -> None:
        self.path = path
        self.context = context
        self.problems: list[ContentProblem] = []
        self.seen: dict[str, str] = {}

    def phrases(
        self,
        phrases: list[str],
        where: str,
        line: int | None,
        *,
        track: bool = True,
        pairs: bool = False,
    ) -> list[Compiled]:
        compiled: list[Compiled] = []
        for number, phrase in enumerate(phrases, start=1):
            try:
                part = compile_phrase(phrase, self.context)
                if part.also and not pairs:
                    raise PhraseError("'&&' is only for the phrases of a category")
            except PhraseError as exc:
                self.problems.append(
                    ContentProblem(
                        self.path,
                        f"phrase {number} '{phrase}': {exc}",
                        line=line,
                        where=where,
                        hint="see the phrase language at the top of the file",
                    )
                )
                continue
            if track and part.key in self.seen:
                self.problems.append(
                    ContentProblem(
                        self.path,
                        f"phrase '{phrase}' is also in {self.seen[part.key]}",
                        line=line,
                        where=where,
                        hint="keep each phrase in one place",
                    )
                )
            if track:
                self.seen[part.key] = where
            compiled.append(part)
        return compiled

    def slots(self, slots: Mapping[str, list[str]], raw: Any) -> dict[str, Compiled]:
        result: dict[str, Compiled] = {}
        for name, alternatives in slots.items():
            try:
                result[name] = compile_slot(alternatives, self.context)
            except PhraseError as exc:
                line = line_at(raw, ("slots",))
                self.problems.append(
                    ContentProblem(self.path, str(exc), line=line, where=f"slots.{name}")
                )
        return result


def _group(parts: list[Compiled]) -> str:
    return "(?:" + "|".join(part.regex for part in parts) + ")"


def _plain(parts: list[Compiled]) -> re.Pattern[str] | None:
    """Join phrases into one regex that only matches whole words (for guards)."""
    return re.compile(f"{_group(parts)}(?= )") if parts else None


def _prefix(parts: list[Compiled], fillers: list[Compiled], most: int) -> re.Pattern[str] | None:
    """Match a negation (or past marker) and up to `most` fillers at the very end."""
    if not parts:
        return None
    between = f"(?:{_group(fillers)}){{0,{most}}}" if fillers else ""
    return re.compile(f"{_group(parts)}{between} $")


def _raw_list(raw: Any, key: str) -> list[Any]:
    value = raw.get(key) if isinstance(raw, dict) else None
    return value if isinstance(value, list) else []


def load_lexicon(content_dir: Path, screen_path: Path | None = None) -> Lexicon:
    """Load, validate and compile a screen file (the locale's safety/screen.yml unless another is
    given, such as a translation) and intents.yml; raise ContentError on problems."""
    screen_path = screen_path or content_dir / "safety" / SCREEN_FILE
    intents_path = content_dir / "safety" / INTENTS_FILE
    screen_raw = load_yaml(screen_path)
    intents_raw = load_yaml(intents_path)
    problems: list[ContentProblem] = []
    screen_file: ScreenFile | None = None
    intents_file: IntentsFile | None = None
    try:
        screen_file = validate(ScreenFile, screen_raw, screen_path)
    except ContentError as exc:
        problems.extend(exc.problems)
    try:
        intents_file = validate(IntentsFile, intents_raw, intents_path)
    except ContentError as exc:
        problems.extend(exc.problems)
    if screen_file is None or intents_file is None:
        raise ContentError(problems)

    text = Normalizer(TextRules(**screen_file.text.model_dump()))
    negation = screen_file.negation
    # A gap in a phrase must not swallow a negation ("he never hit me"): single words only.
    negators = tuple(
        sorted({text.key(p) for p in negation.phrases if _SINGLE_WORD.match(text.key(p))})
    )
    compiler = _Compiler(screen_path, PhraseContext({}, screen_file.gap_words, negators, text))
    negation_line = line_at(screen_raw, ("negation",))

    def prefix(phrases: list[str], where: str) -> re.Pattern[str] | None:
        fillers = compiler.phrases(
            negation.fillers, "negation.fillers", negation_line, track=False
        )
        parts = compiler.phrases(phrases, where, negation_line, track=False)
        return _prefix(parts, fillers, negation.max_fillers)

    negation_re = prefix(negation.phrases, "negation.phrases")
    past_re = prefix(negation.past, "negation.past")
    attempt_re = prefix(negation.attempt, "negation.attempt")
    slots = compiler.slots(screen_file.slots, screen_raw)
    compiler.context = PhraseContext(slots, screen_file.gap_words, negators, text)

    pairs: list[tuple[Rule, Compiled]] = []  # `A && B` phrases, found by their own matcher
    buckets: dict[str, list[tuple[Rule, list[Compiled]]]] = {
        "explicit": [],
        "crisis": [],
        "check": [],
    }
    ids: set[str] = set()
    categories: list[Category] = []
    raw_categories = _raw_list(screen_raw, "categories")
    for index, model in enumerate(screen_file.categories):
        where = f"categories[{index}] ({model.id})"
        line = line_of(raw_categories[index]) if index < len(raw_categories) else None
        if model.id in ids:
            problems.append(
                ContentProblem(screen_path, "duplicate category id", line=line, where=where)
            )
        ids.add(model.id)
        if model.explicit is None and model.phrases is None:
            problems.append(
                ContentProblem(
                    screen_path,
                    "the category has no phrases",
                    line=line,
                    where=where,
                    hint="add `phrases:` (or `explicit:` for a crisis category)",
                )
            )
        if model.explicit is not None and model.level != "crisis":
            problems.append(
                ContentProblem(
                    screen_path,
                    "only crisis categories can have explicit phrases",
                    line=line,
                    where=where,
                    hint="set level: crisis or move the phrases to `phrases:`",
                )
            )
        categories.append(Category(model.id, model.kind, model.level, tuple(model.examples), line))
        for explicit, phrases in ((True, model.explicit), (False, model.phrases)):
            if phrases is None:
                continue
            rule = Rule(model.id, model.level, model.kind, explicit, line)
            bucket = "explicit" if explicit else model.level
            part = f"{where}.{'explicit' if explicit else 'phrases'}"
            found = compiler.phrases(phrases, part, line, pairs=not explicit)
            buckets[bucket].append((rule, [c for c in found if not c.also]))
            pairs.extend((rule, c) for c in found if c.also)

    category_ids = [category.id for category in categories]
    guards: list[Guard] = []
    guard_phrases: list[list[Compiled]] = []
    raw_guards = _raw_list(screen_raw, "guards")
    for index, guard in enumerate(screen_file.guards):
        line = line_of(raw_guards[index]) if index < len(raw_guards) else None
        where = f"guards[{index}] ({guard.id})"
        if guard.id in ids:
            problems.append(ContentProblem(screen_path, "duplicate id", line=line, where=where))
        ids.add(guard.id)
        for name in guard.categories or ():
            if name not in category_ids:
                close = get_close_matches(name, category_ids, n=1)
                problems.append(
                    ContentProblem(
                        screen_path,
                        f"unknown category '{name}'",
                        line=line,
                        where=where,
                        hint=f"did you mean '{close[0]}'?" if close else "list a category id",
                    )
                )
        compiled = compiler.phrases(guard.phrases, where, line)
        if compiled:
            guard_phrases.append(compiled)
            # The categories it guards: those listed, narrowed to one kind when it names one.
            scope: frozenset[str] | None = None
            if guard.categories is not None or guard.kind is not None:
                scope = frozenset(
                    c.id
                    for c in categories
                    if (guard.categories is None or c.id in guard.categories)
                    and (guard.kind is None or c.kind == guard.kind)
                )
            guards.append(
                Guard(
                    guard.id,
                    guard.scope,
                    guard.cap,
                    guard.cap_if_resolved,
                    scope,
                    len(guards),
                )
            )
    resolved = _plain(
        compiler.phrases(screen_file.resolved, "resolved", line_at(screen_raw, ("resolved",)))
    )
    answers: list[tuple[Answer, re.Pattern[str]]] = []
    answers_line = line_at(screen_raw, ("answers",))
    for answer in ANSWER_ORDER:
        phrases = getattr(screen_file.answers, answer)
        pattern = _plain(compiler.phrases(phrases, f"answers.{answer}", answers_line))
        if pattern is not None:
            answers.append((answer, pattern))
    problems.extend(compiler.problems)

    intent_compiler = _Compiler(intents_path, compiler.context)
    extra_slots = intent_compiler.slots(intents_file.slots, intents_raw)
    intent_compiler.context = PhraseContext(
        {**slots, **extra_slots}, screen_file.gap_words, negators, text
    )
    intent_rules: list[IntentRule] = []
    intent_phrases: list[list[Compiled]] = []
    raw_intents = _raw_list(intents_raw, "rules")
    for index, intent in enumerate(intents_file.rules):
        line = line_of(raw_intents[index]) if index < len(raw_intents) else None
        where = f"rules[{index}] ({intent.id})"
        intent_phrases.append(intent_compiler.phrases(intent.phrases, where, line))
        intent_rules.append(IntentRule(intent.id, intent.intent, tuple(intent.examples), line))
    intent_guard_parts: list[Compiled] = []
    raw_intent_guards = _raw_list(intents_raw, "guards")
    for index, intent_guard in enumerate(intents_file.guards):
        line = line_of(raw_intent_guards[index]) if index < len(raw_intent_guards) else None
        where = f"guards[{index}] ({intent_guard.id})"
        intent_guard_parts.extend(intent_compiler.phrases(intent_guard.phrases, where, line))
    problems.extend(intent_compiler.problems)
    if problems:
        raise ContentError(problems)

    def rule_set(bucket: str) -> RuleSet:
        entries = buckets[bucket]
        matcher = Matcher.build([phrases for _, phrases in entries])
        return RuleSet(matcher, tuple(rule for rule, _ in entries))

    return Lexicon(
        language=screen_file.language,
        text=text,
        categories=tuple(categories),
        explicit=rule_set("explicit"),
        crisis=rule_set("crisis"),
        check=rule_set("check"),
        guards=tuple(guards),
        guards_for={
            c.id: tuple(g for g in guards if g.categories is None or c.id in g.categories)
            for c in categories
        },
        guard_matcher=MultiMatcher.build(guard_phrases),
        pairs=tuple(
            Pair(rule, tuple(re.compile(f"{regex}(?= )") for regex in c.also)) for rule, c in pairs
        ),
        pair_matcher=MultiMatcher.build([[c] for _, c in pairs]),
        resolved=resolved,
        negation=negation_re,
        past=past_re,
        past_cap=negation.past_cap,
        past_cap_if_resolved=negation.past_cap_if_resolved,
        attempt=attempt_re,
        intents=Matcher.build(intent_phrases),
        intent_rules=tuple(intent_rules),
        intent_guards=_plain(intent_guard_parts),
        answers=tuple(answers),
    )
