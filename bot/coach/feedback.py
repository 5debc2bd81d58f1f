"""Turn an Analysis into the one message the bot sends, using content templates only.

The message is short on purpose: one thing the draft already does well, at most two
suggestions (the most important first, each quoting the user's exact words and giving one
reason), then the rewrite to adapt. A ready draft gets a warm confirmation instead.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from bot.coach.results import Analysis, Issue, Strength
from bot.coach.schema import FeedbackFile
from bot.content.html import shorten

MAX_SUGGESTIONS = 2
MAX_QUOTE_CHARS = 160


@dataclass(frozen=True, slots=True)
class Feedback:
    """What the message will mention: one strength at most and the chosen suggestions."""

    strength: Strength | None
    suggestions: tuple[Issue, ...]


def select_feedback(analysis: Analysis, config: FeedbackFile) -> Feedback:
    """Pick the strength and the (at most two) suggestions to mention, by content priority."""
    strength_rank = {code: n for n, code in enumerate(config.strength_priority)}
    strengths = sorted(analysis.strengths, key=lambda s: strength_rank.get(s.code, 99))
    issue_rank = {code: n for n, code in enumerate(config.issue_priority)}
    chosen: list[Issue] = []
    for issue in sorted(analysis.issues, key=lambda i: (issue_rank.get(i.code, 99), i.span)):
        if all(c.code != issue.code for c in chosen):
            chosen.append(issue)
        if len(chosen) == MAX_SUGGESTIONS:
            break
    return Feedback(strengths[0] if strengths else None, tuple(chosen))


def render_feedback(analysis: Analysis, feedback: Feedback, config: FeedbackFile) -> str:
    """Return the HTML message for an analysis (user words escaped, wording from content)."""
    note = feedback.strength.note if feedback.strength is not None else ""
    if analysis.verdict == "ready":
        return config.ready.format(strength=note).strip()
    parts = [
        config.opening_with_strength.format(strength=note)
        if feedback.strength is not None
        else config.opening_without_strength
    ]
    lines = []
    for issue in feedback.suggestions:
        quote = issue.quote.strip()
        if issue.code == "no_feeling" or not quote:
            lines.append(config.suggestion_plain.format(tip=issue.tip))
        else:
            lines.append(config.suggestion_quoted.format(quote=quote_html(quote), tip=issue.tip))
    parts.append("\n".join(lines))
    if analysis.rewrite:
        parts.append(config.rewrite.format(rewrite=html.escape(analysis.rewrite, quote=False)))
    return "\n\n".join(p.strip() for p in parts if p.strip())


def quote_html(quote: str) -> str:
    """Escape the user's words for HTML, shortening a very long quote with an ellipsis."""
    return html.escape(shorten(quote, MAX_QUOTE_CHARS), quote=False)
