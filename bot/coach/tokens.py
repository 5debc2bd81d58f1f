"""Split a draft into normalised word tokens that remember where they came from.

Users type fast: "u never listen", "youre so cold", "I’M DONE", "dont". Every word is
lower-cased, its apostrophes straightened and then looked up in a table of spelling variants
that expands it to a canonical form ("dont" -> "do not", "u" -> "you"). A language can also
fold letters: Spanish folds "á" to "a", because people type "estas" for "estás". Each canonical
word keeps the character span of the word the user actually typed, so a match on canonical
words maps back to an exact quote. Normalising word by word (instead of the whole string) also
means a case change that alters length, such as "İ", can never shift an offset.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

# Words (letters and digits, with apostrophes inside), then the punctuation that splits text
# into sentences and clauses. Everything else (spaces, emoji, quotes, hyphens inside words) only
# separates words. Each alternative is a simple character class, so matching is linear.
_TOKEN = re.compile(
    r"(?P<word>[^\W_]+(?:['’ʼ`´‘][^\W_]+)*)"
    r"|(?P<clause>\.{2,}|…|[,;:()¿¡]|[–—]|\s-+\s)"
    r"|(?P<sentence>[.!?]+|\n)"
)
_APOSTROPHE_FOLD = {"’": "'", "ʼ": "'", "`": "'", "´": "'", "‘": "'"}


@dataclass(frozen=True, slots=True)
class Tokens:
    """The words of one draft in canonical form, with spans and sentence/clause numbers."""

    words: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    sentence: tuple[int, ...]
    clause: tuple[int, ...]
    joiner: tuple[bool, ...]  # a word such as "but" that closes its clause
    # Per sentence number: whether it is a question (it ends in "?" or opens with "¿").
    question: tuple[bool, ...] = ()
    cache: dict[str, dict[int, tuple[int, int]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __len__(self) -> int:
        return len(self.words)

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Return the character span covering tokens `first` to `last - 1`."""
        return self.starts[first], self.ends[last - 1]

    def clause_start(self, index: int) -> int:
        """Return the first token index of the clause that holds token `index`."""
        return self._bounds("clause")[self.clause[index]][0]

    def clause_end(self, index: int) -> int:
        """Return one past the last token index of the clause that holds token `index`."""
        return self._bounds("clause")[self.clause[index]][1]

    def sentence_bounds(self, index: int) -> tuple[int, int]:
        """Return `(first, one past last)` token indices of the sentence holding `index`."""
        return self._bounds("sentence")[self.sentence[index]]

    def _bounds(self, kind: str) -> dict[int, tuple[int, int]]:
        # Computed once per draft on first use, so a 10,000-character run-on draft costs one
        # pass, not one walk per finding.
        found = self.cache.get(kind)
        if found is None:
            ids = self.clause if kind == "clause" else self.sentence
            found = {}
            for index, number in enumerate(ids):
                first = found.get(number, (index, index))[0]
                found[number] = (first, index + 1)
            self.cache[kind] = found
        return found


class Tokenizer:
    """Turn text into Tokens using a table of spelling variants and clause-breaking words."""

    __slots__ = ("_breaks", "_fold", "_variants")

    def __init__(
        self,
        variants: Mapping[str, tuple[str, ...]],
        breaks: frozenset[str],
        fold: Mapping[str, str] | None = None,
    ) -> None:
        self._variants = dict(variants)
        self._breaks = breaks
        # Apostrophes are always straightened; a language may fold more letters ("á" -> "a").
        self._fold = str.maketrans({**_APOSTROPHE_FOLD, **(fold or {})})

    def words(self, text: str, *, expand: bool = True) -> tuple[str, ...]:
        """Return only the canonical words of a phrase (used to compile content phrases).

        With `expand=False` the spelling variants are not applied, only case and letter
        folding: for the ending in a `*ending` pattern, which is letters, not a word.
        """
        return self.tokenize(text, expand=expand).words

    def tokenize(self, text: str, *, expand: bool = True) -> Tokens:
        """Split `text` into canonical word tokens with their original spans."""
        words: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        sentences: list[int] = []
        clauses: list[int] = []
        joiners: list[bool] = []
        questions: list[bool] = []
        asking = False  # the current sentence opened a question with "¿"
        sentence = clause = 0
        variants, breaks, fold = self._variants if expand else {}, self._breaks, self._fold
        for match in _TOKEN.finditer(text):
            kind = match.lastgroup
            if kind == "sentence":
                if words and sentences[-1] == sentence:
                    questions.append(asking or "?" in match.group())
                    sentence += 1
                    clause += 1
                    asking = False
                continue
            if kind == "clause":
                asking = asking or match.group() == "¿"
                if words and clauses[-1] == clause:
                    clause += 1
                continue
            raw = match.group()
            # casefold() also unfolds ligatures ("ﬁ"); the dot that lower-casing "İ" leaves
            # behind would otherwise make "İm" a word nobody could match.
            key = raw.casefold().replace("\u0307", "").translate(fold)
            canonical = variants.get(key)
            start, end = match.span()
            for word in canonical or (key,):
                words.append(word)
                starts.append(start)
                ends.append(end)
                sentences.append(sentence)
                clauses.append(clause)
                joiners.append(key in breaks)
            # A joining word ("but", "and") closes its clause, so what follows starts afresh.
            if key in breaks:
                clause += 1
        if words and len(questions) == sentences[-1]:
            questions.append(asking)  # the last sentence had no closing mark
        return Tokens(
            tuple(words),
            tuple(starts),
            tuple(ends),
            tuple(sentences),
            tuple(clauses),
            tuple(joiners),
            tuple(questions),
        )
