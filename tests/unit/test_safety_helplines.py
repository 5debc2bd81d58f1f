"""The helplines data file and its rendering for a Telegram message."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.content.errors import ContentError
from bot.content.html import html_problems
from bot.safety import Helplines
from bot.safety.helplines import REQUIRED

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("self_harm", "abuse")


@pytest.fixture(scope="module")
def helplines() -> Helplines:
    return Helplines.load(ROOT / "content")


def test_every_promised_country_is_there(helplines: Helplines) -> None:
    assert set(REQUIRED) <= set(helplines.countries())
    assert {"US", "GB", "CA", "AU", "IE", "NZ", "DE", "FR", "ES", "IT", "NL", "IN", "INTL"} <= set(
        helplines.countries()
    )


def test_every_entry_is_dated_and_reachable(helplines: Helplines) -> None:
    for code in helplines.countries():
        entry = helplines.for_country(code)
        assert entry.country == code
        assert isinstance(entry.last_verified, date)
        assert entry.emergency.strip()
        assert entry.crisis, code
        assert entry.abuse, code
        for line in entry.crisis + entry.abuse:
            assert line.phone or line.url, (code, line.name)
            assert line.url is None or line.url.startswith("https://"), line.url


@pytest.mark.parametrize("country", [*REQUIRED, "zz", None, "uk", " us "])
@pytest.mark.parametrize("kind", KINDS)
def test_render_html_is_valid_telegram_html(
    helplines: Helplines, country: str | None, kind: str
) -> None:
    text = helplines.render_html(country, kind)  # type: ignore[arg-type]
    assert html_problems(text) == []
    entry = helplines.for_country(country)
    assert entry.emergency.split(" (")[0] in text
    lines = entry.abuse if kind == "abuse" else entry.crisis
    for line in lines:
        assert line.name.replace("&", "&amp;") in text


def test_unknown_or_missing_country_falls_back_to_intl(helplines: Helplines) -> None:
    intl = helplines.for_country("INTL")
    assert helplines.for_country(None) == intl
    assert helplines.for_country("") == intl
    assert helplines.for_country("XX") == intl
    assert helplines.for_country("Narnia") == intl
    assert any(line.url and "findahelpline.com" in line.url for line in intl.crisis)
    assert "emergency number" in intl.emergency


def test_lookup_is_case_insensitive_with_aliases(helplines: Helplines) -> None:
    assert helplines.for_country("us").country == "US"
    assert helplines.for_country("Gb").country == "GB"
    assert helplines.for_country("UK").country == "GB"


def test_render_shows_the_right_list(helplines: Helplines) -> None:
    self_harm = helplines.render_html("US", "self_harm")
    abuse = helplines.render_html("US", "abuse")
    assert "988" in self_harm
    assert "911" in self_harm
    assert "1-800-799-7233" in abuse
    assert "988 Suicide" not in abuse
    assert "&amp;" in self_harm  # "Suicide & Crisis" is escaped


def test_stale_uses_the_date_it_is_given(helplines: Helplines) -> None:
    newest = max(helplines.for_country(c).last_verified for c in helplines.countries())
    assert helplines.stale(newest) == ()
    assert set(helplines.stale(date(newest.year + 2, 1, 1))) == set(helplines.countries())


def _copy_content(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "content" / "safety", tmp_path / "safety")
    formats = Path("locales") / "en" / "safety" / "helpline_format.yml"
    (tmp_path / formats).parent.mkdir(parents=True)
    shutil.copy(ROOT / "content" / formats, tmp_path / formats)
    return tmp_path


def test_a_line_with_neither_phone_nor_url_is_reported(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)
    path = content / "safety" / "helplines.yaml"
    text = path.read_text("utf-8")
    path.write_text(
        text.replace("        url: https://www.lifeline.org.au\n", "", 1).replace(
            "        phone: 13 11 14\n", "", 1
        ),
        "utf-8",
    )
    with pytest.raises(ContentError) as caught:
        Helplines.load(content)
    problem = caught.value.problems[0]
    assert "phone number or a url" in problem.message
    assert problem.where == "countries.AU.crisis[0]"
    assert problem.line is not None


def test_missing_country_and_bad_format_are_reported_together(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)
    path = content / "safety" / "helplines.yaml"
    text = path.read_text("utf-8")
    start = text.index("  NL:\n")
    end = text.index("  IN:\n")
    path.write_text(text[:start] + text[end:], "utf-8")
    formats = content / "locales" / "en" / "safety" / "helpline_format.yml"
    text = formats.read_text("utf-8").replace('phone: "call {phone}"', 'phone: "call {number}"')
    formats.write_text(text, "utf-8")
    with pytest.raises(ContentError) as caught:
        Helplines.load(content)
    messages = [p.message for p in caught.value.problems]
    assert any("country NL is missing" in m for m in messages)
    assert any("format 'phone' must use {phone}" in m for m in messages)
