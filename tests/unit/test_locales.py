"""Locales: which language a user gets, plural forms and dates from CLDR, the multilingual
safety screen, language detection, and the check of a translation against English."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.app import flow_rules
from bot.content.errors import ContentError
from bot.content.texts import T, Texts
from bot.domain.catalog import Catalog
from bot.domain.dates import date_time, long_date, short_date, weekday_abbreviations, weekday_name
from bot.domain.locales import Locales, language_of
from bot.domain.timeparse import parse_days, parse_time
from bot.ops.config import REPO_ROOT

CONTENT = REPO_ROOT / "content"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("es", "es"),
        ("es-ES", "es"),
        ("es-419", "es"),
        ("ES_mx", "es"),
        ("en-GB", "en"),
        ("pt-BR", None),
        ("", None),
        (None, None),
    ],
)
def test_telegram_language_codes_pick_a_locale(code: str | None, expected: str | None) -> None:
    assert language_of(code, ("en", "es")) == expected


def test_unknown_languages_fall_back_to_english(locales: Locales) -> None:
    assert locales.resolve("de") == "en"
    assert locales.resolve("es-AR") == "es"
    assert locales.get("xx").language == "en"


def test_plural_forms_follow_each_languages_rules(catalog: Catalog, spanish: Catalog) -> None:
    assert catalog.texts.get(T.insights_writing, count=1) == "You wrote once this week."
    assert catalog.texts.get(T.insights_writing, count=3) == "You wrote 3 times this week."
    assert spanish.texts.get(T.insights_writing, count=1) == "Esta semana escribiste una vez."
    assert spanish.texts.get(T.insights_writing, count=0) == "Esta semana escribiste 0 veces."
    assert "con un borrador" in spanish.texts.get(T.practice_progress, attempts=1, ready=0)
    assert "con 2 borradores" in spanish.texts.get(T.practice_progress, attempts=2, ready=1)


def test_a_plural_category_the_language_lacks_is_reported(tmp_path: Path) -> None:
    shutil.copy(CONTENT / "locales" / "en" / "ui.yml", tmp_path / "ui.yml")
    path = tmp_path / "ui.yml"
    path.write_text(
        path.read_text("utf-8").replace(
            '  one: "You wrote once this week."', '  few: "You wrote a few times."'
        ),
        "utf-8",
    )
    with pytest.raises(ContentError) as caught:
        Texts.load(tmp_path, "en")
    (problem,) = caught.value.problems
    assert "'few' is not a plural category here" in problem.message
    assert problem.where == "insights_writing" and problem.line is not None


def test_dates_in_spanish_come_from_cldr(spanish: Catalog) -> None:
    texts = spanish.texts
    assert short_date(texts, date(2026, 3, 5)) == "5 mar"
    assert long_date(texts, date(2026, 3, 5)) == "jueves 5 de marzo"
    assert weekday_name(texts, date(2026, 3, 8)) == "domingo"
    assert date_time(texts, datetime(2026, 12, 31, 23, 5, tzinfo=UTC)) == "31 dic 2026, 23:05"
    assert weekday_abbreviations("es")[:3] == ("lun", "mar", "mié")
    assert weekday_abbreviations("en")[:3] == ("Mon", "Tue", "Wed")


def test_a_bad_date_pattern_is_reported(tmp_path: Path) -> None:
    shutil.copy(CONTENT / "locales" / "es" / "ui.yml", tmp_path / "ui.yml")
    path = tmp_path / "ui.yml"
    path.write_text(path.read_text("utf-8").replace('date_short: "d MMM"', 'date_short: "d xyz"'))
    with pytest.raises(ContentError) as caught:
        Texts.load(tmp_path, "es")
    assert any(p.where == "date_short" for p in caught.value.problems)


def test_countries_are_named_in_the_users_language(catalog: Catalog, spanish: Catalog) -> None:
    assert spanish.country_name("DE") == "Alemania"
    assert catalog.country_name("de") == "Germany"


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("8 y media", "08:30"),
        ("a las 8 y media de la tarde", "20:30"),
        ("a la una", "01:00"),
        ("las nueve menos cuarto de la noche", "20:45"),
        ("9 de la noche", "21:00"),
        ("20:15", "20:15"),
        ("8:15 y media", None),
    ],
)
def test_spanish_times_are_read_with_spanish_words(
    spanish: Catalog, said: str, expected: str | None
) -> None:
    parsed = parse_time(said, spanish.words)
    assert (parsed.strftime("%H:%M") if parsed else None) == expected


def test_spanish_days_are_read_with_spanish_words(spanish: Catalog) -> None:
    assert parse_days("entre semana", spanish.words) == 0b0011111
    assert parse_days("de lunes a viernes", spanish.words) == 0b0011111
    assert parse_days("todos los días menos el domingo", spanish.words) == 0b0111111


def test_the_screen_runs_every_language_and_the_most_serious_wins(locales: Locales) -> None:
    assert locales.screen("I want to kill myself").level == "crisis"
    assert locales.screen("Hoy fue un buen día").level == "none"
    assert locales.intent("I'm panicking and my heart is racing") == "grounding"


def test_language_detection_uses_each_locales_common_words(locales: Locales) -> None:
    assert locales.detect("Nunca me escuchas cuando te hablo de lo que siento").language == "es"
    assert locales.detect("You never listen when I tell you how I feel").language == "en"
    assert locales.detect("").language == "en"
    assert locales.detect("12345 !!").score == 0.0


def _translation(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    return content


def test_a_translation_that_drifts_from_english_is_reported_with_file_and_line(
    tmp_path: Path,
) -> None:
    content = _translation(tmp_path)
    spanish = content / "locales" / "es"
    flow = spanish / "flows" / "onboarding.yml"
    flow.write_text(flow.read_text("utf-8").replace('value: "yes"', 'value: "si"', 1), "utf-8")
    ui = spanish / "ui.yml"
    ui.write_text(
        ui.read_text("utf-8").replace("hasta el {until}.", "hasta el {hasta}.", 1)
        + "\nextra_key: Hola.\n",
        "utf-8",
    )
    (spanish / "extra.yml").write_text("a: b\n", "utf-8")
    with pytest.raises(ContentError) as caught:
        Locales.load(content, flow_rules())
    shown = [str(p) for p in caught.value.problems]
    joined = "\n".join(shown)
    assert (
        "locales/es/flows/onboarding.yml:22: step 'confirm_zone': options differ from English"
        in joined
    )
    assert "locales/es/ui.yml:" in joined and "pause_until: placeholders {hasta}" in joined
    assert "key 'extra_key' is not in English" in joined
    assert "locales/es/extra.yml: English has no such file" in joined


def test_a_translation_missing_a_file_is_reported(tmp_path: Path) -> None:
    content = _translation(tmp_path)
    (content / "locales" / "es" / "exercises" / "cold_water.yml").unlink()
    with pytest.raises(ContentError) as caught:
        Locales.load(content, flow_rules())
    joined = "\n".join(str(p) for p in caught.value.problems)
    assert "locales/es/exercises/cold_water.yml: missing: English has this file" in joined


def test_a_translation_without_its_own_coach_borrows_englishs(tmp_path: Path) -> None:
    content = _translation(tmp_path)
    shutil.rmtree(content / "locales" / "es" / "coach", ignore_errors=True)
    locales = Locales.load(content, flow_rules())
    assert "coach" in locales.get("es").borrowed
    assert locales.get("es").coach is locales.english.coach
    assert any("es: coach is not translated yet" in note for note in locales.borrowed())


def test_buttons_read_as_typed_text_may_carry_translated_values(tmp_path: Path) -> None:
    """A step with `free_text` parses its buttons' values ("1 hora", "esta noche") as typed
    words, so only where each button leads has to match English; elsewhere values are ids."""
    content = _translation(tmp_path)
    hold = content / "locales" / "es" / "flows" / "hold.yml"
    assert 'value: "1 hora"' in hold.read_text("utf-8")
    Locales.load(content, flow_rules())  # translated values: fine
    hold.write_text(
        hold.read_text("utf-8").replace('20 min", next: save', '20 min", next: done'), "utf-8"
    )
    with pytest.raises(ContentError) as caught:
        Locales.load(content, flow_rules())
    assert "step 'when': options differ from English" in "\n".join(
        str(p) for p in caught.value.problems
    )
