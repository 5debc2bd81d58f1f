"""The coach's content loads, and broken content is reported to authors, every problem at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.coach import CODES, Coach
from bot.content.errors import ContentError

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "content" / "locales" / "en" / "coach"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    shutil.copytree(SOURCE, tmp_path / "coach")
    return tmp_path


def edit(content: Path, name: str, old: str, new: str) -> None:
    path = content / "coach" / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(content: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        Coach.load(content)
    return [str(problem) for problem in caught.value.problems]


def test_shipped_content_loads_and_every_file_has_a_comment_header() -> None:
    Coach.load(ROOT / "content" / "locales" / "en")
    for path in SOURCE.glob("*.yml"):
        assert path.read_text(encoding="utf-8").startswith("# "), path.name


def test_feeling_list_is_broad() -> None:
    text = (SOURCE / "feelings.yml").read_text(encoding="utf-8")
    entries = [line for line in text.splitlines() if line.startswith("    - ")]
    assert len(entries) >= 150


def test_all_problems_are_reported_together(content: Path) -> None:
    edit(content, "issues.yml", '"[you {adverb}* did not even _]"', '"[you {adverbs}* did not]"')
    edit(
        content,
        "issues.yml",
        "  tip: >-\n    Words like",
        "  colour: red\n  tip: >-\n    Words like",
    )
    edit(content, "strengths.yml", "You pointed to a concrete", "You <blink>pointed to a concrete")
    edit(content, "feedback.yml", '"• {tip}"', '"• {tip} {mood}"')
    edit(content, "faux_feelings.yml", "deeper: [lonely, scared, sad]", "deeper: [lonely, blorp]")
    edit(content, "words.yml", "    - selfish\n", "    - selfish\n    - selfish\n")
    problems = problems_of(content)
    text = "\n".join(problems)
    assert "unknown list {adverbs} (did you mean {adverb}?)" in text
    assert "issues.yml" in text
    assert "absolute.colour" in text
    assert "<blink>" in text
    assert "{mood}" in text
    assert "'blorp' is not in feelings.yml" in text
    assert "'selfish' is listed twice" in text
    assert len(problems) >= 6


def test_problems_carry_a_line_number(content: Path) -> None:
    edit(content, "issues.yml", "extend: sentence", "extend: paragraph")
    (problem,) = problems_of(content)
    assert "issues.yml:" in problem
    line = int(problem.split("issues.yml:")[1].split(":")[0])
    lines = (content / "coach" / "issues.yml").read_text(encoding="utf-8").splitlines()
    # The line of the detector that holds the bad value.
    assert lines[line - 1].strip() == "- patterns:"
    assert "accusatory_question.detectors[0].extend" in problem


def test_a_repeat_that_swallows_the_next_word_is_refused(content: Path) -> None:
    edit(content, "issues.yml", '"[you {adverb}* did not even _]"', '"[you {adverb}* just _]"')
    (problem,) = problems_of(content)
    assert "takes 'just' first" in problem


def test_missing_and_unknown_codes_are_reported(content: Path) -> None:
    edit(content, "issues.yml", "\nlabel:\n", "\nlabels:\n")
    text = "\n".join(problems_of(content))
    assert "unknown issue code 'labels'" in text
    assert "missing issue code 'label'" in text


def test_no_feeling_cannot_have_detectors(content: Path) -> None:
    path = content / "coach" / "issues.yml"
    path.write_text(
        path.read_text(encoding="utf-8") + '  detectors:\n    - patterns: ["nothing"]\n',
        encoding="utf-8",
    )
    assert any("no_feeling is decided by the coach" in p for p in problems_of(content))


def test_a_faux_word_cannot_also_be_a_feeling(content: Path) -> None:
    edit(content, "feelings.yml", "    - lonely\n", "    - lonely\n    - ignored\n")
    assert any("both a faux feeling and a feeling" in p for p in problems_of(content))


def test_duplicate_yaml_keys_and_missing_files_are_reported(content: Path) -> None:
    edit(content, "rewrite.yml", "feel_past: felt", "feel_past: felt\nfeel_past: sensed")
    (content / "coach" / "feedback.yml").unlink()
    text = "\n".join(problems_of(content))
    assert "duplicate key 'feel_past'" in text
    assert "feedback.yml" in text


def test_rewrite_text_must_be_plain(content: Path) -> None:
    edit(content, "rewrite.yml", 'default_ask: "Would', 'default_ask: "<b>Would</b>')
    assert any("cannot hold HTML" in p for p in problems_of(content))


def test_spelling_variants_must_be_single_words_listed_once(content: Path) -> None:
    edit(content, "language.yml", "  you: [u, ya, yu]", "  you: [u, ya, yu, dont, y u]")
    text = "\n".join(problems_of(content))
    assert "'dont' is listed for both" in text
    assert "'y u' must be a single word" in text


def test_every_code_has_a_tip_in_the_shipped_content() -> None:
    coach = Coach.load(ROOT / "content" / "locales" / "en")
    for code in CODES:
        assert coach._content.tips[code]


def test_tips_are_one_sentence(content: Path) -> None:
    edit(content, "issues.yml", "instead of hearing you.", "instead of hearing you. Try again.")
    (problem,) = problems_of(content)
    assert "one sentence" in problem
    assert "label.tip" in problem


def test_an_empty_file_is_reported(content: Path) -> None:
    (content / "coach" / "strengths.yml").write_text("# nothing yet\n", encoding="utf-8")
    (problem,) = problems_of(content)
    assert "strengths.yml" in problem
    assert "empty" in problem


def test_lists_declared_disjoint_may_not_share_an_entry(content: Path) -> None:
    edit(content, "words.yml", "  warm_words:\n", "  warm_words:\n    - as usual\n")
    edit(
        content,
        "words.yml",
        "  - [habitual, warm_words]",
        "  - [habitual, warm_words]\n  - [labels, warm]",
    )
    text = "\n".join(problems_of(content))
    assert "'as usual' is in both {habitual} and {warm_words}" in text
    assert "unknown list 'labels' (did you mean 'label'?)" in text
    assert "unknown list 'warm'" in text


def test_an_entry_an_included_list_already_has_is_reported(content: Path) -> None:
    edit(content, "words.yml", "  warm_words:\n", "  warm_words:\n    - grateful\n")
    (problem,) = problems_of(content)
    assert "'grateful' is already in {pleasant_feeling}, which this list includes" in problem
    assert "lists.warm_words" in problem


def test_a_second_sentence_opened_by_an_inverted_mark_is_found(content: Path) -> None:
    edit(content, "issues.yml", "instead of hearing you.", "instead of hearing you. ¿Lo ves?")
    (problem,) = problems_of(content)
    assert "one sentence" in problem


def test_letters_to_fold_are_single_characters(content: Path) -> None:
    path = content / "coach" / "language.yml"
    path.write_text(
        path.read_text(encoding="utf-8") + 'fold: {"é": "e", "ab": "c"}\n', encoding="utf-8"
    )
    assert any("fold" in p for p in problems_of(content))


def test_a_detector_can_leave_questions_alone(content: Path) -> None:
    edit(
        content,
        "issues.yml",
        '      not_after: ["{question_lead}"]',
        '      not_after: ["{question_lead}"]\n      unless_question: true',
    )
    coach = Coach.load(content)
    assert "demand" in coach.analyze("You need to leave.").codes
    assert "demand" not in coach.analyze("You need to leave?").codes
