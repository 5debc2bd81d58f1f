"""Blame said softly: sarcasm, idioms, habit phrases and labels in questions and comparisons."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from bot.coach import Coach

ROOT = Path(__file__).resolve().parents[2]


@cache
def coach() -> Coach:
    return Coach.load(ROOT / "content" / "locales" / "en")


@pytest.mark.parametrize(
    ("text", "code", "quote"),
    [
        ("Wow, nice of you to show up", "sarcasm", "Wow, nice of you to show up"),
        ("Thanks SO much for finally texting back, really appreciate it", "sarcasm",
         "Thanks SO much for finally texting back"),
        ("Oh great, another night of you on your phone", "sarcasm",
         "Oh great, another night of you on your phone"),
        ("Of course you forgot.", "sarcasm", "Of course you forgot"),
        ("You drive me up the wall", "make_me_feel", "You drive me up the wall"),
        ("you're driving me round the bend", "make_me_feel", "you're driving me round the bend"),
        ("Your snoring is driving me mad.", "make_me_feel", "Your snoring is driving me mad"),
        ("You get on my nerves.", "make_me_feel", "You get on my nerves"),
        ("yet again you forgot", "absolute", "yet again"),
        ("For once could you call?", "absolute", "For once"),
        ("You're away every single weekend.", "absolute", "every single weekend"),
        ("Like clockwork you disappear.", "absolute", "Like clockwork"),
        ("Are you always this cold?", "label", "Are you always this cold"),
        ("Could you be any more selfish?", "label", "Could you be any more selfish"),
        ("My ex was more caring than you", "label", "more caring than you"),
        ("Even a robot shows more feeling", "label", "Even a robot shows more feeling"),
        ("Any normal partner would have called.", "label", "Any normal partner would have called"),
    ],
)  # fmt: skip
def test_soft_blame_is_found_with_the_exact_words(text: str, code: str, quote: str) -> None:
    analysis = coach().analyze(text)
    assert [i.quote for i in analysis.issues if i.code == code] == [quote]


@pytest.mark.parametrize(
    "text",
    [
        "I never know what to say when I'm scared",
        "I always feel nervous before we talk, and I'd like us to take it slowly",
        "I feel hurt when plans change at the last minute; could we agree on a text if that "
        "happens?",
        "Every time I try to talk to you about money I freeze up and feel scared.",
        "For once I'm not anxious about the weekend, and I feel hopeful.",
        "Thanks so much for texting back, it really helped me feel calm.",
        "Of course you can borrow my car, I'm happy to help.",
        "You drive me to work every morning and I feel so grateful.",
        "Nobody is more caring than you, and I feel so lucky.",
    ],
)
def test_no_false_alarm_on_oneself_or_on_real_thanks(text: str) -> None:
    analysis = coach().analyze(text)
    assert analysis.verdict == "ready", analysis.codes


def test_a_pleasant_word_inside_sarcasm_is_not_a_feeling() -> None:
    analysis = coach().analyze("I'm so glad you finally decided to show up.")
    assert analysis.codes == ("sarcasm", "no_feeling")
    assert analysis.feeling is None
    assert analysis.rewrite is not None
    assert "disappointed" in analysis.rewrite
    # A real feeling next to the sarcasm still counts.
    mixed = coach().analyze("Thanks a lot for embarrassing me in front of my boss, I'm furious.")
    assert mixed.codes == ("sarcasm",)
    assert mixed.feeling == "furious"


def test_sarcasm_comes_right_after_an_ultimatum_in_the_feedback() -> None:
    analysis = coach().analyze("Oh great, you're late again. You're so selfish. If you don't "
                               "change, we're done.")  # fmt: skip
    chosen = coach().select_feedback(analysis)
    assert [issue.code for issue in chosen.suggestions] == ["ultimatum", "sarcasm"]
