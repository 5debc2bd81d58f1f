"""The statement coach: read a draft message to a partner and say, kindly, how it may land.

`Coach.load(content_dir)` compiles the content once; `analyze(text)` is then pure and fast
(a single pass over the words, no regular-expression backtracking) and never raises on any
input. `feedback_html` turns the analysis into the message the bot sends.
"""

from __future__ import annotations

import html
from pathlib import Path

from bot.coach.content import CoachContent, load_coach_content
from bot.coach.detect import FeelingHit, Findings, Hit, find, issue_from, needs_feeling
from bot.coach.feedback import Feedback, render_feedback, select_feedback
from bot.coach.results import CODES, STRENGTH_CODES, Analysis, Issue, Strength
from bot.coach.rewrite import build_rewrite


class Coach:
    """Rule-based, explainable feedback on non-blaming statements."""

    __slots__ = ("_content",)

    def __init__(self, content: CoachContent) -> None:
        self._content = content

    @classmethod
    def load(cls, content_dir: Path) -> Coach:
        """Load coach/*.yml from a locale folder; raise ContentError listing problems."""
        return cls(load_coach_content(content_dir))

    def analyze(self, text: str) -> Analysis:
        """Return the verdict, issues, strengths, feeling and rewrite for one draft."""
        content = self._content
        findings = find(content, text)
        issues = [issue_from(hit, text, self._tip(hit)) for hit in findings.issues]
        if needs_feeling(findings):
            stripped = text.strip()
            start = text.find(stripped) if stripped else 0
            issues.append(
                Issue(
                    "no_feeling",
                    (start, start + len(stripped)),
                    stripped,
                    content.tips["no_feeling"],
                )
            )
        issues.sort(key=lambda i: (i.span[0], CODES.index(i.code), i.span[1]))
        counted = [f for f in findings.feelings if f.counts]
        # Prefer a feeling said plainly ("sad") over one said in the negative ("not angry").
        feeling = next((f for f in counted if not f.negated), counted[0] if counted else None)
        strengths = self._strengths(findings, feeling)
        if issues:
            primary = self._primary(issues)
            rewrite: str | None = build_rewrite(content, text, findings, primary)
        else:
            rewrite = None
        return Analysis(
            text=text,
            verdict="try_again" if issues else "ready",
            issues=tuple(issues),
            strengths=strengths,
            feeling=feeling.word if feeling else None,
            rewrite=rewrite,
        )

    def select_feedback(self, analysis: Analysis) -> Feedback:
        """Return the strength and the (at most two) suggestions the message will mention."""
        return select_feedback(analysis, self._content.templates.feedback)

    def feedback_html(self, analysis: Analysis) -> str:
        """Return the message the bot sends about an analysis (Telegram HTML)."""
        config = self._content.templates.feedback
        return render_feedback(analysis, select_feedback(analysis, config), config)

    def _tip(self, hit: Hit) -> str:
        tip = hit.tip if hit.tip is not None else self._content.tips[hit.code]
        if hit.code != "faux_feeling":
            return tip
        config = self._content.templates.feedback
        entry = hit.faux or next(iter(self._content.faux.values()))
        deeper = list(entry.deeper)
        joined = config.list_join.join(deeper[:-1]) + config.list_join_last + deeper[-1]
        return tip.format(word=html.escape(entry.word, quote=False), alternatives=joined)

    def _strengths(self, findings: Findings, feeling: FeelingHit | None) -> tuple[Strength, ...]:
        notes = self._content.notes
        found: dict[str, Strength] = {}
        if feeling is not None:
            note = notes["feeling"].format(feeling=html.escape(feeling.word, quote=False))
            found["feeling"] = Strength("feeling", feeling.span, note)
        for hit in findings.strengths:
            if hit.code not in found:
                found[hit.code] = Strength(hit.code, hit.span, notes[hit.code])
        return tuple(found[code] for code in STRENGTH_CODES if code in found)

    def _primary(self, issues: list[Issue]) -> str:
        rank = {c: n for n, c in enumerate(self._content.templates.feedback.issue_priority)}
        return min(issues, key=lambda i: (rank.get(i.code, 99), i.span)).code
