"""The phrase language of content/safety/*.yml, the normaliser and the indexed matcher."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.safety.matcher import Matcher, MultiMatcher
from bot.safety.normalize import Normalizer, TextRules, flatten, normalize, original_span
from bot.safety.phrases import (
    Compiled,
    PhraseContext,
    PhraseError,
    _trie,
    compile_phrase,
    compile_slot,
)

BASE = PhraseContext(slots={}, gap_words=3, negators=("not", "never"))
CONTEXT = PhraseContext(
    slots={"who": compile_slot(["he", "she", "my partner"], BASE)},
    gap_words=3,
    negators=("not", "never"),
)


def _matches(phrase: str, text: str) -> bool:
    pattern = re.compile(compile_phrase(phrase, CONTEXT).regex + "(?= )")
    return pattern.search(normalize(text)) is not None


@pytest.mark.parametrize(
    ("text", "flat"),
    [
        ("I'M   sooo TIRED!!", " im so tired . . "),
        ("don\u2019t, ok?", " dont , ok . "),
        ("self-harm", " self harm "),
        ("kill myself 😭", " kil myself "),
        ("", " "),
        ("💀💀", " "),
        ("a_b", " a b "),
    ],
)
def test_normalize(text: str, flat: str) -> None:
    assert normalize(text) == flat


def test_original_span_maps_words_back() -> None:
    text = "Well... I\u2019ve   been CUTTING myself 😞"
    flat = flatten(text)
    start = flat.text.index("cuting")
    end = flat.text.index("myself") + len("myself")
    span = original_span(text, flat, start, end)
    assert text[span[0] : span[1]] == "CUTTING myself"


@pytest.mark.parametrize(
    ("phrase", "text", "expected"),
    [
        ("kill myself", "I want to KILL myself", True),
        ("kill myself", "skill myself", False),
        ("kill myself", "kill myselfie", False),
        ("[really] want to die", "want to die", True),
        ("[really] want to die", "really want to die", True),
        ("(end|ending) it all", "ending it all", True),
        ("{who} hit me", "my partner hit me", True),
        ("{who} hit me", "they hit me", False),
        ("{who} ... hit me", "he just suddenly hit me", True),
        ("{who} ... hit me", "he never hit me", False),  # a gap never swallows a negation
        ("{who} ... hit me", "he hit, me", False),  # nor a clause break
        ("suicid*", "feeling suicidal", True),
        ("*ing me", "he is bugging me", True),
        ("whats the point $", "what's the point?", True),
        ("whats the point $", "what's the point of texting him", False),
        ("self-harm", "self harm", True),
        ("don't", "dont", True),
    ],
)
def test_phrase_language(phrase: str, text: str, expected: bool) -> None:
    assert _matches(phrase, text) is expected


@pytest.mark.parametrize(
    ("phrase", "message"),
    [
        ("(a|b", "')' is missing"),
        ("[a", "']' is missing"),
        ("a)", "unexpected ')'"),
        ("{nobody}", "unknown slot {nobody}"),
        ("[a] [b]", "can match nothing"),
        ("a (|b)", "empty alternative"),
        ("a.b", "is not a word"),
        ("   ", "empty"),
    ],
)
def test_phrase_errors_say_what_to_fix(phrase: str, message: str) -> None:
    with pytest.raises(PhraseError, match=re.escape(message)):
        compile_phrase(phrase, CONTEXT)


def test_first_words_are_known_at_compile_time() -> None:
    assert compile_phrase("[really] want to die", CONTEXT).first == frozenset({"realy", "want"})
    assert compile_phrase("{who} hit me", CONTEXT).first == frozenset({"he", "she", "my"})
    assert compile_phrase("suicid*", CONTEXT).first == frozenset({"suicid*"})
    assert compile_phrase("*ing me", CONTEXT).first is None


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet="abc ", min_size=1, max_size=6), min_size=1, max_size=12),
    st.text(alphabet="abc ", max_size=6),
)
def test_trie_matches_exactly_its_words(words: list[str], probe: str) -> None:
    pattern = re.compile(_trie(words))
    for word in words:
        assert pattern.fullmatch(word)
    assert (pattern.fullmatch(probe) is not None) == (probe in words)


def test_matcher_is_leftmost_and_does_not_overlap() -> None:
    rules = [
        [compile_phrase("told me to kill myself", CONTEXT)],
        [compile_phrase("kill myself", CONTEXT)],
        [compile_phrase("suicid*", CONTEXT)],
    ]
    matcher = Matcher.build(rules)
    found = matcher.scan(flatten("he told me to kill myself. I kill myself. suicidal"))
    assert [f.rule for f in found] == [0, 1, 2]
    flat = flatten("he told me to kill myself. I kill myself. suicidal")
    assert [flat.text[f.start : f.end] for f in found] == [
        "told me to kil myself",
        "kil myself",
        "suicidal",
    ]


def test_matcher_with_no_rules_finds_nothing() -> None:
    assert Matcher.build([]).scan(flatten("anything at all")) == []


def test_compiled_slot_is_one_group() -> None:
    slot = compile_slot(["a", "b c"], BASE)
    assert isinstance(slot, Compiled)
    assert re.fullmatch(slot.regex, " b c")
    with pytest.raises(PhraseError, match="other slots"):
        compile_slot(["{x}"], BASE)


@pytest.mark.parametrize(
    ("text", "flat"),
    [
        ("Ya no aguanto MÁS", " ya no aguanto mas "),
        ("¿Por qué? ¡Nadie!", " , por que . , nadie . "),
        ("cafe\u0301s", " cafes "),  # a combining accent, as some keyboards send it
        ("año ñoño", " ano nono "),
    ],
)
def test_accents_fold_and_inverted_marks_open_a_clause(text: str, flat: str) -> None:
    assert normalize(text) == flat


def test_text_rules_come_from_the_screen_file() -> None:
    split = Normalizer(TextRules(apostrophes="split", squeeze_repeats=False, fold_accents=False))
    assert split.flatten("J'ai vu l’été").text == " j ai vu l été "
    assert split.key("Aller") == "aller"
    assert Normalizer().key("Aller") == "aler"
    text = "Il m’a dit: l’été"
    flat = split.flatten(text)
    start = flat.text.index(" l été") + 1
    span = split.original_span(text, flat, start, flat.text.index("été") + 3)
    assert text[span[0] : span[1]] == "l’été"


def test_a_span_with_a_combining_accent_maps_back_to_the_whole_word() -> None:
    text = "Me quiero morir, ya no aguanto ma\u0301s"
    flat = flatten(text)
    start = flat.text.index("aguanto")
    span = original_span(text, flat, start, flat.text.index("mas") + 3)
    assert text[span[0] : span[1]] == "aguanto ma\u0301s"


@pytest.mark.parametrize(
    ("phrase", "text", "expected"),
    [
        ("^ no", "No, I'm fine", True),
        ("^ no", "there is no way", False),
        ("^ no", "well. no", True),
        ("cant go home [,] hes there", "I can't go home, he's there", True),
        ("cant go home [,] hes there", "I can't go home he's there", True),
        ("cant go home hes there", "I can't go home, he's there", False),
        ("más", "ya no puedo mas", True),
        ("quiero (morir|desaparecer)", "QUIERO DESAPARECER", True),
    ],
)
def test_clause_start_and_clause_break(phrase: str, text: str, expected: bool) -> None:
    assert _matches(phrase, text) is expected


def test_phrases_of_a_rule_share_their_leading_parts() -> None:
    rules = [
        [
            compile_phrase("{who} [really] hit me", CONTEXT),
            compile_phrase("{who} [really] kicked me", CONTEXT),
            compile_phrase("{who} [really] hit", CONTEXT),
        ]
    ]
    matcher = Matcher.build(rules)
    (pattern,) = matcher.groups
    # The slot and the optional word are written once, not three times.
    assert pattern.pattern.count("realy") == 1
    found = matcher.scan(flatten("she really hit me. he kicked me"))
    flat = flatten("she really hit me. he kicked me")
    # The longer phrase wins where a shorter one of the same rule also matches.
    assert [flat.text[f.start : f.end] for f in found] == ["she realy hit me", "he kicked me"]


def test_multi_matcher_reports_every_list_without_one_hiding_another() -> None:
    lists = [
        [compile_phrase("hit me up", CONTEXT)],
        [compile_phrase("me up", CONTEXT), compile_phrase("hit", CONTEXT)],
    ]
    flat = flatten("he hit me up, hit me up")
    spans = MultiMatcher.build(lists).find(flat)
    assert [flat.text[s:e] for s, e in spans[0]] == ["hit me up", "hit me up"]
    assert [flat.text[s:e] for s, e in spans[1]] == ["hit", "me up", "hit", "me up"]


def test_two_phrases_in_one_sentence() -> None:
    compiled = compile_phrase("{who} hit && last night", CONTEXT)
    assert compiled.regex == compile_phrase("{who} hit", CONTEXT).regex
    assert compiled.also == (compile_phrase("last night", CONTEXT).regex,)
    with pytest.raises(PhraseError, match="'&&' needs a phrase on each side"):
        compile_phrase("hit && ", CONTEXT)


def test_second_words_are_known_at_compile_time() -> None:
    compiled = compile_phrase("{who} [really] hit me", CONTEXT)
    assert compiled.second == frozenset({"partner", "realy", "hit"})
    assert compiled.lengths == frozenset({2})
    assert compile_phrase("kms", CONTEXT).lengths == frozenset({1})
    assert compile_phrase("hit ... me", CONTEXT).second is None
