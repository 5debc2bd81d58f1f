"""Load content/safety/screen.yml and intents.yml and compile them into ready matchers.

The YAML holds the reviewed word lists (what to detect, which idioms to let pass, how negation
works); this module validates it with pydantic, compiles every phrase with `phrases.py` and
sorts the rules into four matchers (`matcher.py`): explicit crisis phrases, other crisis
phrases, check phrases and intents. Guards, negations and past markers become plain regexes,
used only around a match. Every problem is collected with its line, then raised together.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.content.errors import ContentError, ContentProblem
from bot.content.validation import line_at, validate
from bot.content.yamlio import line_of, load_yaml
from bot.safety.matcher import Matcher
from bot.safety.phrases import (
    Compiled,
    PhraseContext,
    PhraseError,
    compile_phrase,
    compile_slot,
    word_key,
)

Kind = Literal["self_harm", "abuse"]
LEVEL_RANK: Mapping[str, int] = {"none": 0, "check": 1, "crisis": 2}

SCREEN_FILE = "screen.yml"
_SINGLE_WORD = re.compile(r"^[a-z0-9]+$")
INTENTS_FILE = "intents.yml"

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


class RuleModel(_Strict):
    """A group of phrases that raise one level for one kind."""

    id: _Id
    level: Literal["crisis", "check"]
    kind: Kind
    explicit: bool = False
    note: str | None = None
    phrases: _Phrases
    examples: list[str] = []


class GuardModel(_Strict):
    """Phrases that lower the level of the non-explicit triggers they touch."""

    id: _Id
    scope: Literal["overlap", "sentence"] = "overlap"
    cap: Literal["none", "check"] = "none"
    cap_if_resolved: Literal["none", "check"] | None = None
    note: str | None = None
    phrases: _Phrases


class ScreenFile(_Strict):
    """The whole of screen.yml."""

    version: Literal[1]
    gap_words: Annotated[int, Field(ge=1, le=5)] = 3
    negation: NegationModel
    slots: dict[_Id, _Phrases] = {}
    rules: Annotated[list[RuleModel], Field(min_length=1)]
    guards: list[GuardModel] = []
    resolved: list[str] = []


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
class Rule:
    """A compiled trigger rule (its phrases live in the matcher)."""

    id: str
    level: Literal["crisis", "check"]
    kind: Kind
    explicit: bool
    examples: tuple[str, ...]
    line: int | None


@dataclass(frozen=True, slots=True)
class Guard:
    """A compiled guard with its own regex."""

    id: str
    pattern: re.Pattern[str]
    scope: Literal["overlap", "sentence"]
    cap: Literal["none", "check"]
    cap_if_resolved: Literal["none", "check"] | None


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

    explicit: RuleSet
    crisis: RuleSet
    check: RuleSet
    guards: tuple[Guard, ...]
    resolved: re.Pattern[str] | None
    negation: re.Pattern[str] | None
    past: re.Pattern[str] | None
    past_cap: Literal["none", "check"]
    past_cap_if_resolved: Literal["none", "check"]
    attempt: re.Pattern[str] | None
    intents: Matcher
    intent_rules: tuple[IntentRule, ...]
    intent_guards: re.Pattern[str] | None


class _Compiler:
    """Compile phrases while collecting problems with their file, line and place."""

    def __init__(self, path: Path, context: PhraseContext) -> None:
        self.path = path
        self.context = context
        self.problems: list[ContentProblem] = []
        self.seen: dict[str, str] = {}

    def phrases(
        self, phrases: list[str], where: str, line: int | None, *, track: bool = True
    ) -> list[Compiled]:
        compiled: list[Compiled] = []
        for number, phrase in enumerate(phrases, start=1):
            try:
                part = compile_phrase(phrase, self.context)
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
            if track and part.regex in self.seen:
                self.problems.append(
                    ContentProblem(
                        self.path,
                        f"phrase '{phrase}' is also in {self.seen[part.regex]}",
                        line=line,
                        where=where,
                        hint="keep each phrase in one place",
                    )
                )
            if track:
                self.seen[part.regex] = where
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


def load_lexicon(content_dir: Path) -> Lexicon:
    """Load, validate and compile screen.yml and intents.yml; raise ContentError on problems."""
    screen_path = content_dir / "safety" / SCREEN_FILE
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

    negation = screen_file.negation
    # A gap in a phrase must not swallow a negation ("he never hit me"): single words only.
    negators = tuple(
        sorted({word_key(p) for p in negation.phrases if _SINGLE_WORD.match(word_key(p))})
    )
    compiler = _Compiler(screen_path, PhraseContext({}, screen_file.gap_words, negators))
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
    compiler.context = PhraseContext(slots, screen_file.gap_words, negators)

    buckets: dict[str, list[tuple[Rule, list[Compiled]]]] = {
        "explicit": [],
        "crisis": [],
        "check": [],
    }
    ids: set[str] = set()
    raw_rules = _raw_list(screen_raw, "rules")
    for index, model in enumerate(screen_file.rules):
        where = f"rules[{index}] ({model.id})"
        line = line_of(raw_rules[index]) if index < len(raw_rules) else None
        if model.id in ids:
            problems.append(
                ContentProblem(screen_path, "duplicate rule id", line=line, where=where)
            )
        ids.add(model.id)
        if model.explicit and model.level != "crisis":
            problems.append(
                ContentProblem(
                    screen_path,
                    "only crisis rules can be explicit",
                    line=line,
                    where=where,
                    hint="set level: crisis or remove explicit",
                )
            )
        rule = Rule(model.id, model.level, model.kind, model.explicit, tuple(model.examples), line)
        bucket = "explicit" if model.explicit else model.level
        buckets[bucket].append((rule, compiler.phrases(model.phrases, where, line)))

    guards: list[Guard] = []
    raw_guards = _raw_list(screen_raw, "guards")
    for index, guard in enumerate(screen_file.guards):
        line = line_of(raw_guards[index]) if index < len(raw_guards) else None
        where = f"guards[{index}] ({guard.id})"
        if guard.id in ids:
            problems.append(ContentProblem(screen_path, "duplicate id", line=line, where=where))
        ids.add(guard.id)
        pattern = _plain(compiler.phrases(guard.phrases, where, line))
        if pattern is not None:
            guards.append(Guard(guard.id, pattern, guard.scope, guard.cap, guard.cap_if_resolved))
    resolved = _plain(
        compiler.phrases(screen_file.resolved, "resolved", line_at(screen_raw, ("resolved",)))
    )
    problems.extend(compiler.problems)

    intent_compiler = _Compiler(intents_path, compiler.context)
    extra_slots = intent_compiler.slots(intents_file.slots, intents_raw)
    intent_compiler.context = PhraseContext(
        {**slots, **extra_slots}, screen_file.gap_words, negators
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
        explicit=rule_set("explicit"),
        crisis=rule_set("crisis"),
        check=rule_set("check"),
        guards=tuple(guards),
        resolved=resolved,
        negation=negation_re,
        past=past_re,
        past_cap=negation.past_cap,
        past_cap_if_resolved=negation.past_cap_if_resolved,
        attempt=attempt_re,
        intents=Matcher.build(intent_phrases),
        intent_rules=tuple(intent_rules),
        intent_guards=_plain(intent_guard_parts),
    )
