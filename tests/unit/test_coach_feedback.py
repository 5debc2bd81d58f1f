"""The message the coach sends: one strength, two suggestions at most, the rewrite, safe HTML."""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path

from bot.coach import Coach
from bot.content.html import html_problems

ROOT = Path(__file__).resolve().parents[2]


@cache
def coach() -> Coach:
    return Coach.load(ROOT / "content" / "locales" / "en")


def feedback(text: str) -> str:
    message = coach().feedback_html(coach().analyze(text))
    assert html_problems(message) == []
    return message


def test_ready_draft_gets_a_warm_confirmation_naming_the_feeling() -> None:
    message = feedback("I feel happy when you tell me about your day.")
    assert "ready" in message
    assert "<i>happy</i>" in message
    assert "<blockquote>" not in message


def test_many_issues_are_cut_to_the_two_that_matter_most() -> None:
    text = (
        "You never listen! Why do you always walk away? You're so selfish. "
        "If you don't change, we're done."
    )
    analysis = coach().analyze(text)
    assert len(analysis.codes) >= 4
    chosen = coach().select_feedback(analysis)
    # The order comes from issue_priority in feedback.yml: ultimatum, then label.
    assert [issue.code for issue in chosen.suggestions] == ["ultimatum", "label"]
    message = coach().feedback_html(analysis)
    assert message.count("• ") == 2
    assert "“If you don&#x27;t change, we&#x27;re done”" not in message  # quotes are not escaped
    assert "“If you don't change, we're done”" in message
    assert "“You're so selfish”" in message
    assert "Why do you always" not in message


def test_user_words_are_escaped_everywhere() -> None:
    text = "When you <b>yell</b> & slam doors I feel ignored"
    message = feedback(text)
    assert "<b>yell</b>" not in message
    assert "&lt;b&gt;yell&lt;/b&gt; &amp; slam doors" in message  # reused in the rewrite
    analysis = coach().analyze(text)
    assert analysis.rewrite is not None
    assert html.escape(analysis.rewrite, quote=False) in message


def test_faux_feeling_tip_offers_the_deeper_feelings() -> None:
    analysis = coach().analyze("I feel abandoned.")
    (issue,) = analysis.issues
    assert "lonely, scared or sad" in issue.tip
    negated = coach().analyze("I don't feel appreciated.")
    assert "Not feeling appreciated" in negated.issues[0].tip


def test_a_strength_is_named_before_the_suggestions() -> None:
    message = feedback("When you cancelled our plans last night, I felt ignored.")
    strength_at = message.index("concrete moment")
    assert strength_at < message.index("• ")
    assert message.count("• ") == 1


def test_rewrite_keeps_the_users_own_moment_and_offers_a_deeper_feeling() -> None:
    analysis = coach().analyze("When you cancelled our plans last night, I felt ignored.")
    assert analysis.rewrite is not None
    assert analysis.rewrite.startswith("When you cancelled our plans last night, I felt lonely.")
    present = coach().analyze("I feel abandoned when you go out with your friends on weekends.")
    assert present.rewrite is not None
    assert present.rewrite.startswith(
        "When you go out with your friends on weekends, I feel lonely."
    )


def test_rewrite_falls_back_to_a_template_when_the_moment_is_itself_an_issue() -> None:
    analysis = coach().analyze("When you ignore me I feel hurt.")
    assert analysis.rewrite is not None
    assert analysis.rewrite.startswith("When [one specific moment], I felt hurt.")
    ultimatum = coach().analyze("If you don't open up, I'm done.")
    assert ultimatum.rewrite is not None
    assert "closeness" in ultimatum.rewrite


def test_no_feeling_suggestion_has_no_quote() -> None:
    message = feedback("We need to talk.")
    assert "“" not in message.split("<blockquote>")[0]
    assert "feeling" in message


def test_a_very_long_quote_is_shortened_in_the_message() -> None:
    text = "I feel like you " + "really " * 200 + "never listen"
    message = feedback(text)
    assert len(message) < 1500
    assert "…" in message
