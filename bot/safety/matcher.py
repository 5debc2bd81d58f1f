"""Find lexicon phrases in a normalised message, trying each phrase only where it can start.

One big alternation of every phrase would be tried at every word of the message. Instead the
phrases are grouped by the set of words they can start with (known at compile time), each group
is one regex, and a scan picks out (at C speed) the words that can start something and runs only
the groups indexed under those words. Like `re.finditer`, matches do not overlap: the leftmost
wins, and at one position the rule listed first wins (the longer match if it is the same rule).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress, count

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

    @classmethod
    def build(cls, rules: Sequence[Sequence[Compiled]]) -> Matcher:
        """Index the compiled phrases of each rule (rule n is reported as `Found.rule == n`)."""
        grouped: dict[frozenset[str] | None, dict[int, list[str]]] = defaultdict(dict)
        for number, phrases in enumerate(rules):
            for phrase in phrases:
                grouped[phrase.first].setdefault(number, []).append(phrase.regex)
        groups: list[re.Pattern[str]] = []
        by_word: dict[str, list[int]] = defaultdict(list)
        by_prefix: dict[str, list[int]] = defaultdict(list)
        anywhere: list[int] = []
        for first, members in grouped.items():
            body = "|".join(
                f"(?P<r{number}>{'|'.join(regexes)})" for number, regexes in members.items()
            )
            index = len(groups)
            groups.append(re.compile(f"(?:{body})(?= )"))
            if first is None:
                anywhere.append(index)
                continue
            for word in first:
                if word.endswith("*"):
                    by_prefix[word[:-1]].append(index)
                else:
                    by_word[word].append(index)
        return cls(
            groups=tuple(groups),
            by_word={word: tuple(found) for word, found in by_word.items()},
            prefixes=tuple((prefix, tuple(found)) for prefix, found in by_prefix.items()),
            anywhere=tuple(anywhere),
            starts=tuple(by_prefix),
        )

    def scan(self, flat: Flat) -> list[Found]:
        """Return the non-overlapping matches in the message, left to right."""
        tokens = flat.tokens
        if self.anywhere:
            candidates: Iterable[int] = range(len(tokens))
        else:
            # Which tokens can start a phrase, found at C speed; usually very few.
            candidates = compress(count(), map(self.by_word.__contains__, tokens))
            if self.starts:
                candidates = sorted(
                    set(candidates)
                    | {i for i, token in enumerate(tokens) if token.startswith(self.starts)}
                )
        text = flat.text
        groups = self.groups
        result: list[Found] = []
        resume = 0
        for index in candidates:
            start = flat.starts[index]
            if start < resume:
                continue
            best: tuple[int, int] | None = None  # (rule, end)
            for group in self._groups_for(tokens[index]):
                match = groups[group].match(text, start - 1)
                if match is not None:
                    rule, end = int(str(match.lastgroup)[1:]), match.end()
                    if best is None or rule < best[0] or (rule == best[0] and end > best[1]):
                        best = (rule, end)
            if best is not None:
                resume = best[1]
                result.append(Found(best[0], start, best[1]))
        return result

    def _groups_for(self, token: str) -> tuple[int, ...]:
        found = self.by_word.get(token, ())
        if self.starts and token.startswith(self.starts):
            found += tuple(i for prefix, g in self.prefixes if token.startswith(prefix) for i in g)
        return found + self.anywhere
