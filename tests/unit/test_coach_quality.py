"""Measure the statement coach on the hand-written draft sets.

The sets in `tests/data/` hold drafts written the way people type them (typos, capitals, no
punctuation, several sentences), each labelled with the verdict and the set of issue codes a
careful reader would give under this policy:

- absolute: "always / never / every time / all the time" about the partner's behaviour, and
  habit phrases without those words ("yet again", "as usual", "like clockwork", "every single
  weekend", "for once", "for the hundredth time"), when the partner is the one doing it; not
  praise ("you always make me laugh") and not about oneself ("I always feel calm", "for once
  I'm not anxious", "every time I talk to you about money I freeze"); "again" alone is not one;
- you_blame: the partner is said not to care, listen, love or try, or to ignore, hurt, ruin
  or lie, or "it's your fault" (unless that sits inside a thought, question, ultimatum or
  "you make me feel", whose own tip covers it); a concrete "you didn't call" is fine;
- make_me_feel: "you make me feel…", and idioms of being made to feel something with "you" or
  "your …" doing it ("you drive me up the wall", "your snoring is driving me round the bend",
  "you get on my nerves"); "it drives me crazy when…" is not one;
- faux_feeling / thought_as_feeling / make_me_feel: as in the design; each already asks for
  the feeling, so no_feeling is only given when none of them applies and no feeling is named;
- demand: "you need to / should / must", or a command opening a clause ("Stop…", "Grow up");
- label: a character word ("selfish", "cold"), also asked as a question ("Are you always this
  cold?", "Could you be any more selfish?") or hidden in a comparison ("My ex was more caring
  than you", "Even a robot shows more feeling", "Any normal partner would…");
- accusatory_question: "why do you…", "how could you…", "what is wrong with you" and the like;
- sarcasm: mock thanks and praise that carry blame ("Thanks SO much for finally texting back",
  "Wow, nice of you to show up", "Oh great, another night of you on your phone", "of course
  you forgot", "must be nice"); a pleasant feeling said inside the sarcasm ("I'm so glad you
  finally decided to show up") is not counted as a feeling;
- ready: no issue at all and a feeling named.

`coach_cases.jsonl` and `coach_cases_subtle.jsonl` are the tuned sets: the rules were adjusted
until they read them well, and these tests hold them there. `coach_cases_heldout.jsonl` was
written before the rules for sarcasm, idioms, habit phrases and hidden labels, and is never tuned
against; its figures are printed (`pytest -s`, or tests/benchmarks/report_coach.py) and held to
a lower floor, so it keeps telling how the coach reads drafts nobody tuned it on.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

from coach_eval import HELD_OUT, TUNED, Case, load_cases, report_lines, score

from bot.coach import CODES, Coach

ROOT = Path(__file__).resolve().parents[2]
ACCURACY = 0.97
RECALL = 0.95
PRECISION = 0.9
# The held-out set only guards against a collapse; its real figures are reported, not tuned.
HELD_OUT_ACCURACY = 0.85


@cache
def coach() -> Coach:
    return Coach.load(ROOT / "content" / "locales" / "en")


@cache
def tuned() -> tuple[Case, ...]:
    return tuple(load_cases(TUNED, CODES))


def test_the_sets_are_big_and_balanced_enough_to_mean_something() -> None:
    cases = tuned()
    subtle = load_cases(TUNED[1:], CODES)
    held_out = load_cases(HELD_OUT, CODES)
    assert len(cases) >= 600
    assert len(subtle) >= 300
    assert len(held_out) >= 150
    for name, group in (("subtle", subtle), ("held out", held_out)):
        share = sum(case.verdict == "ready" for case in group) / len(group)
        assert 0.4 <= share <= 0.6, f"{name}: {share:.2f} of the drafts are ready"
    per_code = Counter(code for case in cases for code in case.codes)
    for code in CODES:
        assert per_code[code] >= 20, f"only {per_code[code]} tuned drafts with {code}"
    texts = [case.text for case in (*cases, *held_out)]
    assert len(set(texts)) == len(texts), "a draft is listed twice (or in two sets)"


def test_tuned_sets_verdict_accuracy_and_per_code_recall() -> None:
    scores = score(coach(), tuned(), CODES)
    print("\n" + "\n".join(report_lines("tuned sets", scores)))
    low = [f"accuracy {scores.accuracy:.3f}"] if scores.accuracy < ACCURACY else []
    low += [f"{c} recall {scores.recall(c):.3f}" for c in CODES if scores.recall(c) < RECALL]
    low += [
        f"{c} precision {scores.precision(c):.3f}"
        for c in CODES
        if scores.precision(c) < PRECISION
    ]
    assert not low, "too low: " + ", ".join(low) + "\n" + "\n".join(scores.misses)


def test_held_out_set_is_reported_and_has_not_collapsed() -> None:
    scores = score(coach(), load_cases(HELD_OUT, CODES), CODES)
    print("\n" + "\n".join(report_lines("held out", scores)))
    assert scores.accuracy >= HELD_OUT_ACCURACY


def test_ready_drafts_name_a_feeling_and_others_get_a_rewrite() -> None:
    for case in tuned():
        analysis = coach().analyze(case.text)
        if analysis.verdict == "ready":
            assert analysis.feeling, case.text
            assert analysis.rewrite is None, case.text
            assert any(s.code == "feeling" for s in analysis.strengths), case.text
        else:
            assert analysis.issues, case.text
            assert analysis.rewrite, case.text
