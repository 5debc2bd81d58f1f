"""The screen reads any language its screen file describes: nothing English is built into it.

A small Spanish screen file is loaded in place of a locale's safety/screen.yml, with its own
negation words, accents, inverted question marks and answers to the check question. (The full
Spanish file is measured by overlay: `python -m bot analyze --screen FILE --set CASES`.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.safety import SafetyScreen

ROOT = Path(__file__).resolve().parents[2]

SPANISH = """
version: 2
language: es
text: {apostrophes: join, squeeze_repeats: true, fold_accents: true}
negation:
  phrases: ["no", nunca, jamás]
  fillers: [me, lo, voy, a, quiero, él, ha]
slots:
  yo: [me, yo]
categories:
  - id: wish_dead
    kind: self_harm
    level: crisis
    explicit:
      - "{yo} quiero (morir|matar)"
    examples: [Me quiero morir]
  - id: hopelessness
    kind: self_harm
    level: check
    phrases:
      - no aguanto más
      - para qué seguir
  - id: physical_violence
    kind: abuse
    level: crisis
    phrases:
      - me (pegó|golpeó)
guards:
  - id: resfriado
    kind: abuse
    phrases: [me pegó el (resfriado|susto)]
answers:
  not_safe: ["^ (sí|claro|a veces)"]
  unsure: [(no sé|tal vez)]
  safe: ["^ no $", (estoy bien)]
"""


@pytest.fixture(scope="module")
def spanish(tmp_path_factory: pytest.TempPathFactory) -> SafetyScreen:
    path = tmp_path_factory.mktemp("es") / "screen.yml"
    path.write_text(SPANISH, "utf-8")
    return SafetyScreen.load(ROOT / "content" / "locales" / "en", path)


@pytest.mark.parametrize(
    ("text", "level", "category"),
    [
        ("Me quiero morir", "crisis", "wish_dead"),
        ("me kiero morir", "none", None),  # not in this small file
        ("ya NO AGUANTO MAS", "check", "hopelessness"),
        ("¿Para que seguir?", "check", "hopelessness"),
        ("Me pegó", "crisis", "physical_violence"),
        ("me pego anoche", "crisis", "physical_violence"),
        ("me pegó el resfriado", "none", None),
        ("No me quiero morir", "none", None),
        ("Él nunca me ha pegado", "none", None),
        ("no, me quiero morir", "crisis", "wish_dead"),
    ],
)
def test_a_spanish_screen_file(
    spanish: SafetyScreen, text: str, level: str, category: str | None
) -> None:
    got = spanish.screen(text)
    assert (got.level, got.category) == (level, category)
    assert spanish.language == "es"


def test_spanish_answers_to_the_check_question(spanish: SafetyScreen) -> None:
    assert spanish.answer("Sí") == "not_safe"
    assert spanish.answer("a veces") == "not_safe"
    assert spanish.answer("no sé") == "unsure"
    assert spanish.answer("no") == "safe"
    assert spanish.answer("estoy bien, gracias") == "safe"
    assert spanish.answer("yes") == "unsure"  # English words mean nothing to this file
