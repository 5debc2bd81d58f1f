"""Which reflection prompt a user gets, and how gently to reach someone who went quiet.

Pure functions. Each user walks the prompts in an order of their own: day k takes theme
k mod T (so consecutive days differ), and within a theme an affine permutation of its prompts
(a*j + b mod n, with a coprime to n) visits every prompt once before any repeats. That needs
nothing but a counter on the user row: no history query on the hot path of the dispatcher.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Literal

from bot.domain.library import Library, Prompt

REENTRY_AFTER = timedelta(days=5)
CHECKIN_AFTER = timedelta(days=14)
# After the two-week check-in, a prompt comes only every SPARSE_EVERY days until they answer.
SPARSE_EVERY = 3

Cadence = Literal["normal", "reentry", "checkin", "sparse"]


def _mix(*values: int) -> int:
    # A small integer hash that is stable across processes (str hashes are salted).
    acc = 0x9E3779B97F4A7C15
    for value in values:
        acc = (acc ^ (value & 0xFFFFFFFFFFFFFFFF)) * 0xBF58476D1CE4E5B9 & 0xFFFFFFFFFFFFFFFF
        acc ^= acc >> 31
    return acc


def _coprime_step(n: int, seed: int) -> int:
    if n <= 2:
        return 1
    step = 1 + seed % (n - 1)
    while math.gcd(step, n) != 1:
        step = step % (n - 1) + 1
    return step


def user_themes(library: Library, chosen: Collection[str]) -> tuple[str, ...]:
    """Return the themes a user follows, in a stable order (all of them when none chosen)."""
    known = sorted(library.themes)
    picked = [t for t in known if t in chosen]
    return tuple(picked or known)


def prompt_at(library: Library, *, user_id: int, cursor: int, themes: Sequence[str]) -> Prompt:
    """Return the prompt at position `cursor` of this user's own order."""
    theme_ids = themes or tuple(sorted(library.themes))
    theme_index = cursor % len(theme_ids)
    round_ = cursor // len(theme_ids)
    prompts = library.themes[theme_ids[theme_index]].prompts
    n = len(prompts)
    seed = _mix(user_id, theme_index)
    step = _coprime_step(n, seed)
    offset = (seed >> 17) % n
    return prompts[(step * round_ + offset) % n]


def cadence(
    *,
    now: datetime,
    last_answer_at: datetime | None,
    consented_at: datetime,
    checkin_sent_at: datetime | None,
    reentry_sent_at: datetime | None,
) -> Cadence:
    """Decide how to reach a user today, from how long they have been quiet."""
    quiet_since = max(last_answer_at or consented_at, consented_at)
    quiet = now - quiet_since
    if quiet >= CHECKIN_AFTER:
        if checkin_sent_at is None or checkin_sent_at < quiet_since:
            return "checkin"
        return "sparse"
    if quiet >= REENTRY_AFTER and (reentry_sent_at is None or reentry_sent_at < quiet_since):
        return "reentry"
    return "normal"


def is_sparse_day(ordinal: int) -> bool:
    """Return whether a quiet user gets a prompt on this local day (every third day)."""
    return ordinal % SPARSE_EVERY == 0
