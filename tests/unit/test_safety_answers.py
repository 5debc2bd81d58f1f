"""Reading a typed reply to the check question (content/safety/screen.yml, `answers:`).

Both check questions are asked so that "yes" means not safe. The handler screens the reply
first (a warning sign opens the crisis path whatever else it says); these are the replies
that carry no warning sign of their own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.safety import SafetyScreen

ROOT = Path(__file__).resolve().parents[2]
SCREEN = SafetyScreen.load(ROOT / "content" / "locales" / "en")


@pytest.mark.parametrize(
    "reply",
    [
        "no",
        "No.",
        "nope",
        "nah im ok",
        "no im fine",
        "no, i'm safe",
        "I'm safe",
        "i'm okay now",
        "all good",
        "no worries, I was just venting",
        "no he doesn't",
        "of course not",
        "not at all",
        "lol no",
        "n",
        "i meant my job",
        "no i'm not",
    ],
)
def test_safe_replies(reply: str) -> None:
    assert SCREEN.screen(reply).level == "none"
    assert SCREEN.answer(reply) == "safe"


@pytest.mark.parametrize(
    "reply",
    [
        "yes",
        "Yeah",
        "y",
        "sometimes",
        "kind of",
        "a bit",
        "i think so",
        "im not ok",
        "no im not okay",
        "no, not safe",
        "i dont feel safe",
        "please help me",
        "yes i'm safe",  # contradictory: the question was about thoughts, so ask again
    ],
)
def test_not_safe_replies(reply: str) -> None:
    assert SCREEN.answer(reply) == "not_safe"


@pytest.mark.parametrize(
    "reply",
    ["not sure", "idk", "i don't know", "maybe", "not really", "what do you mean", "ok", "why"],
)
def test_unsure_and_unclear_replies(reply: str) -> None:
    # Anything that does not say "safe" is read as unsure, which opens the crisis path.
    assert SCREEN.answer(reply) == "unsure"
