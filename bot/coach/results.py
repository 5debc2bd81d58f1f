"""What the statement coach returns: issues and strengths with exact spans, and a verdict.

Spans are `[start, end)` character offsets into the draft exactly as the user typed it, so a
caller can always quote `text[start:end]` back. The results are frozen so they can be cached,
compared in tests and passed between the pure core and the Telegram shell without copying.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# Issue codes, in the order the design lists them. The wording lives in each locale's coach/.
CODES: tuple[str, ...] = (
    "you_blame",
    "absolute",
    "make_me_feel",
    "faux_feeling",
    "thought_as_feeling",
    "ultimatum",
    "demand",
    "label",
    "accusatory_question",
    "sarcasm",
    "no_feeling",
)

STRENGTH_CODES: tuple[str, ...] = ("feeling", "situation", "need")

Verdict = Literal["ready", "try_again"]


@dataclass(frozen=True, slots=True)
class Issue:
    """One thing in the draft that may make it harder to hear, with the exact words."""

    code: str
    span: tuple[int, int]
    quote: str
    tip: str

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-friendly view."""
        return {"code": self.code, "span": list(self.span), "quote": self.quote, "tip": self.tip}


@dataclass(frozen=True, slots=True)
class Strength:
    """One thing the draft already does well (a feeling, a concrete moment, a request)."""

    code: str
    span: tuple[int, int] | None
    note: str

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-friendly view."""
        span = list(self.span) if self.span is not None else None
        return {"code": self.code, "span": span, "note": self.note}


@dataclass(frozen=True, slots=True)
class Analysis:
    """The coach's reading of one draft."""

    text: str
    verdict: Verdict
    issues: tuple[Issue, ...]
    strengths: tuple[Strength, ...]
    feeling: str | None
    rewrite: str | None

    @property
    def codes(self) -> tuple[str, ...]:
        """Return the distinct issue codes, in the order they first appear."""
        return tuple(dict.fromkeys(issue.code for issue in self.issues))

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-friendly view (the shape `python -m bot analyze` prints)."""
        return {
            "verdict": self.verdict,
            "issues": [issue.to_dict() for issue in self.issues],
            "strengths": [strength.to_dict() for strength in self.strengths],
            "feeling": self.feeling,
            "rewrite": self.rewrite,
        }
