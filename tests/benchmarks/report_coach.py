"""Report how well the statement coach reads the labelled draft sets, per issue code.

Run: .venv/bin/python tests/benchmarks/report_coach.py
Prints, for the tuned sets (the rules were adjusted until these pass) and for the held-out
set (written before tuning and never tuned against), the verdict accuracy, precision and
recall per code, accuracy per group of drafts, and every draft read differently.

    --content DIR   score another content folder (e.g. a copy with the Spanish coach)
    --cases FILE    score these files instead of the English sets (repeatable)
    --quiet         leave out the list of misses
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from coach_eval import HELD_OUT, TUNED, load_cases, report_lines, score  # noqa: E402

from bot.coach import CODES, Coach  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=ROOT / "content" / "locales" / "en")
    parser.add_argument("--cases", type=Path, action="append")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    coach = Coach.load(args.content)
    if args.cases:
        groups = [(", ".join(p.name for p in args.cases), tuple(args.cases))]
    else:
        groups = [(f"tuned ({path.name})", (path,)) for path in TUNED]
        groups += [("tuned, all", TUNED), ("held out", HELD_OUT)]
    for title, paths in groups:
        cases = load_cases(paths, CODES)
        ready = sum(case.verdict == "ready" for case in cases)
        scores = score(coach, cases, CODES)
        print("\n".join(report_lines(f"{title}, {ready} ready", scores, misses=not args.quiet)))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
