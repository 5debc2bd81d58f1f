"""The statement coach: rule-based, explainable feedback on a draft message to a partner.

A pure module (no Telegram, no database, no clock): `Coach.load(content_dir)` reads and checks
a locale's `coach/*.yml`, `Coach.analyze(text)` returns an `Analysis` (verdict, issues with exact
spans, strengths, feeling word, rewrite) and `Coach.feedback_html(analysis)` writes the reply.

May import: ``bot.content`` and ``bot.ops`` only.
"""

from bot.coach.coach import Coach
from bot.coach.feedback import Feedback
from bot.coach.results import CODES, STRENGTH_CODES, Analysis, Issue, Strength

__all__ = ["CODES", "STRENGTH_CODES", "Analysis", "Coach", "Feedback", "Issue", "Strength"]
