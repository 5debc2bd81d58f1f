"""The Spanish coach (issue 12) on its labelled drafts: content/locales/es/coach/.

The sets live here: `coach_cases_es.jsonl` (tuned on) and `coach_cases_es_heldout.jsonl`
(written before any Spanish rule, never tuned against), labelled by the policy at the top of
test_coach_quality.py. COACH_ES_DIR may point at another folder holding a Spanish `coach/`
(a draft of new rules, say) to measure that instead.
"""

from __future__ import annotations

import os
from collections import Counter
from functools import cache
from pathlib import Path

from coach_eval import SPANISH, SPANISH_HELD_OUT, load_cases, report_lines, score

from bot.coach import CODES, Coach

ACCURACY = 0.95
RECALL = 0.9
HELD_OUT_ACCURACY = 0.85
SPANISH_DIR = os.environ.get("COACH_ES_DIR") or str(
    Path(__file__).resolve().parents[2] / "content" / "locales" / "es"
)


@cache
def coach() -> Coach:
    return Coach.load(Path(SPANISH_DIR))


def test_the_spanish_sets_are_big_and_balanced() -> None:
    main, held_out = load_cases(SPANISH, CODES), load_cases(SPANISH_HELD_OUT, CODES)
    assert len(main) >= 150
    assert len(held_out) >= 50
    for cases in (main, held_out):
        share = sum(case.verdict == "ready" for case in cases) / len(cases)
        assert 0.4 <= share <= 0.6
    per_code = Counter(code for case in main for code in case.codes)
    for code in CODES:
        assert per_code[code] >= 10, f"only {per_code[code]} Spanish drafts with {code}"
    texts = [case.text for case in (*main, *held_out)]
    assert len(set(texts)) == len(texts)


def test_spanish_verdict_accuracy_and_per_code_recall() -> None:
    scores = score(coach(), load_cases(SPANISH, CODES), CODES)
    print("\n" + "\n".join(report_lines("Spanish", scores)))
    low = [f"accuracy {scores.accuracy:.3f}"] if scores.accuracy < ACCURACY else []
    low += [f"{c} recall {scores.recall(c):.3f}" for c in CODES if scores.recall(c) < RECALL]
    assert not low, ", ".join(low) + "\n" + "\n".join(scores.misses)


def test_spanish_held_out_is_reported_and_has_not_collapsed() -> None:
    scores = score(coach(), load_cases(SPANISH_HELD_OUT, CODES), CODES)
    print("\n" + "\n".join(report_lines("Spanish, held out", scores)))
    assert scores.accuracy >= HELD_OUT_ACCURACY
