"""Find issues, feelings and strengths in one draft with the compiled content rules.

One pass over the words finds every candidate (all rules share one index). Each candidate is
then checked against its rule's cancel-phrases, widened to a clause or sentence when the rule
asks for it, and mapped back to exact character spans. Finally overlapping findings are
reconciled: a blame that sits inside a "why do you…?" question or an "I feel like you…" thought
is the same problem said once, so only the wider finding is kept.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace

from bot.coach.content import FEELING_ISSUES, CoachContent, FauxEntry, Guards, Rule
from bot.coach.patterns import Match, PatternIndex
from bot.coach.results import CODES, Issue
from bot.coach.tokens import Tokens

# A finding of the key code is dropped when it lies inside one of these wider findings,
# because the wider tip already covers it ("I feel like you don't care" is one thought).
_SUPPRESSED_INSIDE: dict[str, frozenset[str]] = {
    "you_blame": frozenset(
        {"thought_as_feeling", "make_me_feel", "accusatory_question", "ultimatum"}
    ),
    # "If you walk out, don't bother coming back": the order is part of the threat.
    "demand": frozenset({"ultimatum"}),
    # "I feel like I'm not a priority": the thought's tip already asks for the feeling.
    "faux_feeling": frozenset({"thought_as_feeling"}),
}
# A feeling word inside one of these findings is not the user's own feeling: "Thanks so much
# for finally texting back" and "I'm so glad you finally showed up" mean the opposite.
_VOIDS_FEELINGS = frozenset({"sarcasm"})
_CODE_ORDER = {code: n for n, code in enumerate(CODES)}
MAX_WIDEN = 16  # words a quote may grow beyond the matched phrase


@dataclass(frozen=True, slots=True)
class Hit:
    """A finding in token and character terms, before it becomes an Issue or a Strength."""

    code: str
    first: int  # token index of the quoted part, inclusive
    last: int  # token index, exclusive
    span: tuple[int, int]
    begin: int  # token index where the whole match begins ("I" in "I feel [ignored]")
    tip: str | None = None
    faux: FauxEntry | None = None


@dataclass(frozen=True, slots=True)
class FeelingHit:
    """A feeling word the user used about themselves."""

    word: str
    negated: bool
    counts: bool  # False for "I don't feel heard": that is a faux feeling, not a feeling
    lexical: bool  # a word from feelings.yml ("sad"), not a phrase like "it hurts"
    span: tuple[int, int]
    begin: int  # token index where the feeling phrase begins ("I" in "I feel sad")


@dataclass(frozen=True, slots=True)
class Findings:
    """Everything found in one draft."""

    tokens: Tokens
    issues: tuple[Hit, ...]
    feelings: tuple[FeelingHit, ...]
    strengths: tuple[Hit, ...]


class _GuardCache:
    """Remembers, per draft, where each cancel-phrase index matches (computed on demand)."""

    def __init__(self, tokens: Tokens) -> None:
        self.tokens = tokens
        self._starts: dict[int, list[int]] = {}

    def any_between(self, index: PatternIndex[int], lo: int, hi: int) -> bool:
        """Return whether a phrase of `index` starts at a token in [lo, hi)."""
        key = id(index)
        starts = self._starts.get(key)
        if starts is None:
            starts = self._starts[key] = sorted({f.match.start for f in index.scan(self.tokens)})
        at = bisect_left(starts, lo)
        return at < len(starts) and starts[at] < hi


def find(content: CoachContent, text: str) -> Findings:
    """Run every rule over `text` and return what was found, reconciled and ordered."""
    tokens = content.tokenizer.tokenize(text)
    cache = _GuardCache(tokens)
    issues: list[Hit] = []
    feelings: list[FeelingHit] = []
    strengths: list[Hit] = []
    for found in content.index.scan(tokens):
        rule = content.rules[found.key]
        match = found.match
        if _cancelled(rule.guards, tokens, match, cache):
            continue
        first, last = match.focus_start, match.focus_end
        if last <= first:
            first, last = match.start, match.end
        if rule.kind == "frame":
            feelings.append(_feeling(content, tokens, match, first, last))
            continue
        last = _widen(tokens, rule, last)
        span = _char_span(text, tokens, first, last, rule.extend)
        if rule.kind == "strength":
            strengths.append(Hit(rule.code, first, last, span, match.start))
            continue
        faux = None
        if rule.code == "faux_feeling":
            faux = content.faux.get(tokens.words[first:last])
        issues.append(Hit(rule.code, first, last, span, match.start, rule.tip, faux))
    kept = _reconcile(issues)
    return Findings(
        tokens,
        tuple(kept),
        tuple(sorted(_void_inside(feelings, kept), key=lambda f: f.span)),
        tuple(sorted(strengths, key=lambda h: h.span)),
    )


def _cancelled(guards: Guards, tokens: Tokens, match: Match, cache: _GuardCache) -> bool:
    if guards.unless_question and tokens.question[tokens.sentence[match.start]]:
        return True
    if guards.not_after and guards.not_after.ends_at(tokens, match.start):
        return True
    if guards.unless_next and guards.unless_next.starts_at(tokens, match.end):
        return True
    if guards.unless_in_clause:
        lo = tokens.clause_start(match.start)
        hi = tokens.clause_end(match.end - 1)
        if cache.any_between(guards.unless_in_clause, lo, hi):
            return True
    if guards.unless_in_sentence:
        lo, hi = tokens.sentence_bounds(match.start)
        if cache.any_between(guards.unless_in_sentence, lo, hi):
            return True
    return False


def _widen(tokens: Tokens, rule: Rule, last: int) -> int:
    if rule.extend == "match":
        return last
    if rule.extend == "clause":
        end = tokens.clause_end(last - 1)
    else:
        end = tokens.sentence_bounds(last - 1)[1]
    # A quote is for reading back: a run-on draft must not turn it into a whole page.
    end = min(end, last + MAX_WIDEN)
    # Leave a closing "but"/"and" out of the quote.
    while end > last and tokens.joiner[end - 1]:
        end -= 1
    return max(end, last)


def _char_span(text: str, tokens: Tokens, first: int, last: int, extend: str) -> tuple[int, int]:
    start, end = tokens.span(first, last)
    if extend == "sentence":
        # Keep the question mark: "Why do you always…?" reads as the question it is.
        while end < len(text) and text[end] in "?!":
            end += 1
    return start, end


def _feeling(
    content: CoachContent, tokens: Tokens, match: Match, first: int, last: int
) -> FeelingHit:
    words = tokens.words[first:last]
    negated = any(w in content.negations for w in tokens.words[match.start : first])
    entry = content.faux.get(words)
    counts = not (negated and entry is not None and entry.negated)
    word = " ".join(words)
    return FeelingHit(
        content.negated_form.format(feeling=word) if negated else word,
        negated,
        counts,
        words in content.feeling_words,
        tokens.span(first, last),
        match.start,
    )


def _reconcile(hits: list[Hit]) -> list[Hit]:
    """Drop repeats of one code on overlapping words and findings covered by wider ones."""
    hits.sort(key=lambda h: (h.span[0], -h.span[1], _CODE_ORDER[h.code]))
    kept: list[Hit] = []
    reach: dict[str, int] = {}  # per code, the furthest end kept so far
    for hit in hits:
        # Hits come sorted by start, so an overlap with a kept hit of the same code means
        # starting before the furthest end kept for that code.
        if hit.span[0] < reach.get(hit.code, -1):
            continue
        kept.append(hit)
        reach[hit.code] = max(reach.get(hit.code, -1), hit.span[1])
    covers: dict[str, tuple[list[int], list[int]]] = {}
    for code, covering in _SUPPRESSED_INSIDE.items():
        spans = sorted(k.span for k in kept if k.code in covering)
        starts = [start for start, _ in spans]
        furthest: list[int] = []
        for _, end in spans:
            furthest.append(max(end, furthest[-1]) if furthest else end)
        covers[code] = (starts, furthest)
    result = []
    for hit in kept:
        if hit.code in covers:
            starts, furthest = covers[hit.code]
            # Covering spans that start before this hit ends; does any reach past its start?
            before = bisect_right(starts, hit.span[1] - 1)
            if before and furthest[before - 1] > hit.span[0]:
                continue
        result.append(hit)
    return result


def _void_inside(feelings: list[FeelingHit], issues: list[Hit]) -> list[FeelingHit]:
    """Stop counting the feelings said inside a finding that turns words around (sarcasm)."""
    spans = [hit.span for hit in issues if hit.code in _VOIDS_FEELINGS]
    if not spans:
        return feelings
    return [
        replace(f, counts=False)
        if any(start <= f.span[0] and f.span[1] <= end for start, end in spans)
        else f
        for f in feelings
    ]


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def needs_feeling(findings: Findings) -> bool:
    """Return whether "no feeling" applies: no feeling named and no tip already asking."""
    if any(f.counts for f in findings.feelings):
        return False
    return not any(hit.code in FEELING_ISSUES for hit in findings.issues)


def issue_from(hit: Hit, text: str, tip: str) -> Issue:
    """Build the public Issue for a hit."""
    return Issue(hit.code, hit.span, text[hit.span[0] : hit.span[1]], tip)
