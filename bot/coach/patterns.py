"""A small phrase language for content authors, compiled into fast matchers over word tokens.

Content files describe what to look for with phrases like
`if you (don't|won't) ... {consequence}` or `[you {adverb}* always]`. A phrase is matched on
canonical words (see `tokens`), never on raw characters, so there is no regular expression to
backtrack and "dont", "don't" and "do not" all match the same pattern. The syntax:

    words      literal words, normalised like drafts are
    word*      any word that starts with "word"
    *ending    any longer word that ends with "ending" ("*as": escuchas, llamas)
    (a|b c|)   one of the options, longest first; an empty option makes the group optional
    {name}     one phrase from a named list; {name}* repeats it (0 to 6 times, greedy)
    _          any one word
    ...        up to 8 words in between, inside one sentence
    ^ and $    the start and the end of a clause
    !x         "not followed by x" (x is a word, a group or a {list}); uses up no words
    [ ]        the part to quote back to the user (default: the whole match)

Choices commit: the first option that fits (longest first) is kept and never revisited, and a
repeat takes as much as it can. Only `...` tries several lengths. This keeps every match linear
and predictable, which is what lets the coach read 10,000 characters in milliseconds.

Longer than ~400 lines on purpose: the compiler and the matcher of this small language share
their node classes (Alt, Gap, Anchor, …) and each node's compile and match code reads best side
by side.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from bot.coach.tokens import Tokens

Option = tuple[str, ...]


class WordsOf(Protocol):
    """How content phrases become canonical words (Tokenizer.words)."""

    def __call__(self, text: str, *, expand: bool = True) -> tuple[str, ...]: ...


K = TypeVar("K")

GAP_WORDS = 8
MAX_REPEAT = 6

_LEX = re.compile(
    r"(?P<space>\s+)|(?P<gap>\.\.\.)|(?P<list>\{[A-Za-z0-9_]+\}\*?)"
    r"|(?P<punct>[\[\]()|!^$])|(?P<word>[^\s\[\]()|{}!^$]+)"
)


class PatternError(ValueError):
    """A phrase that cannot be compiled; the message is written for content authors."""


def _word_fits(pattern_word: str, word: str) -> bool:
    if pattern_word[0] == "*":
        return len(word) > len(pattern_word) - 1 and word.endswith(pattern_word[1:])
    if pattern_word[-1] == "*":
        return word.startswith(pattern_word[:-1])
    return pattern_word == word


class _Node:
    """One step of a word trie: the words that may follow, and whether a phrase ends here."""

    __slots__ = ("ends", "next")

    def __init__(self) -> None:
        self.ends = False
        self.next: dict[str, _Node] = {}


@dataclass(frozen=True, slots=True)
class Alt:
    """One of several word sequences (a literal, a group or a list), optionally repeated.

    Exact options live in a word trie, so finding the longest option that fits costs one dict
    lookup per word however long the list is; options with a `word*` go to a short side list.
    """

    options: tuple[Option, ...]
    optional: bool = False
    repeat: bool = False
    trie: _Node = field(default_factory=_Node)
    prefixed: tuple[Option, ...] = ()
    # Options whose first word ends in "*" and the rest is exact: prefix -> the words after.
    star_first: Mapping[str, tuple[Option, ...]] = field(default_factory=dict)
    longest_star: int = 0
    other_star: tuple[Option, ...] = ()  # "*" later in the option: tested one by one

    @classmethod
    def of(cls, options: Iterable[Option], *, optional: bool = False, repeat: bool = False) -> Alt:
        """Build an Alt with its word trie (longest option wins)."""
        unique = sorted(set(options), key=lambda o: (-len(o), o))
        root = _Node()
        prefixed: list[Option] = []
        for option in unique:
            if any("*" in word for word in option):
                prefixed.append(option)
                continue
            node = root
            for word in option:
                node = node.next.setdefault(word, _Node())
            node.ends = True
        star_first: dict[str, list[Option]] = {}
        other: list[Option] = []
        for option in prefixed:
            if option[0].endswith("*") and not any("*" in w for w in option[1:]):
                star_first.setdefault(option[0][:-1], []).append(option[1:])
            else:
                other.append(option)
        longest = max((len(prefix) for prefix in star_first), default=0)
        return cls(
            tuple(unique),
            optional,
            repeat,
            root,
            tuple(prefixed),
            {k: tuple(v) for k, v in star_first.items()},
            longest,
            tuple(other),
        )

    def first_words(self) -> tuple[frozenset[str], tuple[str, ...]]:
        """Return the exact first words and the first-word prefixes this Alt can start with."""
        exact = set(self.trie.next)
        prefixes: list[str] = []
        for option in self.prefixed:
            if option[0].endswith("*"):
                prefixes.append(option[0][:-1])
            else:
                exact.add(option[0])
        return frozenset(exact), tuple(prefixes)

    @property
    def starts_anywhere(self) -> bool:
        """Whether an option starts with a `*ending`, so no word list can say where it starts."""
        return any(option[0].startswith("*") for option in self.prefixed)

    def once(self, tokens: Tokens, i: int, sentence: int) -> int:
        """Return the end of the longest option matching at `i`, or -1."""
        words, sentences = tokens.words, tokens.sentence
        n = len(words)
        best = -1
        node = self.trie
        j = i
        while j < n and sentences[j] == sentence:
            step = node.next.get(words[j])
            if step is None:
                break
            j += 1
            if step.ends:
                best = j
            node = step
        if self.prefixed:
            best = max(best, self.prefixed_end(tokens, i, sentence))
        return best

    def prefixed_end(self, tokens: Tokens, i: int, sentence: int) -> int:
        """Return the end of the longest `word*` option matching at `i`, or -1."""
        words, sentences = tokens.words, tokens.sentence
        n = len(words)
        if i >= n or sentences[i] != sentence:
            return -1
        best = -1
        word = words[i]
        # Look the word's own beginnings up instead of testing every prefix in the list.
        for length in range(1, min(len(word), self.longest_star) + 1):
            for rest in self.star_first.get(word[:length], ()):
                end = i + 1 + len(rest)
                fits = end > best and end <= n and sentences[end - 1] == sentence
                if fits and words[i + 1 : end] == rest:
                    best = end
        for option in self.other_star:
            end = i + len(option)
            fits = end > best and end <= n and sentences[end - 1] == sentence
            if fits and all(_word_fits(option[k], words[i + k]) for k in range(len(option))):
                best = end
        return best


@dataclass(frozen=True, slots=True)
class Gap:
    """Up to GAP_WORDS words of anything, inside one sentence.

    `first` and `prefixes` are the words the part after the gap must start with, when that
    part is a required word or list: the gap then only tries the positions where it can.
    """

    first: frozenset[str] | None = None
    prefixes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AnyWord:
    """Exactly one word, inside the sentence."""


@dataclass(frozen=True, slots=True)
class NotFollowedBy:
    """A zero-width check that the next words are not `alt`."""

    alt: Alt


@dataclass(frozen=True, slots=True)
class Anchor:
    """A zero-width check for the start (`^`) or end (`$`) of a clause."""

    at_start: bool


@dataclass(frozen=True, slots=True)
class Focus:
    """Marks where the quoted part of a match opens or closes."""

    opens: bool


Element = Alt | Gap | AnyWord | NotFollowedBy | Anchor | Focus


@dataclass(frozen=True, slots=True)
class Match:
    """Token indices of one match: the whole of it and the part to quote."""

    start: int
    end: int
    focus_start: int
    focus_end: int


@dataclass(frozen=True, slots=True)
class Pattern:
    """One compiled phrase."""

    source: str
    elements: tuple[Element, ...]
    first: frozenset[str] | None  # None: may start at any word
    first_prefixes: tuple[str, ...]
    # For each required part, the words one of which must occur somewhere in the draft; a
    # pattern whose words are absent is skipped without being tried.
    needs: tuple[frozenset[str], ...] = ()

    def match(self, tokens: Tokens, i: int) -> Match | None:
        """Match this pattern starting exactly at token `i`."""
        if i >= len(tokens.words):
            return None
        marks = [i, -1]
        end = _run(self.elements, 0, tokens, i, tokens.sentence[i], marks)
        if end < 0 or end == i:
            return None
        return Match(i, end, marks[0], end if marks[1] < 0 else marks[1])


def _run(
    elements: Sequence[Element], k: int, tokens: Tokens, i: int, sentence: int, marks: list[int]
) -> int:
    # The hot loop of the coach: the element kinds are tested with `type(...) is` (cheaper
    # than isinstance) because this runs per word.
    words, sentences = tokens.words, tokens.sentence
    n = len(words)
    count = len(elements)
    while k < count:
        element = elements[k]
        kind = type(element)
        if kind is Alt:
            assert isinstance(element, Alt)
            for _ in range(MAX_REPEAT if element.repeat else 1):
                best = element.once(tokens, i, sentence)
                if best < 0:
                    if not (element.optional or element.repeat):
                        return -1
                    break
                i = best
        elif kind is Gap:
            assert isinstance(element, Gap)
            first, prefixes = element.first, element.prefixes
            for skip in range(GAP_WORDS + 1):
                j = i + skip
                if j > n or (skip and sentences[j - 1] != sentence):
                    break
                if first is not None and (
                    j == n
                    or (words[j] not in first and not any(map(words[j].startswith, prefixes)))
                ):
                    continue
                end = _run(elements, k + 1, tokens, j, sentence, marks)
                if end >= 0:
                    return end
            return -1
        elif kind is AnyWord:
            if i >= n or sentences[i] != sentence:
                return -1
            i += 1
        elif kind is NotFollowedBy:
            assert isinstance(element, NotFollowedBy)
            if element.alt.once(tokens, i, sentence) >= 0:
                return -1
        elif kind is Anchor:
            assert isinstance(element, Anchor)
            clause = tokens.clause
            if element.at_start:
                edge = i < n and (i == 0 or clause[i] != clause[i - 1])
            else:
                edge = i >= n or (i > 0 and clause[i] != clause[i - 1])
            if not edge:
                return -1
        else:
            assert isinstance(element, Focus)
            marks[0 if element.opens else 1] = i
        k += 1
    return i


def compile_pattern(source: str, lists: Mapping[str, Alt], words_of: WordsOf) -> Pattern:
    """Compile one phrase; raise PatternError with an author-friendly message."""
    lexemes = [(m.lastgroup or "", m.group()) for m in _LEX.finditer(source)]
    lexemes = [lex for lex in lexemes if lex[0] != "space"]
    if not lexemes:
        raise PatternError("the phrase is empty")
    elements: list[Element] = []
    negate = False
    focus_open = focus_closed = False
    pos = 0

    def push(element: Alt | AnyWord) -> None:
        nonlocal negate
        if negate:
            if not isinstance(element, Alt) or element.repeat or element.optional:
                raise PatternError("'!' must be followed by a word, a (group) or a {list}")
            elements.append(NotFollowedBy(element))
            negate = False
        else:
            elements.append(element)

    while pos < len(lexemes):
        kind, text = lexemes[pos]
        pos += 1
        if negate and kind not in ("word", "list") and text != "(":
            raise PatternError("'!' must be followed by a word, a (group) or a {list}")
        if kind == "gap":
            elements.append(Gap())
        elif kind == "list":
            name, repeat = text.strip("{}*"), text.endswith("*")
            if name not in lists:
                close = difflib.get_close_matches(name, list(lists), n=1)
                hint = f" (did you mean {{{close[0]}}}?)" if close else ""
                raise PatternError(f"unknown list {{{name}}}{hint}")
            alt = lists[name]
            push(Alt.of(alt.options, repeat=True) if repeat else alt)
        elif kind == "word":
            if text == "_":
                push(AnyWord())
            else:
                push(Alt.of([_phrase_words(text, words_of)]))
        elif text == "(":
            options: list[Option] = []
            current: list[str] = []
            optional = False
            while True:
                if pos >= len(lexemes):
                    raise PatternError("a '(' is never closed with ')'")
                kind, text = lexemes[pos]
                pos += 1
                if kind == "word" and text != "_":
                    current.extend(_phrase_words(text, words_of))
                elif text in ("|", ")"):
                    if current:
                        options.append(tuple(current))
                    else:
                        optional = True
                    current = []
                    if text == ")":
                        break
                else:
                    raise PatternError(f"only plain words may go inside ( ), not {text!r}")
            if not options:
                raise PatternError("a ( ) group needs at least one option")
            push(Alt.of(options, optional=optional))
        elif text == "!":
            negate = True
        elif text in ("^", "$"):
            elements.append(Anchor(at_start=text == "^"))
        elif text == "[":
            if focus_open:
                raise PatternError("only one [ ] part is allowed")
            focus_open = True
            elements.append(Focus(opens=True))
        elif text == "]":
            if not focus_open or focus_closed:
                raise PatternError("a ']' has no matching '['")
            focus_closed = True
            elements.append(Focus(opens=False))
        else:
            raise PatternError(f"unexpected {text!r}")
    if negate:
        raise PatternError("'!' at the end has nothing to check")
    if focus_open and not focus_closed:
        raise PatternError("a '[' is never closed with ']'")
    _check_swallowed(elements)
    return _finish(source, tuple(_gap_lookahead(_merge_literals(elements))))


def _check_swallowed(elements: Sequence[Element]) -> None:
    """Reject a repeat that eats the very word the next part needs (repeats never give back)."""
    swallowed: set[str] = set()  # single words a repeat since the last required part takes
    for element in elements:
        if isinstance(element, Alt):
            clash = sorted({option[0] for option in element.options if option[0] in swallowed})
            if clash and not element.repeat:
                word = clash[0]
                raise PatternError(
                    f"the repeat before it takes {word!r} first, so the next part can never "
                    f"match {word!r}; remove {word!r} from one of them"
                )
            if element.repeat:
                swallowed.update(option[0] for option in element.options if len(option) == 1)
            elif not element.optional:
                swallowed = set()
        elif isinstance(element, AnyWord | Gap):
            swallowed = set()


def _phrase_words(text: str, words_of: WordsOf) -> Option:
    if text.startswith("*"):
        words = words_of(text[1:], expand=False)
        if len(words) != 1 or text.endswith("*"):
            raise PatternError(f"{text!r}: a '*ending' is one word ending, like '*as'")
        return ("*" + words[0],)
    star = text.endswith("*")
    words = words_of(text.rstrip("*"))
    if not words:
        raise PatternError(f"{text!r} contains no word")
    if star:
        words = (*words[:-1], words[-1] + "*")
    return words


def _gap_lookahead(elements: list[Element]) -> list[Element]:
    """Tell each gap which words the next required part can start with (see Gap)."""
    result = list(elements)
    for n, element in enumerate(result):
        if not isinstance(element, Gap):
            continue
        following = (
            e for e in result[n + 1 :] if not isinstance(e, Focus | Anchor | NotFollowedBy)
        )
        after = next(following, None)
        if isinstance(after, Alt) and not (
            after.optional or after.repeat or after.starts_anywhere
        ):
            first, prefixes = after.first_words()
            result[n] = Gap(first, prefixes)
    return result


def _merge_literals(elements: list[Element]) -> list[Element]:
    """Join runs of single-option words into one option so they are checked in one step."""
    merged: list[Element] = []
    for element in elements:
        previous = merged[-1] if merged else None
        if (
            isinstance(element, Alt)
            and isinstance(previous, Alt)
            and len(element.options) == 1
            and len(previous.options) == 1
            and not (element.optional or element.repeat or previous.optional or previous.repeat)
        ):
            merged[-1] = Alt.of([previous.options[0] + element.options[0]])
        else:
            merged.append(element)
    return merged


def _key_word(option: Option) -> str | None:
    """Return the longest exact word of an option, or None when every word is a `word*`."""
    exact = [word for word in option if "*" not in word]
    # Of equally long words, the last: "up" in "wind* me up" rules out more than "me".
    return max(reversed(exact), key=len) if exact else None


def _finish(source: str, elements: tuple[Element, ...]) -> Pattern:
    needs: list[frozenset[str]] = []
    for element in elements:
        if not isinstance(element, Alt) or element.optional or element.repeat:
            continue
        if len(element.options) == 1 and not element.prefixed:
            needs.extend(frozenset({word}) for word in element.options[0])
            continue
        # One word per option is enough to rule the part out; the longest exact word of each
        # option ("nerves" in "get* on my nerves") is rarer than its first, so it rules out more.
        keys = [_key_word(option) for option in element.options]
        if all(keys):
            needs.append(frozenset(key for key in keys if key))
    first: set[str] = set()
    prefixes: list[str] = []
    consumes = False
    for element in elements:
        if isinstance(element, Alt):
            if element.starts_anywhere:
                return Pattern(source, elements, None, (), tuple(needs))
            words, starts = element.first_words()
            first |= words
            prefixes.extend(starts)
            if not (element.optional or element.repeat):
                consumes = True
                break
        elif isinstance(element, AnyWord):
            return Pattern(source, elements, None, (), tuple(needs))
        elif isinstance(element, Gap):
            raise PatternError("a phrase cannot start with '...'")
    if not consumes and not any(isinstance(e, AnyWord | Alt) for e in elements):
        raise PatternError("the phrase matches no words")
    if not consumes:
        # Everything before the first required word is optional: it may start anywhere.
        return Pattern(source, elements, None, (), tuple(needs))
    return Pattern(source, elements, frozenset(first), tuple(prefixes), tuple(needs))


def list_item_words(item: str, words_of: WordsOf) -> Option:
    """Normalise one list entry (plain words, `word*` and `*ending` allowed) into a word tuple."""
    words: list[str] = []
    for chunk in item.split():
        if any(c in chunk for c in "[](){}|!^$") or chunk in ("_", "..."):
            raise PatternError(f"list entries are plain words; {chunk!r} is not allowed here")
        words.extend(_phrase_words(chunk, words_of))
    if not words:
        raise PatternError("empty list entry")
    return tuple(words)


@dataclass(frozen=True, slots=True)
class Found(Generic[K]):
    """A match together with the key of the rule it belongs to."""

    key: K
    match: Match


class PatternIndex(Generic[K]):
    """Many patterns, indexed by the words they can start with, scanned in one pass.

    Before trying a pattern at a word, the index checks that every word set the pattern
    needs has a member somewhere in the draft; most patterns fail that check, which is one
    integer operation (each word set is a bit) rather than a walk through the pattern.
    """

    __slots__ = ("_any", "_by_word", "_mask_of_word", "_masked", "_masks", "_prefixed")

    def __init__(self, entries: Iterable[tuple[K, Pattern]]) -> None:
        by_word: dict[str, list[tuple[K, Pattern]]] = {}
        anywhere: list[tuple[K, Pattern]] = []
        prefixed: list[tuple[str, K, Pattern]] = []
        need_numbers: dict[frozenset[str], int] = {}
        self._masks: dict[int, int] = {}  # id(pattern) -> the bits of the word sets it needs
        for key, pattern in entries:
            mask = 0
            for need in pattern.needs:
                mask |= 1 << need_numbers.setdefault(need, len(need_numbers))
            self._masks[id(pattern)] = mask
            if pattern.first is None:
                anywhere.append((key, pattern))
                continue
            for word in pattern.first:
                by_word.setdefault(word, []).append((key, pattern))
            prefixed.extend((prefix, key, pattern) for prefix in pattern.first_prefixes)
        mask_of_word: dict[str, int] = {}  # word -> the bits of the word sets it belongs to
        for need, number in need_numbers.items():
            for word in need:
                mask_of_word[word] = mask_of_word.get(word, 0) | 1 << number
        self._mask_of_word = mask_of_word
        self._any = tuple(anywhere)
        self._prefixed = tuple(prefixed)
        self._by_word = {word: (*found, *self._any) for word, found in by_word.items()}
        # The same, each with its mask, for the scan; the key None holds `_any`.
        self._masked: dict[str | None, tuple[tuple[K, Pattern, int], ...]] = {
            word: tuple((k, p, self._masks[id(p)]) for k, p in found)
            for word, found in (*self._by_word.items(), (None, self._any))
        }

    def _candidates_masked(self, word: str) -> tuple[tuple[K, Pattern, int], ...]:
        if self._prefixed:
            masks = self._masks
            return tuple((k, p, masks[id(p)]) for k, p in self._candidates(word))
        found = self._masked.get(word)
        return self._masked[None] if found is None else found

    # Pickling (the content cache): `_masks` is keyed by object ids, which change when the
    # patterns are rebuilt, so it travels as (pattern, mask) pairs and is re-keyed; `_masked`
    # is derived and rebuilt.
    def __getstate__(self) -> dict[str, Any]:
        """The index's parts, with each pattern's mask paired with the pattern."""
        patterns = [p for _, p in self._any]
        patterns += [p for found in self._by_word.values() for _, p in found]
        patterns += [p for _, _, p in self._prefixed]
        unique = {id(p): p for p in patterns}
        return {
            "any": self._any,
            "by_word": self._by_word,
            "prefixed": self._prefixed,
            "mask_of_word": self._mask_of_word,
            "masks": [(p, self._masks[key]) for key, p in unique.items()],
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Rebuild from `__getstate__`, keying the masks by the new objects' ids."""
        self._any = state["any"]
        self._by_word = state["by_word"]
        self._prefixed = state["prefixed"]
        self._mask_of_word = state["mask_of_word"]
        self._masks = {id(p): mask for p, mask in state["masks"]}
        self._masked = {
            word: tuple((k, p, self._masks[id(p)]) for k, p in found)
            for word, found in (*self._by_word.items(), (None, self._any))
        }

    def _candidates(self, word: str) -> tuple[tuple[K, Pattern], ...]:
        found = self._by_word.get(word, self._any)
        if self._prefixed:
            extra = [(k, p) for prefix, k, p in self._prefixed if word.startswith(prefix)]
            if extra:
                unique = {id(pattern): (key, pattern) for key, pattern in (*found, *extra)}
                found = tuple(unique.values())
        return found

    def scan(self, tokens: Tokens, lo: int = 0, hi: int | None = None) -> list[Found[K]]:
        """Return every match starting in tokens[lo:hi], at most one per pattern and start."""
        results: list[Found[K]] = []
        words = tokens.words
        met = 0
        mask_of_word = self._mask_of_word
        for word in set(words):
            met |= mask_of_word.get(word, 0)
        live: dict[str, list[tuple[K, Pattern]]] = {}
        stop = len(words) if hi is None else min(hi, len(words))
        for i in range(lo, stop):
            word = words[i]
            candidates = live.get(word)
            if candidates is None:
                candidates = live[word] = [
                    (key, pattern)
                    for key, pattern, mask in self._candidates_masked(word)
                    if mask & met == mask
                ]
            for key, pattern in candidates:
                match = pattern.match(tokens, i)
                if match is not None:
                    results.append(Found(key, match))
        return results

    def starts_at(self, tokens: Tokens, i: int) -> bool:
        """Return whether some pattern matches starting at token `i`."""
        if i < 0 or i >= len(tokens.words):
            return False
        return any(p.match(tokens, i) is not None for _, p in self._candidates(tokens.words[i]))

    def ends_at(self, tokens: Tokens, end: int, reach: int = 6) -> bool:
        """Return whether some pattern matches ending exactly before token `end`."""
        for i in range(max(0, end - reach), end):
            if tokens.sentence[i] != tokens.sentence[end - 1]:
                continue
            for _, pattern in self._candidates(tokens.words[i]):
                match = pattern.match(tokens, i)
                if match is not None and match.end == end:
                    return True
        return False

    def __bool__(self) -> bool:
        return bool(self._by_word or self._prefixed or self._any)
