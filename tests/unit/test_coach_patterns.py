"""The phrase language content authors write coach rules in: each feature, and its errors."""

from __future__ import annotations

import pytest

from bot.coach.patterns import Alt, PatternError, PatternIndex, compile_pattern
from bot.coach.tokens import Tokenizer

TOKENIZER = Tokenizer(
    {
        "dont": ("do", "not"),
        "don't": ("do", "not"),
        "u": ("you",),
        "im": ("i", "am"),
        "i'm": ("i", "am"),
    },
    frozenset({"but", "and"}),
)
LISTS = {
    "adverb": Alt.of([("really",), ("just",)]),
    "label": Alt.of([("selfish",), ("cold",), ("self", "centered")]),
    "consequence": Alt.of([("i", "am", "leaving"), ("we", "are", "done")]),
}


def found(pattern: str, text: str) -> list[str]:
    """Return the quoted part of every match of `pattern` in `text`."""
    compiled = compile_pattern(pattern, LISTS, TOKENIZER.words)
    tokens = TOKENIZER.tokenize(text)
    quotes = []
    for hit in PatternIndex([(0, compiled)]).scan(tokens):
        start, end = tokens.span(hit.match.focus_start, hit.match.focus_end)
        quotes.append(text[start:end])
    return quotes


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("you never", "You NEVER call", ["You NEVER"]),
        ("do not care", "u dont care", ["dont care"]),  # spelling variants
        ("ignor*", "you ignored me, you ignore me", ["ignored", "ignore"]),
        ("you (make|made) me", "you made me", ["you made me"]),
        ("i feel (so|) sad", "i feel sad. i feel so sad", ["i feel sad", "i feel so sad"]),
        ("you {adverb}* {label}", "you really just cold", ["you really just cold"]),
        ("you {label}", "you self-centered jerk", ["you self-centered"]),
        ("if you ... {consequence}", "if you don't call, I'm leaving",
         ["if you don't call, I'm leaving"]),
        ("if you ... {consequence}", "if you don't. I'm leaving", []),  # not across sentences
        ("[always] you", "always you", ["always"]),
        ("you [always]", "you always", ["always"]),
        ("^ stop", "stop it. ok, stop. the bus stop", ["stop", "stop"]),
        ("or else $", "or else! or else we go", ["or else"]),
        ("you make me !happy _", "you make me happy. you make me sad", ["you make me sad"]),
        ("you _", "you", []),
        ("i am here", "I'm here", ["I'm here"]),
        ("we are done", "we are done", ["we are done"]),
        ("nunca me *as", "Nunca me escuchas. nunca me ves", ["Nunca me escuchas"]),
        ("*as", "as has", ["has"]),  # the ending needs at least one letter before it
        ("(siempre|nunca) *as", "Siempre llegas", ["Siempre llegas"]),
    ],
)  # fmt: skip
def test_phrase_features(pattern: str, text: str, expected: list[str]) -> None:
    assert found(pattern, text) == expected


def test_joining_words_end_a_clause() -> None:
    assert found("^ stop", "I love you but stop that") == ["stop"]
    assert found("^ stop", "please stop") == []


def test_repeats_take_what_they_can_and_never_give_back() -> None:
    # {adverb}* stops at the first word it does not know, so "really really just" is consumed.
    assert found("you {adverb}* cold", "you really really just cold") == [
        "you really really just cold"
    ]


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("", "empty"),
        ("you {nope}", "unknown list {nope}"),
        ("you {adverbs}", "did you mean {adverb}?"),
        ("(you|me", "never closed"),
        ("you [never", "never closed"),
        ("you] never", "no matching '['"),
        ("[you] [never]", "only one [ ] part"),
        ("... you", "cannot start with '...'"),
        ("you !", "nothing to check"),
        ("you ! ...", "'!' must be followed by"),
        ("(you|[me])", "only plain words"),
        ("you {adverb}* just", "takes 'just' first"),
        ("()", "at least one option"),
        ("*as*", "one word ending"),
    ],
)
def test_errors_speak_to_authors(pattern: str, message: str) -> None:
    with pytest.raises(PatternError, match=message.replace("?", r"\?").replace("[", r"\[")):
        compile_pattern(pattern, LISTS, TOKENIZER.words)


def test_index_skips_patterns_whose_words_are_absent() -> None:
    patterns = [
        (0, compile_pattern("you never", LISTS, TOKENIZER.words)),
        (1, compile_pattern("you {label}", LISTS, TOKENIZER.words)),
    ]
    index = PatternIndex(patterns)
    tokens = TOKENIZER.tokenize("you never, you cold")
    assert sorted((f.key, f.match.start) for f in index.scan(tokens)) == [(0, 0), (1, 2)]
    assert index.starts_at(tokens, 2)
    assert index.ends_at(tokens, 2)
    assert not index.ends_at(tokens, 1)


def test_tokens_keep_the_spans_of_what_was_typed() -> None:
    tokens = TOKENIZER.tokenize("İm ok, dont")
    assert tokens.words == ("i", "am", "ok", "do", "not")
    assert [tokens.span(i, i + 1) for i in range(5)] == [(0, 2), (0, 2), (3, 5), (7, 11), (7, 11)]
    assert tokens.clause[2] != tokens.clause[3]


def test_an_ending_pattern_may_start_anywhere_and_a_gap_still_finds_it() -> None:
    compiled = compile_pattern("*as ... siempre", LISTS, TOKENIZER.words)
    assert compiled.first is None
    assert found("[siempre] ... *es", "siempre, la verdad, tienes") == ["siempre"]


def test_letters_fold_as_the_language_says_and_spans_stay_exact() -> None:
    spanish = Tokenizer(
        {"xq": ("por", "que")}, frozenset({"pero"}), {"á": "a", "é": "e", "í": "i"}
    )
    tokens = spanish.tokenize("¿Por qué estás así? Xq sí, pero…")
    assert tokens.words == ("por", "que", "estas", "asi", "por", "que", "si", "pero")
    assert tokens.span(2, 3) == (9, 14)  # "estás", as typed
    # "¿" opens a new clause, like a comma would.
    before = spanish.tokenize("vale ¿por qué")
    assert before.clause[0] != before.clause[1]


def test_an_ending_is_letters_not_a_word_so_spelling_variants_leave_it_alone() -> None:
    typos = Tokenizer({"as": ("has",)}, frozenset())
    compiled = compile_pattern("me *as", LISTS, typos.words)
    tokens = typos.tokenize("me escuchas")
    assert PatternIndex([(0, compiled)]).scan(tokens)


def test_tokens_know_which_sentences_are_questions() -> None:
    tokens = TOKENIZER.tokenize("you need to go? ok. vale, ¿y mañana. last")
    assert tokens.question == (True, False, True, False)
