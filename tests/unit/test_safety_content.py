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
        "  - id: passive_wish\n    level: check\n",
        "  - id: passive_wish\n    level: check\n    explicit: true\n",
        1,
    )
    path.write_text(text, "utf-8")
    with pytest.raises(ContentError) as caught:
        SafetyScreen.load(content)
    problems = caught.value.problems
    slot = next(p for p in problems if "unknown slot {nosuchslot}" in p.message)
    assert slot.line is not None
    assert "kill_myself" in slot.where
    assert any("only crisis rules can be explicit" in p.message for p in problems)


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
    assert "'what a lovely day' screens as none/None" in problem.message
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
    assert problem.where == "rules[0].level"
    assert problem.line is not None
