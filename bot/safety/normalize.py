"""Turn a raw chat message into the flat form the safety phrases are matched against.

The screen never matches the raw text: it lower-cases it, drops apostrophes ("don't" and "dont"
become the same word), squeezes repeated letters ("diiie" and "die" become "die", and so does
"kill", which becomes "kil": phrases are squeezed the same way when they are compiled), folds
accents ("más" and "mas" become "mas"), turns sentence punctuation into the marker word "." and
clause punctuation into "," (a phrase, a gap or a negation never reaches across them), and drops
every other symbol and emoji. The result is words separated by single spaces, padded with one
space at each end. The work is one C-level tokenising pass plus a cached per-word lookup, so it
stays linear and cheap even for a 4,000-character message. Spans are mapped back to the
original text by counting words, which only happens when something matched.

What is language-specific lives in the screen file's `text:` section (`TextRules`): whether an
apostrophe joins two parts into one word (English "don't") or splits them (French "l'amour"),
whether repeated letters are squeezed and whether accents are folded. Letters are any Unicode
letters, so the same code reads English, Spanish or German.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import accumulate, count, islice
from operator import add
from typing import Literal

# Apostrophe look-alikes people type or phones insert.
APOSTROPHES = "'\u2019\u2018`\u00b4\u02bc"
_APOSTROPHE = re.compile(f"[{APOSTROPHES}]")
SENTENCE_MARK = "."
CLAUSE_MARK = ","
_SENTENCE_CHARS = ".!?;\n\r\u2026\u3002"
# Inverted marks (Spanish "¿", "¡") open a new clause, like a dash does.
_CLAUSE_CHARS = ',:()[]"\u201c\u201d\u2013\u2014\u00bf\u00a1'
# Combining accents, for text typed in decomposed form ("e" followed by U+0301).
_COMBINING = "\u0300-\u036f"
# A word (letters and digits, accents included), or one punctuation mark that ends a sentence
# or a clause.
_WORD_BODY = f"[^\\W_]+(?:[{_COMBINING}]+[^\\W_]*)*"
_PUNCTUATION = f"[{re.escape(_SENTENCE_CHARS + _CLAUSE_CHARS)}]"
_TOKEN = re.compile(f"{_WORD_BODY}|{_PUNCTUATION}")
# The same without combining accents, a little faster: for text that has none.
_PLAIN_TOKEN = re.compile(f"[^\\W_]+|{_PUNCTUATION}")
_HAS_COMBINING = re.compile(f"[{_COMBINING}]")
_REPEATS = re.compile(r"([^\W\d_])\1+")
_MARKS = dict.fromkeys(_SENTENCE_CHARS, SENTENCE_MARK) | dict.fromkeys(_CLAUSE_CHARS, CLAUSE_MARK)
# Squeezed forms of words seen before: messages repeat the same few thousand words, and a dict
# lookup is far cheaper than a regex substitution. Bounded so it cannot grow without limit.
_CACHE_LIMIT = 50_000


@dataclass(frozen=True, slots=True)
class Flat:
    """A normalised message: the padded text and its tokens (words and markers) in order."""

    text: str
    tokens: list[str]
    starts: list[int]  # where each token begins in `text`


@dataclass(frozen=True, slots=True)
class TextRules:
    """How one language's messages are flattened (the `text:` section of a screen file)."""

    apostrophes: Literal["join", "split"] = "join"
    squeeze_repeats: bool = True
    fold_accents: bool = True


def squeeze(word: str) -> str:
    """Collapse runs of one repeated letter to a single letter ("sooo" -> "so")."""
    return _REPEATS.sub(r"\1", word)


def fold_accents(word: str) -> str:
    """Drop accents from letters ("más" -> "mas", "ñ" -> "n"); other characters stay."""
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fold_case(text: str) -> str:
    """Lower-case text while keeping every character at its index (spans stay valid)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A few characters lower-case to two (U+0130 İ): keep those as they are.
    return "".join(low if len(low := char.lower()) == 1 else char for char in text)


class Normalizer:
    """Flattens messages and lexicon words the same way, by one language's `TextRules`."""

    __slots__ = ("_cache", "_word", "rules")

    def __init__(self, rules: TextRules | None = None) -> None:
        self.rules = rules or TextRules()
        self._cache: dict[str, str] = dict(_MARKS)
        # One word of the original text, exactly as `flatten` counts words.
        inside = APOSTROPHES + _COMBINING if self.rules.apostrophes == "join" else _COMBINING
        self._word = re.compile(f"[^\\W_](?:[^\\W_]|[{inside}])*")

    def key(self, word: str) -> str:
        """Return the form one lexicon word takes after normalisation ("Don't" -> "dont")."""
        return self._fold(_APOSTROPHE.sub("", word.lower()))

    def flatten(self, text: str) -> Flat:
        """Return the normalised form of a message with its tokens."""
        lowered = fold_case(text)
        joined = _APOSTROPHE.sub("" if self.rules.apostrophes == "join" else " ", lowered)
        plain = joined.isascii() or _HAS_COMBINING.search(joined) is None
        raw = (_PLAIN_TOKEN if plain else _TOKEN).findall(joined)
        cache = self._cache
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
            cache.update(_MARKS)
        cached = cache.get
        tokens = [cached(token) or self._remember(token) for token in raw]
        # Token i starts after the padding space, i separating spaces and the tokens before it.
        starts = list(map(add, count(1), accumulate(map(len, tokens), initial=0)))
        return Flat(f" {' '.join(tokens)} " if tokens else " ", tokens, starts[:-1])

    def original_span(self, text: str, flat: Flat, start: int, end: int) -> tuple[int, int]:
        """Map a word-aligned span of `flat.text` back to a span of `text`."""
        before = inside = 0
        for token, position in zip(flat.tokens, flat.starts, strict=True):
            if position >= end:
                break
            if token not in _MARKS:
                if position < start:
                    before += 1
                else:
                    inside += 1
        words = islice(self._word.finditer(fold_case(text)), before, before + max(1, inside))
        found = [match.span() for match in words]
        if not found:  # defensive: cannot happen while the two word definitions agree
            return (0, 0)
        return (found[0][0], found[-1][1])

    def _fold(self, token: str) -> str:
        if self.rules.fold_accents:
            token = fold_accents(token)
        if self.rules.squeeze_repeats:
            token = _REPEATS.sub(r"\1", token)
        return token

    def _remember(self, token: str) -> str:
        folded = self._fold(token)
        self._cache[token] = folded
        return folded


DEFAULT = Normalizer()


def flatten(text: str) -> Flat:
    """Return the normalised form of a message with its tokens (default text rules)."""
    return DEFAULT.flatten(text)


def normalize(text: str) -> str:
    """Return the padded, squeezed, marker-separated form of a message."""
    return DEFAULT.flatten(text).text


def original_span(text: str, flat: Flat, start: int, end: int) -> tuple[int, int]:
    """Map a word-aligned span of `flat.text` back to a span of `text` (default rules)."""
    return DEFAULT.original_span(text, flat, start, end)
