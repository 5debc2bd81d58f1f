"""The safety screen: every free-text message is checked here before anything else runs.

`SafetyScreen.screen(text)` returns a `Screening`: `crisis`, `check` (ask one direct question) or
`none`, with the kind (`self_harm` or `abuse`), the category of warning sign (`burden`,
`preparation`, `strangulation`, ...) and the span of the phrase that decided it. Each category
has one level, set in the screen file. How it decides, in order:
1. Explicit crisis phrases ("kill myself", "he threatened to kill me") always count, unless a
   negation sits right before them in the same clause ("I would never kill myself"). A past
   or attempt marker right before them ("I used to want to die") hands them to the guards.
2. Other crisis and check phrases count unless negated, and guards can lower them: idioms they
   overlap ("he hit me up"), or a "years ago" in the same sentence (lowered to check, and to
   none when the message also says it is resolved: "I'm in a good place now").
3. The highest level wins; at the same level self-harm comes before abuse (a risk to life
   first; the abuse resources stay one tap away), then an explicit phrase, then the earliest.
`intent(text)` finds requests for calm ("I'm panicking") with the same negation rules, and
`answer(text)` reads a typed reply to the check question (safe, not safe or unsure). All are
pure and fast: one tokenising pass, then only the phrases that can start at each word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.content.errors import ContentError, ContentProblem
from bot.safety.lexicon import (
    INTENTS_FILE,
    LEVEL_RANK,
    SCREEN_FILE,
    Answer,
    Guard,
    Lexicon,
    Rule,
    RuleSet,
    load_lexicon,
)
from bot.safety.normalize import SENTENCE_MARK, Flat

_SENTENCE_BREAK = f" {SENTENCE_MARK} "
# How many words back a negation can start: a negation phrase (up to 4 words) plus the
# largest allowed run of fillers (each up to 2 words), and cheap in long messages.
_LOOKBACK_WORDS = 16
# How far around a match an intent guard can reach (longer than any guard phrase).
_GUARD_REACH = 240


@dataclass(frozen=True, slots=True)
class Screening:
    """The verdict on one message: level, kind, category and what matched (a span of the
    original)."""

    level: Literal["crisis", "check", "none"]
    kind: Literal["self_harm", "abuse"] | None
    phrase: str | None
    span: tuple[int, int] | None
    category: str | None = None

    def to_dict(self) -> dict[str, object]:
        """Return the public summary: level, kind and category (never the user's words)."""
        return {"level": self.level, "kind": self.kind, "category": self.category}


NONE = Screening(level="none", kind=None, phrase=None, span=None, category=None)


@dataclass(frozen=True, slots=True)
class _Hit:
    rule: Rule
    level: Literal["crisis", "check", "none"]
    start: int
    end: int
    guarded: bool  # False only for explicit phrases: no guard can lower them
    past: bool = False  # right after a past marker ("I used to ..."): capped like history


class SafetyScreen:
    """Screens messages for crisis and abuse signals and spots requests for grounding."""

    __slots__ = ("_lexicon",)

    def __init__(self, lexicon: Lexicon) -> None:
        self._lexicon = lexicon

    @classmethod
    def load(cls, content_dir: Path, screen_file: Path | None = None) -> SafetyScreen:
        """Load the locale's safety/screen.yml (or another screen file, such as a draft) and
        intents.yml; check every category's examples."""
        path = screen_file or content_dir / "safety" / SCREEN_FILE
        screen = cls(load_lexicon(content_dir, path))
        problems = screen._example_problems(path, content_dir / "safety" / INTENTS_FILE)
        if problems:
            raise ContentError(problems)
        return screen

    @property
    def language(self) -> str:
        """The language of the screen file ("en", "es", ...)."""
        return self._lexicon.language

    @property
    def categories(self) -> dict[str, tuple[str, str]]:
        """Every category id with its kind and level, in the file's order."""
        return {c.id: (c.kind, c.level) for c in self._lexicon.categories}

    def screen(self, text: str) -> Screening:
        """Return the safety level, kind and category of one message."""
        flat = self._lexicon.text.flatten(text)
        lexicon = self._lexicon
        found = self._hits(flat, lexicon.explicit)
        hits = [hit for hit in found if not hit.guarded]
        if any(hit.rule.kind == "self_harm" for hit in hits):
            return self._verdict(text, flat, hits)
        # Explicit phrases after a past or attempt marker meet the guards like the others.
        pending = [hit for hit in found if hit.guarded]
        for rule_set in (lexicon.crisis, lexicon.check):
            # A check phrase cannot beat a crisis that is already certain.
            if rule_set is lexicon.check and any(hit.level == "crisis" for hit in hits):
                break
            pending += self._hits(flat, rule_set)
            if rule_set is lexicon.crisis and lexicon.pairs:
                pending += self._pair_hits(flat)
            if pending:
                hits += self._apply_guards(flat, pending)
                pending = []
        return self._verdict(text, flat, hits)

    def intent(self, text: str) -> str | None:
        """Return "grounding" when the message asks for calm in words, "hold" when it says they
        want to reach out again right now (text, call), otherwise None."""
        lexicon = self._lexicon
        flat = lexicon.text.flatten(text)
        for found in lexicon.intents.scan(flat):
            if self._before(flat.text, found.start) == "negated":
                continue
            guards = lexicon.intent_guards
            if guards is not None and any(
                g.start() < found.end and found.start < g.end()
                for g in _window_matches(guards, flat.text, found.start, found.end)
            ):
                continue
            return lexicon.intent_rules[found.rule].intent
        return None

    def answer(self, text: str) -> Answer:
        """Read a typed reply to the check question: "not_safe", "unsure" or "safe".

        The lists are tried in that order, so "no, I'm not okay" is not safe. A reply that
        says none of them is "unsure": it did not say the person is safe. The caller screens
        the reply first; a crisis or check phrase in it never gets this far.
        """
        normalized = self._lexicon.text.flatten(text).text
        for answer, pattern in self._lexicon.answers:
            if pattern.search(normalized):
                return answer
        return "unsure"

    def _hits(self, flat: Flat, rule_set: RuleSet) -> list[_Hit]:
        hits = []
        for found in rule_set.matcher.scan(flat):
            before = self._before(flat.text, found.start)
            if before == "negated":
                continue
            rule = rule_set.rules[found.rule]
            guarded = not rule.explicit or before is not None
            hits.append(_Hit(rule, rule.level, found.start, found.end, guarded, before == "past"))
        return hits

    def _pair_hits(self, flat: Flat) -> list[_Hit]:
        """`A && B` phrases: A where it is not negated, with B in the same sentence."""
        lexicon = self._lexicon
        text = flat.text
        hits = []
        for number, spans in enumerate(lexicon.pair_matcher.find(flat)):
            if not spans:
                continue
            pair = lexicon.pairs[number]
            for start, end in spans:
                before = self._before(text, start)
                if before == "negated":
                    continue
                low = text.rfind(_SENTENCE_BREAK, 0, start) + 1
                high = text.find(_SENTENCE_BREAK, end)
                high = high + 1 if high >= 0 else len(text)
                found = [also.search(text, low, high) for also in pair.also]
                if all(found):
                    # The hit spans every part, so a guard on any of them can lower it.
                    first = min([start, *(m.start() + 1 for m in found if m)])
                    last = max([end, *(m.end() for m in found if m)])
                    level = pair.rule.level
                    hits.append(_Hit(pair.rule, level, first, last, True, before == "past"))
                    break
        return hits

    def _before(self, text: str, start: int) -> Literal["negated", "past", "attempt"] | None:
        """Say whether a negation, a past marker or an attempt marker sits right before."""
        lexicon = self._lexicon
        # Only the last few words can hold a negation and its fillers: cut there.
        low = start - 1
        for _ in range(_LOOKBACK_WORDS):
            low = text.rfind(" ", 0, low)
            if low <= 0:
                low = 0
                break
        window = text[low:start]
        if lexicon.negation is not None and lexicon.negation.search(window):
            return "negated"
        if lexicon.past is not None and lexicon.past.search(window):
            return "past"
        if lexicon.attempt is not None and lexicon.attempt.search(window):
            return "attempt"
        return None

    def _apply_guards(self, flat: Flat, hits: list[_Hit]) -> list[_Hit]:
        lexicon = self._lexicon
        text = flat.text
        resolved: bool | None = None  # looked up once, only if a guard needs it
        # Every guard's matches, found in one pass over the words (only if a hit has guards).
        spans: list[list[tuple[int, int]]] | None = None
        kept: list[_Hit] = []
        for hit in hits:
            caps: list[tuple[Literal["none", "check"], Literal["none", "check"] | None]] = []
            if hit.past:
                caps.append((lexicon.past_cap, lexicon.past_cap_if_resolved))
            guards = lexicon.guards_for[hit.rule.id]
            if guards and spans is None:
                spans = lexicon.guard_matcher.find(flat)
            for guard in guards:
                assert spans is not None
                if _guard_touches(guard, text, hit, spans[guard.index]):
                    caps.append((guard.cap, guard.cap_if_resolved))
            rank = LEVEL_RANK[hit.level]
            for cap, cap_if_resolved in caps:
                if cap_if_resolved is not None and resolved is None:
                    pattern = lexicon.resolved
                    resolved = pattern is not None and pattern.search(text) is not None
                rank = min(
                    rank, LEVEL_RANK[cap_if_resolved if resolved and cap_if_resolved else cap]
                )
            if rank > 0:
                level: Literal["crisis", "check"] = "crisis" if rank == 2 else "check"
                kept.append(_Hit(hit.rule, level, hit.start, hit.end, True, hit.past))
        return kept

    def _verdict(self, text: str, flat: Flat, hits: list[_Hit]) -> Screening:
        if not hits:
            return NONE
        # Highest level, then self-harm, then an explicit phrase (the surest evidence of its
        # category), then the earliest.
        best = max(
            hits,
            key=lambda h: (
                LEVEL_RANK[h.level],
                h.rule.kind == "self_harm",
                not h.guarded,
                -h.start,
            ),
        )
        span = self._lexicon.text.original_span(text, flat, best.start, best.end)
        return Screening(
            level=best.level,
            kind=best.rule.kind,
            phrase=text[span[0] : span[1]],
            span=span,
            category=best.rule.id,
        )

    def _example_problems(self, screen_path: Path, intents_path: Path) -> list[ContentProblem]:
        """Check that every example in the content screens the way its category says."""
        problems: list[ContentProblem] = []
        lexicon = self._lexicon
        for category in lexicon.categories:
            expected = f"{category.level}/{category.kind}/{category.id}"
            for example in category.examples:
                got = self.screen(example)
                if f"{got.level}/{got.kind}/{got.category}" != expected:
                    problems.append(
                        ContentProblem(
                            screen_path,
                            f"example '{example}' screens as "
                            f"{got.level}/{got.kind}/{got.category}, not {expected}",
                            line=category.line,
                            where=f"categories ({category.id})",
                            hint="a guard, a negation or another category may catch it; "
                            "adjust the phrases",
                        )
                    )
        for intent_rule in lexicon.intent_rules:
            for example in intent_rule.examples:
                if self.intent(example) != intent_rule.intent:
                    problems.append(
                        ContentProblem(
                            intents_path,
                            f"example '{example}' is not recognised as {intent_rule.intent}",
                            line=intent_rule.line,
                            where=f"rules ({intent_rule.id})",
                        )
                    )
        return problems


def _window_matches(
    pattern: re.Pattern[str], text: str, start: int, end: int
) -> list[re.Match[str]]:
    """Find a guard's matches near a span only, so long messages stay cheap."""
    low = text.rfind(" ", 0, max(1, start - _GUARD_REACH))
    high = text.find(" ", min(len(text) - 1, end + _GUARD_REACH))
    return list(pattern.finditer(text, max(0, low), high + 1 if high >= 0 else len(text)))


def _guard_touches(guard: Guard, text: str, hit: _Hit, spans: list[tuple[int, int]]) -> bool:
    """Does a guard overlap the hit (or share its sentence, for sentence-scoped guards)?"""
    if guard.scope == "overlap":
        return any(start < hit.end and hit.start < end for start, end in spans)
    low = text.rfind(_SENTENCE_BREAK, 0, hit.start)
    high = text.find(_SENTENCE_BREAK, hit.end)
    low = max(0, low + 2)  # the space after the marker, where a guard's first word begins
    high = high + 1 if high >= 0 else len(text)
    return any(low <= start and end < high for start, end in spans)
