"""Benchmark the safety screen: it runs on every message, so it has to be cheap.

Prints one JSON object: screens per second and mean microseconds per screen over the case set
and over 4,000-character messages (natural text, and a few worst-case inputs), the same for the
grounding intent, and the ratio against a plain `str.lower()` pass measured in this process.
Each figure is the best of several rounds, which filters out noise from other processes.

Run: .venv/bin/python tests/benchmarks/bench_safety.py
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot.safety import SafetyScreen  # noqa: E402

ROUNDS = 7
LONG = 4000


def _best_mean_us(work: Callable[[str], object], texts: list[str], repeat: int) -> float:
    """Return the best (lowest) mean time per call in microseconds over several rounds."""
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(repeat):
            for text in texts:
                work(text)
        elapsed = time.perf_counter() - started
        best = min(best, elapsed / (repeat * len(texts)))
    return best * 1e6


def _long_messages(cases: list[str]) -> list[str]:
    """Build 4,000-character messages from the case texts (a long, chatty vent)."""
    joined = " ".join(cases)
    return [(joined[offset:] + " " + joined)[:LONG] for offset in range(0, 4000, 500)]


def main() -> None:
    """Measure and print the figures."""
    started = time.perf_counter()
    screen = SafetyScreen.load(ROOT / "content" / "locales" / "en")
    load_ms = (time.perf_counter() - started) * 1000
    lines = (ROOT / "tests" / "data" / "safety_cases.jsonl").read_text("utf-8").splitlines()
    cases = [json.loads(line)["text"] for line in lines if line.strip()]
    long_texts = _long_messages(cases)
    worst = {
        "repeated_pronoun": "he " * (LONG // 3),
        "repeated_guarded_phrase": "he hit me up " * (LONG // 13),
        "repeated_crisis_phrase": "scared of him " * (LONG // 14),
        "commas": "x," * (LONG // 2),
        "emoji": "\U0001f480" * LONG,
    }

    case_us = _best_mean_us(screen.screen, cases, 5)
    long_us = _best_mean_us(screen.screen, long_texts, 3)
    lower_case_us = _best_mean_us(str.lower, cases, 50)
    lower_long_us = _best_mean_us(str.lower, long_texts, 50)
    figures = {
        "load_ms": round(load_ms, 1),
        "cases": len(cases),
        "case_mean_chars": round(sum(map(len, cases)) / len(cases), 1),
        "screens_per_second": round(1e6 / case_us),
        "screen_us_per_case_message": round(case_us, 1),
        "screen_us_per_4000_char_message": round(long_us, 1),
        "intent_us_per_case_message": round(_best_mean_us(screen.intent, cases, 5), 1),
        "intent_us_per_4000_char_message": round(_best_mean_us(screen.intent, long_texts, 3), 1),
        "lower_us_per_case_message": round(lower_case_us, 3),
        "lower_us_per_4000_char_message": round(lower_long_us, 3),
        "ratio_vs_lower_case_messages": round(case_us / lower_case_us),
        "ratio_vs_lower_4000_char_messages": round(long_us / lower_long_us),
        "worst_case_us_4000_chars": {
            name: round(_best_mean_us(screen.screen, [text], 1), 1) for name, text in worst.items()
        },
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
