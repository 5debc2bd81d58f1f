"""Compile the small phrase language of a locale's safety/*.yml into regular expressions.

Authors write phrases, not regexes: `[really] want to (die|be dead)`, `{partner} [{aux}] hit me`.
The language has these parts: plain words (case, apostrophes, accents and doubled letters do not
matter), `(a|b c)` alternatives, `[a|b]` optional alternatives, `{slot}` for a named list of
alternatives defined once, `...` for a gap of a few words inside one clause (never a negation
word), `^` for the start of a clause, `$` for the end of one, `,` for a clause break (a phrase
only crosses one where it says so), `*` inside a word for any letters (`suicid*`, `*ing`;
alone, any one word), and `A && B` for two phrases anywhere in the same sentence. Hyphens
split words, as they do in messages. Words are made of any letters, so a Spanish or German
file is written the same way.
The compiled pattern expects the text made by `Normalizer.flatten` and every word element
consumes the space in front of it, so patterns line up with words and cannot backtrack badly:
no element can match a space, so each quantifier has only one way to split the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.safety.normalize import APOSTROPHES, CLAUSE_MARK, DEFAULT, Normalizer

_TOKEN = re.compile(r"\s*(\.\.\.|&&|\{[^{}]*\}|[()\[\]|$^,]|[^\s()\[\]{}|$^,&]+)")
# Letters (any script), digits and the wildcard.
_WORD_CHARS = re.compile(r"^(?:[^\W_]|\*)+$")
# One word of normalized text that is not a marker.
ANY_WORD = r"[^ .,]+"
# The end of a clause: a sentence or clause marker, or the end of the message, comes next.
END_OF_CLAUSE = r"(?= (?:[.,] |$))"
# The start of a clause: the word is the first of the message or follows a marker.
START_OF_CLAUSE = r"(?<![^.,])"


class PhraseError(ValueError):
    """A phrase that cannot be compiled; the message says what to change."""


# The words a phrase can start with: exact words, "prefix*" for a wildcard word, or ANY_START
# (None) when it can start with any word. The screen only tries a phrase where one of its first
# words stands, which keeps a long message cheap to scan.
First = frozenset[str] | None
ANY_START: First = None
_NO_WORDS = frozenset({0})
_AND = "&&"  # `A && B`: both in one sentence
_ANY_LENGTH = frozenset({0, 1, 2})


@dataclass(frozen=True, slots=True)
class Compiled:
    """A compiled phrase (or part of one): regex text, whether it can be empty, first words."""

    regex: str
    can_be_empty: bool
    first: First
    literal: str | None = None  # the exact text matched, when there is only one
    items: tuple[str, ...] = ()  # a phrase's top-level parts, whose regexes make `regex`
    also: tuple[str, ...] = ()  # `A && B`: what must also be in the sentence (B's regex)
    second: First = frozenset()  # the words that can come second (None: any word)
    lengths: frozenset[int] = frozenset({1})  # how many words it can match (2 means 2 or more)

    @property
    def key(self) -> str:
        """What makes two phrases the same phrase (for finding duplicates)."""
        return " && ".join((self.regex, *self.also))


@dataclass(frozen=True, slots=True)
class PhraseContext:
    """What a phrase may refer to: the named slots and the words a gap must not cross."""

    slots: Mapping[str, Compiled]
    gap_words: int
    negators: tuple[str, ...]
    text: Normalizer = DEFAULT

    def gap(self) -> str:
        """Return the regex for a gap of up to `gap_words` words that are not negations."""
        guard = "|".join(re.escape(word) for word in sorted(self.negators, key=len, reverse=True))
        not_negation = f"(?!(?:{guard}) )" if guard else ""
        return f"(?: {not_negation}{ANY_WORD}){{0,{self.gap_words}}}"


def word_key(word: str, text: Normalizer = DEFAULT) -> str:
    """Return the form a lexicon word takes after normalisation ("Don't" -> "dont")."""
    return text.key(word)


def compile_phrase(phrase: str, context: PhraseContext) -> Compiled:
    """Compile one phrase to a regex fragment whose every word eats its leading space.

    `A && B` means A, with B anywhere in the same sentence (before or after it): the result is
    A's pattern, with B's in `also`.
    """
    tokens = _tokenize(phrase, split_apostrophes=context.text.rules.apostrophes == "split")
    parts: list[list[str]] = [[]]
    for token in tokens:
        if token == _AND:
            parts.append([])
        else:
            parts[-1].append(token)
    compiled = [_compile_part(part, context) for part in parts]
    first = compiled[0]
    if len(compiled) == 1:
        return first
    return Compiled(
        first.regex,
        first.can_be_empty,
        first.first,
        first.literal,
        first.items,
        tuple(part.regex for part in compiled[1:]),
        first.second,
        first.lengths,
    )


def _compile_part(tokens: list[str], context: PhraseContext) -> Compiled:
    if not tokens:
        raise PhraseError("'&&' needs a phrase on each side")
    parser = _Parser(tokens, context)
    compiled = parser.sequence()
    if parser.position != len(tokens):
        raise PhraseError(f"unexpected '{tokens[parser.position]}'")
    if compiled.can_be_empty:
        raise PhraseError("the phrase can match nothing at all; make at least one word required")
    return compiled


def compile_slot(alternatives: Iterable[str], context: PhraseContext) -> Compiled:
    """Compile the alternatives of a slot (which may not use other slots) to one group."""
    parts = []
    for alternative in alternatives:
        if "{" in alternative:
            raise PhraseError(f"slot values cannot use other slots: '{alternative}'")
        parts.append(compile_phrase(alternative, context))
    return _either(parts, optional=False)


def _union(a: First, b: First) -> First:
    return ANY_START if a is None or b is None else a | b


def _either(parts: list[Compiled], *, optional: bool) -> Compiled:
    first: First = frozenset()
    second: First = frozenset()
    lengths: frozenset[int] = frozenset({0}) if optional else frozenset()
    for part in parts:
        first = _union(first, part.first)
        second = _union(second, part.second)
        lengths |= part.lengths
    literals = [part.literal for part in parts]
    if all(literal is not None for literal in literals):
        # Plain words only: a trie regex tries each letter once instead of every alternative
        # in turn, which keeps slots with a hundred alternatives cheap.
        regex = _trie([literal for literal in literals if literal is not None])
    else:
        regex = "(?:" + "|".join(part.regex for part in parts) + ")"
    if len(parts) == 1 and parts[0].literal is not None and not optional:
        return parts[0]
    return Compiled(
        regex + ("?" if optional else ""),
        optional or any(p.can_be_empty for p in parts),
        first,
        second=second,
        lengths=lengths,
    )


def _trie(words: list[str]) -> str:
    """Return a regex matching exactly these strings, sharing their common prefixes."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return "(?:" + _trie_node(root) + ")"


def _trie_node(node: dict[str, Any]) -> str:
    ends_here = "" in node
    branches = [re.escape(char) + _trie_node(child) for char, child in node.items() if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends_here:
        return body + "?" if len(branches) > 1 else f"(?:{body})?"
    return body


def _tokenize(phrase: str, *, split_apostrophes: bool = False) -> list[str]:
    text = phrase.strip().lower()
    tokens: list[str] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:  # only trailing whitespace is left
            break
        token = match.group(1)
        position = match.end()
        if token in ("...", "&&", "(", ")", "[", "]", "|", "$", "^", ",") or token.startswith("{"):
            tokens.append(token)
            continue
        # Hyphens split words in messages ("self-harm" is "self harm"), so here too; and so do
        # apostrophes in a language whose text rules split them ("l'amour" is "l amour").
        if split_apostrophes:
            token = re.sub(f"[{APOSTROPHES}]", "-", token)
        tokens.extend(part for part in token.split("-") if part)
    if not tokens:
        raise PhraseError("the phrase is empty")
    return tokens


class _Parser:
    """Recursive-descent parser producing regex text, emptiness and first words."""

    def __init__(self, tokens: list[str], context: PhraseContext) -> None:
        self.tokens = tokens
        self.position = 0
        self.context = context

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> str:
        symbol = self.tokens[self.position]
        self.position += 1
        return symbol

    def sequence(self) -> Compiled:
        regex = ""
        first: First = frozenset()
        second: First = frozenset()
        lengths: frozenset[int] = frozenset({0})
        literal: str | None = ""
        items: list[str] = []
        while (symbol := self.peek()) is not None and symbol not in (")", "]", "|"):
            part = self.item()
            regex += part.regex
            items.append(part.regex)
            # What can come second: the second word of what came so far, this part's first
            # word after exactly one word, or this part's second word if nothing came yet.
            if 1 in lengths:
                second = _union(second, part.first)
            if 0 in lengths:
                second = _union(second, part.second)
                first = _union(first, part.first)  # everything so far may be skipped
            lengths = frozenset(min(a + b, 2) for a in lengths for b in part.lengths)
            literal = None if literal is None or part.literal is None else literal + part.literal
        return Compiled(
            regex,
            0 in lengths,
            first,
            literal or None,
            tuple(items),
            second=second,
            lengths=lengths,
        )

    def alternatives(self, closing: str, *, optional: bool) -> Compiled:
        options: list[Compiled] = []
        while True:
            part = self.sequence()
            if not part.regex:
                raise PhraseError(f"an empty alternative before '{self.peek() or closing}'")
            options.append(part)
            symbol = self.peek()
            if symbol == "|":
                self.take()
                continue
            if symbol == closing:
                self.take()
                return _either(options, optional=optional)
            raise PhraseError(f"'{closing}' is missing")

    def item(self) -> Compiled:
        symbol = self.take()
        if symbol == "(":
            return self.alternatives(")", optional=False)
        if symbol == "[":
            return self.alternatives("]", optional=True)
        if symbol == "...":
            return Compiled(
                self.context.gap(), True, ANY_START, second=ANY_START, lengths=_ANY_LENGTH
            )
        if symbol == "$":
            return Compiled(END_OF_CLAUSE, True, frozenset(), lengths=_NO_WORDS)
        if symbol == "^":
            return Compiled(START_OF_CLAUSE, True, frozenset(), lengths=_NO_WORDS)
        if symbol == ",":
            return Compiled(" " + re.escape(CLAUSE_MARK), False, frozenset({CLAUSE_MARK}))
        if symbol.startswith("{"):
            name = symbol[1:-1].strip()
            if name not in self.context.slots:
                known = ", ".join(sorted(self.context.slots)) or "none"
                raise PhraseError(f"unknown slot {{{name}}} (known: {known})")
            return self.context.slots[name]
        return _word(symbol, self.context.text)


def _word(token: str, text: Normalizer) -> Compiled:
    key = text.key(token)
    if not key or not _WORD_CHARS.match(key):
        raise PhraseError(
            f"'{token}' is not a word: use letters, digits, apostrophes and '*' only"
        )
    if "*" not in key:
        return Compiled(" " + re.escape(key), False, frozenset({key}), " " + key)
    prefix = key.split("*", 1)[0]
    regex = "".join(ANY_WORD[:-1] + "*" if char == "*" else re.escape(char) for char in key)
    if key == "*":  # a whole word, whatever it is
        regex = ANY_WORD
    return Compiled(" " + regex, False, frozenset({prefix + "*"}) if prefix else ANY_START)
