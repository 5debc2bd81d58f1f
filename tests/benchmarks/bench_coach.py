"""Benchmark the statement coach over the case set; prints one JSON object.

Run: .venv/bin/python tests/benchmarks/bench_coach.py [--cases FILE ...]
By default it reads tests/data/coach_cases.jsonl; `--cases` (repeatable) reads other drafts,
so two versions of the coach can be timed on the very same texts. The baseline is the least any analysis must do, `text.lower().split()` over the same drafts,
measured in the same process, so the ratio says how many times that cost the coach spends.
Also timed: the feedback message, loading the content, and a 10,000-character run-on draft.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot.coach import Coach  # noqa: E402

CASES = ROOT / "tests" / "data" / "coach_cases.jsonl"


def best_seconds(run: Callable[[], object], repeats: int = 7) -> float:
    """Best wall time of several runs (the least disturbed by other processes)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the statement coach.")
    parser.add_argument("--cases", type=Path, action="append")
    paths = parser.parse_args().cases or [CASES]
    started = time.perf_counter()
    coach = Coach.load(ROOT / "content" / "locales" / "en")
    load_ms = (time.perf_counter() - started) * 1000
    texts = [
        json.loads(line)["text"]
        for path in paths
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    rounds = 5

    def analyze_all() -> None:
        for _ in range(rounds):
            for text in texts:
                coach.analyze(text)

    def baseline_all() -> None:
        for _ in range(rounds):
            for text in texts:
                text.lower().split()

    analyses = [coach.analyze(text) for text in texts]

    def feedback_all() -> None:
        for _ in range(rounds):
            for analysis in analyses:
                coach.feedback_html(analysis)

    count = rounds * len(texts)
    coach_s = best_seconds(analyze_all)
    baseline_s = best_seconds(baseline_all)
    feedback_s = best_seconds(feedback_all)
    long_text = "you never listen to me and I feel like you do not care " * 180
    long_s = best_seconds(lambda: coach.analyze(long_text), repeats=3)
    print(
        json.dumps(
            {
                "drafts": len(texts),
                "analyses_per_second": round(count / coach_s),
                "mean_us_per_analysis": round(coach_s / count * 1e6, 1),
                "baseline_lower_split_us": round(baseline_s / count * 1e6, 2),
                "ratio_vs_baseline": round(coach_s / baseline_s, 1),
                "mean_us_per_feedback_html": round(feedback_s / count * 1e6, 1),
                "long_draft_chars": len(long_text),
                "long_draft_ms": round(long_s * 1000, 2),
                "content_load_ms": round(load_ms, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
