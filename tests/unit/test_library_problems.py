"""Broken content gives one precise problem per mistake: the file, the line, where, and what."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.content.errors import ContentError
from bot.content.yamlio import load_yaml
from bot.domain.library import Library

CASES_DIR = Path(__file__).parents[1] / "data" / "library_bad"
BASE = CASES_DIR / "_base"
CASES: list[dict[str, Any]] = load_yaml(CASES_DIR / "cases.yml")["cases"]


def _build(tmp_path: Path, *cases: str) -> Path:
    """Copy the tiny valid library, then lay each case's files over it."""
    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    for case in cases:
        shutil.copytree(CASES_DIR / case, content, dirs_exist_ok=True)
    return content


def _problems(content: Path) -> list[Any]:
    with pytest.raises(ContentError) as info:
        Library.load(content)
    return info.value.problems


def test_base_fixture_is_valid() -> None:
    library = Library.load(BASE)
    assert set(library.exercises) == {
        "box_breathing",
        "four_seven_eight",
        "five_senses",
        "cold_water",
    }
    assert [lesson.id for lesson in library.lessons] == ["sample"]


def test_every_case_folder_is_listed() -> None:
    folders = {p.name for p in CASES_DIR.iterdir() if p.is_dir() and p.name != "_base"}
    assert folders == {case["case"] for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=[case["case"] for case in CASES])
def test_broken_content_gives_one_precise_problem(tmp_path: Path, case: dict[str, Any]) -> None:
    content = _build(tmp_path, case["case"])
    problems = _problems(content)
    assert len(problems) == 1, "\n".join(str(p) for p in problems)
    (problem,) = problems
    assert problem.path.relative_to(content).as_posix() == case["file"]
    assert problem.line == case["line"], str(problem)
    if "where" in case:
        assert problem.where == case["where"], str(problem)
    assert case["message"] in problem.message, str(problem)
    assert f"{case['file']}:{case['line']}:" in str(problem)


def test_problems_in_several_files_are_all_collected(tmp_path: Path) -> None:
    chosen = [
        "prompt_no_question",
        "lesson_list_item",
        "exercise_zero_seconds",
        "scenario_duplicate_id",
    ]
    problems = _problems(_build(tmp_path, *chosen))
    files = sorted(p.path.relative_to(tmp_path / "content").as_posix() for p in problems)
    expected = sorted(c["file"] for c in CASES if c["case"] in chosen)
    assert files == expected


def test_missing_folders_are_each_reported(tmp_path: Path) -> None:
    problems = _problems(tmp_path)
    names = sorted(p.path.name for p in problems)
    assert names == ["exercises", "lessons", "prompts", "scenarios.yml"]


def test_unknown_field_hint_lists_the_allowed_fields(tmp_path: Path) -> None:
    (problem,) = _problems(_build(tmp_path, "prompt_unknown_field"))
    assert problem.hint == "allowed here: id, text, follow_up"


def test_yaml_extension_is_reported_not_ignored(tmp_path: Path) -> None:
    content = _build(tmp_path)
    (content / "exercises" / "box_breathing.yml").rename(
        content / "exercises" / "box_breathing.yaml"
    )
    (problem,) = _problems(content)
    assert problem.path.name == "box_breathing.yaml"
    assert "rename it to end in .yml" in problem.hint


def test_empty_folders_are_each_reported(tmp_path: Path) -> None:
    for folder in ("prompts", "lessons", "exercises", "practice"):
        (tmp_path / folder).mkdir()
    messages = sorted(f"{p.path.name}: {p.message}" for p in _problems(tmp_path))
    assert messages == [
        "_meta.yml: file is missing",
        "exercises: has no exercises",
        "lessons: has no lessons",
        "prompts: has no theme files",
        "scenarios.yml: file is missing",
    ]
