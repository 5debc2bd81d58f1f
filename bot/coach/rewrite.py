"""Suggest a plain-text rewrite the user can adapt, built from content templates.

The rewrite keeps what the draft already does well and fills in the rest: the user's own
feeling word if they named one (or a deeper feeling behind a faux one, or a gentle default for
the main issue), the concrete moment from their draft when that part is free of issues, and an
invitation that fits the main issue. Brackets in the templates ("[one specific moment]") mark
the parts only the user can fill in.
"""

from __future__ import annotations

import re

from bot.coach.content import CoachContent
from bot.coach.detect import Findings, Hit

MIN_SITUATION_WORDS = 3  # "when you left"; a bare "when" or "yesterday" is not enough
MAX_SITUATION_WORDS = 20
MAX_SITUATION_CHARS = 160
_SPACES = re.compile(r"\s+")


def build_rewrite(content: CoachContent, text: str, findings: Findings, primary: str) -> str:
    """Return a rewrite suggestion for a draft whose main issue is `primary`."""
    config = content.templates.rewrite
    feeling = _feeling_word(findings, primary, config.feeling_for_code, config.default_feeling)
    ask = config.ask_for_code.get(primary, config.default_ask)
    situation = _situation(text, findings)
    if situation is None:
        result = config.without_situation.format(feel=config.feel_past, feeling=feeling, ask=ask)
    else:
        words, first, last = situation
        past = content.templates.past_markers.scan(findings.tokens, first, last)
        feel = config.feel_past if past else config.feel_present
        result = config.with_situation.format(situation=words, feel=feel, feeling=feeling, ask=ask)
    return _SPACES.sub(" ", result).strip()


def _feeling_word(findings: Findings, primary: str, by_code: dict[str, str], default: str) -> str:
    for hit in findings.feelings:
        if hit.counts and hit.lexical and not hit.negated:
            return hit.word
    for issue in findings.issues:
        if issue.faux is not None:
            return issue.faux.deeper[0]
    return by_code.get(primary, default)


def _situation(text: str, findings: Findings) -> tuple[str, int, int] | None:
    """Return the draft's own description of the moment, if it is clean enough to reuse."""
    tokens = findings.tokens
    stops = sorted({h.begin for h in findings.issues} | {f.begin for f in findings.feelings})
    for hit in findings.strengths:
        if hit.code != "situation":
            continue
        first = hit.first
        last = tokens.clause_end(hit.last - 1)
        while last > hit.last and tokens.joiner[last - 1]:
            last -= 1
        # Stop where the feeling or an issue begins: "when you cancel, I feel…".
        last = min([last, *(s for s in stops if s > first)])
        if not MIN_SITUATION_WORDS <= last - first <= MAX_SITUATION_WORDS:
            continue
        start, end = tokens.span(first, last)
        if any(_touches(h, start, end) for h in findings.issues):
            continue
        words = _SPACES.sub(" ", text[start:end]).strip(" ,;:-")
        if not words or len(words) > MAX_SITUATION_CHARS:
            continue
        if words.isupper():
            words = words.lower()
        return words[0].upper() + words[1:], first, last
    return None


def _touches(hit: Hit, start: int, end: int) -> bool:
    return hit.span[0] < end and start < hit.span[1]
