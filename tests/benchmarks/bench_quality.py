"""Quality of the coach and the safety screen per language, on the labelled sets; prints JSON.

Run: .venv/bin/python tests/benchmarks/bench_quality.py
For every locale with a set in tests/data/ (coach_cases.jsonl and safety_cases.jsonl for
English, coach_cases_es.jsonl and safety_cases_es.jsonl for Spanish, …): the coach's verdict
accuracy and per-code recall, and the safety screen's crisis recall and false-crisis rate on
idioms. Safety is measured as the bot screens: every language's screen on every message.
A locale still borrowing English's coach or screen is reported as such, not measured.
The bars (issue 12): Spanish coach accuracy >= 0.95 and recall >= 0.9 per code; Spanish
safety crisis recall 1.0 and idiom false alarms <= 10%; English figures no lower than before.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from quality import cases_file, read_cases, score_coach, score_safety  # noqa: E402

from bot.app import load_locales  # noqa: E402
from bot.ops.config import Settings  # noqa: E402


def main() -> dict[str, Any]:
    locales = load_locales(Settings(_env_file=None))  # type: ignore[call-arg]
    report: dict[str, Any] = {}
    for catalog in locales:
        figures: dict[str, Any] = {"borrowed": list(catalog.borrowed)}
        coach_set = cases_file("coach", catalog.language)
        if "coach" in catalog.borrowed:
            figures["coach"] = "not translated yet"
        elif coach_set.exists():
            scores = score_coach(catalog.coach, read_cases(coach_set))
            figures["coach"] = {
                "drafts": scores.cases,
                "verdict_accuracy": round(scores.accuracy, 3),
                "recall": {c: round(r, 3) for c, r in scores.recall.items() if scores.support[c]},
                "min_recall": round(
                    min(r for c, r in scores.recall.items() if scores.support[c]), 3
                ),
            }
        else:
            figures["coach"] = f"no {coach_set.name}"
        safety_set = cases_file("safety", catalog.language)
        if "safety/screen.yml" in catalog.borrowed:
            figures["safety"] = "not translated yet"
        elif safety_set.exists():
            cases = read_cases(safety_set)
            every = score_safety(locales.screen, cases)
            alone = score_safety(catalog.safety.screen, cases)
            figures["safety"] = {
                "messages": every.cases,
                "crisis_recall": round(every.crisis_recall, 3),
                "idiom_false_crisis": round(every.idiom_false_crisis, 3),
                "accuracy": round(every.accuracy, 3),
                "accuracy_own_screen_only": round(alone.accuracy, 3),
            }
        else:
            figures["safety"] = f"no {safety_set.name}"
        report[catalog.language] = figures
    return report


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False))
