"""Turn a raw chat message into the flat form the safety phrases are matched against.

The screen never matches the raw text: it lower-cases it, drops apostrophes ("don't" and "dont"
become the same word), squeezes repeated letters ("diiie" and "die" become "die", and so does
"kill", which becomes "kil": phrases are squeezed the same way when they are compiled), turns
sentence punctuation into the marker word "." and clause punctuation into "," (a phrase, a gap
or a negation never reaches across them), and drops every other symbol and emoji. The result
is words separated by single spaces, padded with one space at each end. The work is one
C-level tokenising pass plus a cached per-word lookup, so it stays linear and cheap even for a
4,000-character message. Spans are mapped back to the original text by counting words, which
only happens when something matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate, count, islice
from operator import add

# Apostrophe look-alikes people type or phones insert.
APOSTROPHES = "'\u2019\u2018`\u00b4\u02bc"
_APOSTROPHE = re.compile(f"[{APOSTROPHES}]")
SENTENCE_MARK = "."
CLAUSE_MARK = ","
_SENTENCE_CHARS = ".!?;\n\r\u2026\u3002"
_CLAUSE_CHARS = ',:()[]"\u201c\u201d\u2013\u2014'
# A word (letters and digits), or one punctuation mark that ends a sentence or a clause.
_TOKEN = re.compile(f"[^\\W_]+|[{re.escape(_SENTENCE_CHARS + _CLAUSE_CHARS)}]")
_REPEATS = re.compile(r"([a-z])\1+")
# One word of the original text, exactly as `flatten` counts words (apostrophes inside).
_WORD = re.compile(f"[^\\W_](?:[^\\W_]|[{APOSTROPHES}])*")
_MARKS = dict.fromkeys(_SENTENCE_CHARS, SENTENCE_MARK) | dict.fromkeys(_CLAUSE_CHARS, CLAUSE_MARK)
# Squeezed forms of words seen before: messages repeat the same few thousand words, and a dict
# lookup is far cheaper than a regex substitution. Bounded so it cannot grow without limit.
_SQUEEZED: dict[str, str] = dict(_MARKS)
_CACHE_LIMIT = 50_000


@dataclass(frozen=True, slots=True)
class Flat:
    """A normalised message: the padded text and its tokens (words and markers) in order."""

    text: str
    tokens: list[str]
    starts: list[int]  # where each token begins in `text`


def squeeze(word: str) -> str:
    """Collapse runs of one repeated ASCII letter to a single letter ("sooo" -> "so")."""
    return _REPEATS.sub(r"\1", word)


def fold_case(text: str) -> str:
    """Lower-case text while keeping every character at its index (spans stay valid)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A few characters lower-case to two (U+0130 İ): keep those as they are.
    return "".join(low if len(low := char.lower()) == 1 else char for char in text)


def flatten(text: str) -> Flat:
    """Return the normalised form of a message with its tokens."""
    raw = _TOKEN.findall(_APOSTROPHE.sub("", fold_case(text)))
    if len(_SQUEEZED) > _CACHE_LIMIT:
        _SQUEEZED.clear()
        _SQUEEZED.update(_MARKS)
    cached = _SQUEEZED.get
    tokens = [cached(token) or _remember(token) for token in raw]
    # Token i starts after the padding space, i separating spaces and the tokens before it.
    starts = list(map(add, count(1), accumulate(map(len, tokens), initial=0)))
    return Flat(f" {' '.join(tokens)} " if tokens else " ", tokens, starts[:-1])


def normalize(text: str) -> str:
    """Return the padded, squeezed, marker-separated form of a message."""
    return flatten(text).text


def _remember(token: str) -> str:
    squeezed = _REPEATS.sub(r"\1", token)
    _SQUEEZED[token] = squeezed
    return squeezed


def original_span(text: str, flat: Flat, start: int, end: int) -> tuple[int, int]:
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
    words = islice(_WORD.finditer(fold_case(text)), before, before + max(1, inside))
    found = [match.span() for match in words]
    if not found:  # defensive: cannot happen while the two word definitions agree
        return (0, 0)
    return (found[0][0], found[-1][1])
