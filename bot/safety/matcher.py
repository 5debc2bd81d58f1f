"""Find lexicon phrases in a normalised message, trying each phrase only where it can start.

One big alternation of every phrase would be tried at every word of the message. Instead every
phrase is indexed under the words it can start with (known at compile time), the phrases of
each word make one regex (shared by words that start the same phrases), and a scan picks out
(at C speed) the words that can start something and runs one regex at each. Like
`re.finditer`, matches do not overlap: the leftmost wins, and at one position the rule listed
first wins (the longer match if it is the same rule, across word and wildcard regexes).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress, count
from typing import Any

from bot.safety.normalize import Flat
from bot.safety.phrases import Compiled


@dataclass(frozen=True, slots=True)
class Found:
    """One match: which rule, and where it is in the normalised text."""

    rule: int
    start: int  # first character of the first word
    end: int  # just after the last word


@dataclass(frozen=True, slots=True)
class Matcher:
    """Phrases of several rules, indexed by the words they can start with."""

    groups: tuple[re.Pattern[str], ...]
    by_word: Mapping[str, tuple[int, ...]]
    prefixes: tuple[tuple[str, tuple[int, ...]], ...]
    anywhere: tuple[int, ...]
    starts: tuple[str, ...]  # the prefixes alone, for one `str.startswith` test per word
    # The words that can follow each indexed word in a match; a word missing here can be
    # followed by anything (or end a match). One set lookup skips most hopeless regex calls.
    follow: Mapping[str, tuple[frozenset[str], tuple[str, ...]]]  # (words, word prefixes)

    @classmethod
    def build(cls, rules: Sequence[Sequence[Compiled]]) -> Matcher:
        """Index the compiled phrases of each rule (rule n is reported as `Found.rule == n`)."""
        # Every phrase under each word it can start with; then one regex per distinct set of
        # phrases, so a candidate word costs one regex call however many phrases it starts.
        by_first: dict[str, list[tuple[int, int]]] = defaultdict(list)  # word -> (rule, phrase)
        by_prefix: dict[str, list[tuple[int, int]]] = defaultdict(list)
        anywhere_phrases: list[tuple[int, int]] = []
        for number, phrases in enumerate(rules):
            for index, phrase in enumerate(phrases):
                if phrase.first is None:
                    anywhere_phrases.append((number, index))
                    continue
                for word in phrase.first:
                    if word.endswith("*"):
                        by_prefix[word[:-1]].append((number, index))
                    else:
                        by_first[word].append((number, index))
        groups: list[re.Pattern[str]] = []
        compiled: dict[tuple[tuple[int, int], ...], int] = {}

        def group_of(members: list[tuple[int, int]]) -> int:
            key = tuple(sorted(set(members)))
            if key not in compiled:
                by_rule: dict[int, list[Compiled]] = defaultdict(list)
                for number, index in key:
                    by_rule[number].append(rules[number][index])
                body = "|".join(
                    f"(?P<r{number}>{_factored(phrases)})" for number, phrases in by_rule.items()
                )
                compiled[key] = len(groups)
                groups.append(re.compile(f"(?:{body})(?= )"))
            return compiled[key]

        by_word = {word: (group_of(members),) for word, members in by_first.items()}
        follow: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {}
        for word, members in by_first.items():
            after: set[str] = set()
            for number, index in members:
                phrase = rules[number][index]
                if 1 in phrase.lengths or phrase.second is None:
                    break
                after |= phrase.second
            else:
                exact = frozenset(w for w in after if not w.endswith("*"))
                follow[word] = (exact, tuple(sorted(w[:-1] for w in after if w.endswith("*"))))
        prefixes = tuple((prefix, (group_of(members),)) for prefix, members in by_prefix.items())
        anywhere = (group_of(anywhere_phrases),) if anywhere_phrases else ()
        return cls(
            groups=tuple(groups),
            by_word=by_word,
            prefixes=prefixes,
            anywhere=anywhere,
            starts=tuple(by_prefix),
            follow=follow,
        )

    def scan(self, flat: Flat) -> list[Found]:
        """Return the non-overlapping matches in the message, left to right."""
        tokens = flat.tokens
        candidates = _candidates(tokens, self.by_word, self.starts, bool(self.anywhere))
        text = flat.text
        groups = self.groups
        follow = self.follow
        last = len(tokens) - 1
        result: list[Found] = []
        resume = 0
        for index in candidates:
            start = flat.starts[index]
            if start < resume:
                continue
            token = tokens[index]
            after = follow.get(token)
            skip_word = after is not None and (
                index == last
                or (
                    tokens[index + 1] not in after[0]
                    and not tokens[index + 1].startswith(after[1])
                )
            )
            best: tuple[int, int] | None = None  # (rule, end)
            for group in self._groups_for(token, skip_word=skip_word):
                match = groups[group].match(text, start - 1)
                if match is not None:
                    rule, end = int(str(match.lastgroup)[1:]), match.end()
                    if best is None or rule < best[0] or (rule == best[0] and end > best[1]):
                        best = (rule, end)
            if best is not None:
                resume = best[1]
                result.append(Found(best[0], start, best[1]))
        return result

    def _groups_for(self, token: str, *, skip_word: bool = False) -> tuple[int, ...]:
        found = () if skip_word else self.by_word.get(token, ())
        if self.starts and token.startswith(self.starts):
            found += tuple(i for prefix, g in self.prefixes if token.startswith(prefix) for i in g)
        return found + self.anywhere


def _candidates(
    tokens: Sequence[str], by_word: Mapping[str, object], starts: tuple[str, ...], anywhere: bool
) -> Iterable[int]:
    """The positions of the tokens that can start a phrase, in order; every one if some
    phrase can start anywhere. Found at C speed: usually very few."""
    if anywhere:
        return range(len(tokens))
    found: Iterable[int] = compress(count(), map(by_word.__contains__, tokens))
    if starts:
        found = sorted(
            set(found) | {i for i, token in enumerate(tokens) if token.startswith(starts)}
        )
    return found


def _factored(phrases: Sequence[Compiled]) -> str:
    """One regex for several phrases of a rule, their shared leading parts tried once.

    "{partner} [{aux}] hit me" and "{partner} [{aux}] kicked me" become
    "{partner} [{aux}] (?:hit me|kicked me)": the engine matches the long slots at the start
    once instead of once per phrase. A phrase that ends where a longer one goes on is tried
    last, so the longer match wins.
    """
    root: dict[str | None, Any] = {}
    for phrase in phrases:
        node = root
        for item in phrase.items or (phrase.regex,):
            node = node.setdefault(item, {})
        node[None] = {}
    return _emit(root)


def _emit(node: dict[str | None, Any]) -> str:
    branches = [item + _emit(child) for item, child in node.items() if item is not None]
    ends_here = None in node
    if not branches:
        return ""
    if len(branches) == 1 and not ends_here:
        return branches[0]
    return "(?:" + "|".join(branches) + ("|" if ends_here else "") + ")"


_Entry = tuple[int, re.Pattern[str]]  # a list's number and its regex for one word


@dataclass(frozen=True, slots=True)
class MultiMatcher:
    """Every match of each of several phrase lists (the guards), found in one pass.

    Unlike `Matcher`, lists do not compete: each list reports all its own non-overlapping
    matches, so one guard never hides another.
    """

    by_word: Mapping[str, tuple[_Entry, ...]]
    prefixes: tuple[tuple[str, tuple[_Entry, ...]], ...]
    anywhere: tuple[_Entry, ...]
    starts: tuple[str, ...]
    size: int

    @classmethod
    def build(cls, lists: Sequence[Sequence[Compiled]]) -> MultiMatcher:
        """Index each list's phrases by the words they can start with."""
        by_first: dict[str, dict[int, list[Compiled]]] = defaultdict(lambda: defaultdict(list))
        by_prefix: dict[str, dict[int, list[Compiled]]] = defaultdict(lambda: defaultdict(list))
        anywhere: dict[int, list[Compiled]] = defaultdict(list)
        for number, phrases in enumerate(lists):
            for phrase in phrases:
                if phrase.first is None:
                    anywhere[number].append(phrase)
                    continue
                for word in phrase.first:
                    if word.endswith("*"):
                        by_prefix[word[:-1]][number].append(phrase)
                    else:
                        by_first[word][number].append(phrase)
        cache: dict[str, re.Pattern[str]] = {}

        def entries(members: Mapping[int, list[Compiled]]) -> tuple[_Entry, ...]:
            found = []
            for number, phrases in sorted(members.items()):
                regex = f"{_factored(phrases)}(?= )"
                found.append((number, cache.setdefault(regex, re.compile(regex))))
            return tuple(found)

        return cls(
            by_word={word: entries(members) for word, members in by_first.items()},
            prefixes=tuple((prefix, entries(members)) for prefix, members in by_prefix.items()),
            anywhere=entries(anywhere),
            starts=tuple(by_prefix),
            size=len(lists),
        )

    def find(self, flat: Flat) -> list[list[tuple[int, int]]]:
        """Return, for each list, the spans (start of the first word, end) of its matches."""
        tokens = flat.tokens
        found: list[list[tuple[int, int]]] = [[] for _ in range(self.size)]
        resume = [0] * self.size
        candidates = _candidates(tokens, self.by_word, self.starts, bool(self.anywhere))
        text = flat.text
        for index in candidates:
            token = tokens[index]
            start = flat.starts[index]
            entries = self.by_word.get(token, ())
            if self.starts and token.startswith(self.starts):
                entries += tuple(
                    e for prefix, more in self.prefixes if token.startswith(prefix) for e in more
                )
            for number, pattern in entries + self.anywhere:
                if start < resume[number]:
                    continue
                match = pattern.match(text, start - 1)
                if match is not None:
                    resume[number] = match.end()
                    found[number].append((start, match.end()))
        return found
