"""Safety texts, and how broken safety content is reported."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.content.errors import ContentError
from bot.content.html import html_problems
from bot.safety import SafetyScreen, SafetyText, SafetyTexts

ROOT = Path(__file__).resolve().parents[2]
# Words the brief rules out for this bot's own voice (it is not therapy, not a clinic).
CLINICAL = re.compile(r"\b(therapist|therapy|diagnos\w*|treatment|disorder|patient)\b", re.I)


@pytest.fixture(scope="module")
def texts() -> SafetyTexts:
    return SafetyTexts.load(ROOT / "content" / "locales" / "en")


def _copy_content(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "content" / "locales" / "en" / "safety", tmp_path / "safety")
    return tmp_path


def test_every_key_is_there_and_valid_html(texts: SafetyTexts) -> None:
    for key in SafetyText:
        text = texts.entries[key.value]
        assert text.strip(), key
        assert html_problems(text) == [], key
        assert not CLINICAL.search(text), key


def test_crisis_texts_say_what_the_brief_asks(texts: SafetyTexts) -> None:
    self_harm = texts.get(SafetyText.crisis_self_harm)
    assert "ending your life?" in self_harm
    assert "You matter" in self_harm
    abuse = texts.get(SafetyText.crisis_abuse)
    assert "not your fault" in abuse
    assert "attachment" in abuse
    assert "Delete" in abuse
    assert "device" in abuse.lower()
    assert "paused" in abuse
    for key in (SafetyText.check_self_harm, SafetyText.check_abuse):
        assert texts.get(key).count("?") >= 1


def test_emergency_line_fills_and_escapes_the_number(texts: SafetyTexts) -> None:
    line = texts.get(SafetyText.emergency_line, number="112 & 999")
    assert "112 &amp; 999" in line
    assert html_problems(line) == []


def test_buttons_are_short(texts: SafetyTexts) -> None:
    for key in SafetyText:
        if key.value.startswith("btn_"):
            assert len(texts.get(key)) <= 40, key


def test_missing_key_and_wrong_placeholder_are_reported(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)
    path = content / "safety" / "messages.yml"
    text = path.read_text("utf-8")
    text = re.sub(r"(?m)^sos_intro: .*\n(  .*\n)*", "", text)
    text = text.replace("call <b>{number}</b>", "call <b>{phone}</b>")
    text += "btn_typo: Hello\n"
    path.write_text(text, "utf-8")
    with pytest.raises(ContentError) as caught:
        SafetyTexts.load(content)
    found = {(p.where, p.message) for p in caught.value.problems}
    assert ("", "missing key 'sos_intro' (the bot uses it)") in found
    assert ("emergency_line", "must use {number}") in found
    assert ("btn_typo", "unknown key (no handler uses it)") in found


def test_bad_html_in_a_text_is_reported(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)
    path = content / "safety" / "messages.yml"
    path.write_text(
        path.read_text("utf-8").replace("menu_prompt: What", "menu_prompt: <div>What"), "utf-8"
    )
    with pytest.raises(ContentError) as caught:
        SafetyTexts.load(content)
    assert any(p.where == "menu_prompt" for p in caught.value.problems)


def test_screen_content_problems_point_at_the_line(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)
    path = content / "safety" / "screen.yml"
    text = path.read_text("utf-8")
    text = text.replace("      - kms\n", "      - kms {nosuchslot}\n", 1)
    text = text.replace(
        "  - id: passive_wish\n    kind: self_harm\n    level: check\n",
        "  - id: passive_wish\n    kind: self_harm\n    level: check\n    explicit: [a b c]\n",
        1,
    )
    path.write_text(text, "utf-8")
    with pytest.raises(ContentError) as caught:
        SafetyScreen.load(content)
    problems = caught.value.problems
    slot = next(p for p in problems if "unknown slot {nosuchslot}" in p.message)
    assert slot.line is not None
    assert "suicidal_thoughts" in slot.where
    assert any("only crisis categories can have explicit phrases" in p.message for p in problems)


def _broken(tmp_path: Path, old: str, new: str) -> list[str]:
    """Load the screen with one edit and return the problems' texts."""
    content = _copy_content(tmp_path)
    path = content / "safety" / "screen.yml"
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")
    with pytest.raises(ContentError) as caught:
        SafetyScreen.load(content)
    return [str(problem) for problem in caught.value.problems]


def test_a_guard_naming_an_unknown_category_is_reported_with_a_suggestion(
    tmp_path: Path,
) -> None:
    (problem,) = _broken(tmp_path, "categories: [preparation]\n", "categories: [preperation]\n")
    assert "unknown category 'preperation'" in problem
    assert "did you mean 'preparation'?" in problem
    assert "screen.yml:" in problem


def test_an_empty_phrase_list_is_reported(tmp_path: Path) -> None:
    (problem,) = _broken(
        tmp_path,
        "  - id: mention\n",
        "  - id: hollow\n    kind: self_harm\n    level: check\n    phrases: []\n"
        "  - id: mention\n",
    )
    assert "phrases: List should have at least 1 item" in problem


def test_a_duplicate_category_id_is_reported(tmp_path: Path) -> None:
    (problem,) = _broken(
        tmp_path,
        "  - id: mention\n",
        "  - id: burden\n    kind: self_harm\n    level: check\n    phrases: [lonely star]\n"
        "  - id: mention\n",
    )
    assert "(burden): duplicate category id" in problem


def test_a_category_without_phrases_is_reported(tmp_path: Path) -> None:
    (problem,) = _broken(
        tmp_path,
        "  - id: mention\n",
        "  - id: hollow\n    kind: abuse\n    level: check\n  - id: mention\n",
    )
    assert "categories[" in problem and "(hollow)" in problem
    assert "the category has no phrases" in problem


def test_a_phrase_in_two_categories_is_reported(tmp_path: Path) -> None:
    (problem,) = _broken(
        tmp_path,
        "      - walk* on (eggshells|egg shells)\n",
        "      - walk* on (eggshells|egg shells)\n      - kms\n",
    )
    assert "phrase 'kms' is also in categories[0] (suicidal_thoughts).explicit" in problem


def test_a_level_that_is_not_allowed_is_reported(tmp_path: Path) -> None:
    (problem,) = _broken(
        tmp_path,
        "  - id: mention\n    kind: self_harm\n    level: check\n",
        "  - id: mention\n    kind: self_harm\n    level: urgent\n",
    )
    assert "level" in problem and "'crisis' or 'check'" in problem


def test_an_example_that_screens_as_another_category_is_reported(tmp_path: Path) -> None:
    (problem,) = _broken(
        tmp_path,
        "    examples:\n      - he owns a gun\n",
        "    examples:\n      - he owns a gun\n      - he hit me\n",
    )
    assert (
        "example 'he hit me' screens as crisis/abuse/physical_violence, "
        "not check/abuse/weapon_access" in problem
    )


def test_an_example_that_no_longer_screens_is_reported(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)
    path = content / "safety" / "screen.yml"
    text = path.read_text("utf-8")
    text = text.replace(
        "    examples:\n      - I want to kill myself\n",
        "    examples:\n      - I want to kill myself\n      - what a lovely day\n",
        1,
    )
    path.write_text(text, "utf-8")
    with pytest.raises(ContentError) as caught:
        SafetyScreen.load(content)
    (problem,) = caught.value.problems
    assert "'what a lovely day' screens as none/None/None" in problem.message
    assert problem.line is not None


def test_validation_errors_name_the_field(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)
    path = content / "safety" / "screen.yml"
    path.write_text(
        path.read_text("utf-8").replace("    level: crisis\n", "    level: critical\n", 1),
        "utf-8",
    )
    with pytest.raises(ContentError) as caught:
        SafetyScreen.load(content)
    (problem,) = caught.value.problems
    assert problem.where == "categories[0].level"
    assert problem.line is not None


def test_two_phrase_signs_are_only_for_categories(tmp_path: Path) -> None:
    (problem,) = _broken(
        tmp_path,
        "      - ^ beats me\n",
        "      - ^ beats me\n      - beats && me\n",
    )
    assert "'&&' is only for the phrases of a category" in problem
