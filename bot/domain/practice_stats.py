"""Practice progress as plain numbers: attempts, how many reached ready, which habits fade.

Pure: takes (verdict, codes) pairs oldest first. A habit is "fading" when it shows up in a
smaller share of the recent half of the drafts than of the earlier half.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

MIN_FOR_TREND = 4


@dataclass(frozen=True, slots=True)
class Progress:
    """A summary of a user's practice."""

    attempts: int
    ready: int
    fading: tuple[str, ...]
    frequent: tuple[str, ...]


def progress(history: Sequence[tuple[str, Sequence[str]]]) -> Progress:
    """Summarise (verdict, codes) pairs, oldest first."""
    ready = sum(1 for verdict, _ in history if verdict == "ready")
    fading: list[str] = []
    if len(history) >= MIN_FOR_TREND:
        half = len(history) // 2
        early, late = history[:half], history[half:]
        early_counts = Counter(code for _, codes in early for code in set(codes))
        late_counts = Counter(code for _, codes in late for code in set(codes))
        for code, count in early_counts.most_common():
            if late_counts[code] / len(late) < count / len(early):
                fading.append(code)
    overall = Counter(code for _, codes in history for code in set(codes))
    frequent = tuple(code for code, _ in overall.most_common(2))
    return Progress(len(history), ready, tuple(fading[:3]), frequent)
