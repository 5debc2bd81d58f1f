"""The real content loads cleanly and keeps the product's promises: counts, tone, safety."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from bot.content.html import visible_length
from bot.domain.library import Library

CONTENT = Path(__file__).parents[2] / "content" / "locales" / "en"
THEMES = ("understanding", "safety", "space", "communication", "wellbeing")
LESSONS = (
    "what_is_avoidance",
    "push_and_pull",
    "emotional_safety",
    "space_without_distance",
    "needs_without_blame",
    "looking_after_yourself",
    "hold_that_message",
    "time_out_and_return",
    "bids_for_connection",
)
EXERCISES = (
    "physiological_sigh",
    "box_breathing",
    "four_seven_eight",
    "five_senses",
    "name_the_feeling",
    "cold_water",
)
# Moments the product brief names explicitly.
REQUIRED_SCENARIOS = (
    "cancelled_plan",
    "quiet_after_weekend",
    "left_mid_argument",
    "no_reply_all_day",
    "holiday_apart",
    "subject_changed",
    "space_after_fight",
    "not_met_friends",
    "forgotten_anniversary",
)
# Words that make a self-help bot sound clinical, pushy or guilt-inducing.
BANNED = re.compile(
    r"\b(therap\w*|diagnos\w*|symptoms?|treatment|streaks?|you should|you must|you have to"
    r"|you failed|you missed|you forgot)\b",
    re.IGNORECASE,
)
# A lock screen may be seen by anyone: teasers say nothing about the subject.
REVEALING = re.compile(
    r"\b(partner|relationship|love|avoid\w*|attach\w*|feel\w*|hurt|lonely|sad|anxious|"
    r"breakup|couple)\b",
    re.IGNORECASE,
)
# Small words left out when comparing prompts for a shared idea.
STOPWORDS = frozenset(
    re.findall(
        r"\S+",
        "a an the and or but of to in on at for with your you you're you've you'd i me my it "
        "it's is are was be been that this what which how when where who do does did can could "
        "would might may if as about from by so than them they their there one some any more "
        "just like feel feels",
    )
)


@cache
def library() -> Library:
    return Library.load(CONTENT)


def _sentences(text: str) -> int:
    return len(re.findall(r"[.?!](?=\s|$)", text))


def _all_texts() -> Iterator[tuple[str, str]]:
    lib = library()
    for prompt in lib.prompts.values():
        yield prompt.id, prompt.text
        if prompt.follow_up:
            yield f"{prompt.id}.follow_up", prompt.follow_up
    for name in ("teasers", "acknowledgements", "reentry", "checkin"):
        for index, line in enumerate(getattr(lib.meta, name)):
            yield f"meta.{name}[{index}]", line
    for key, label in lib.meta.buttons.items():
        yield f"meta.buttons.{key}", label
    for lesson in lib.lessons:
        yield lesson.id, " ".join([lesson.title, lesson.summary, lesson.reflection])
        for page in lesson.pages:
            yield f"{lesson.id}: {page.heading}", page.html
    for exercise in lib.exercises.values():
        parts = [exercise.title, exercise.summary, exercise.intro, exercise.outro]
        parts += [p.text for p in exercise.phases] + [s.text for s in exercise.steps]
        yield exercise.id, " ".join([*parts, *exercise.pages])
    for scenario in lib.scenarios:
        yield (
            scenario.id,
            " ".join([scenario.title, scenario.situation, scenario.feeling_hint or ""]),
        )


def test_counts() -> None:
    lib = library()
    assert len(lib.prompts) >= 130
    assert {t: len(lib.themes[t].prompts) >= 26 for t in THEMES} == dict.fromkeys(THEMES, True)
    assert sorted(lib.themes) == sorted(THEMES)
    assert [lesson.id for lesson in lib.lessons] == list(LESSONS)
    assert sorted(lib.exercises) == sorted(EXERCISES)
    assert len(lib.scenarios) >= 32


@pytest.mark.parametrize("theme", THEMES)
def test_prompts_ask_exactly_one_question_at_the_end(theme: str) -> None:
    for prompt in library().themes[theme].prompts:
        for text in filter(None, (prompt.text, prompt.follow_up)):
            assert text.count("?") == 1, prompt.id
            assert text.endswith("?"), prompt.id
            assert 1 <= _sentences(text) <= 3, prompt.id


@pytest.mark.parametrize("theme", THEMES)
def test_about_a_third_of_prompts_have_a_follow_up(theme: str) -> None:
    prompts = library().themes[theme].prompts
    share = sum(p.follow_up is not None for p in prompts) / len(prompts)
    assert 0.25 <= share <= 0.45


def test_prompt_ids_are_numbered_in_order_within_each_theme() -> None:
    for theme in library().themes.values():
        expected = [f"{theme.id}_{n:03d}" for n in range(1, len(theme.prompts) + 1)]
        assert [p.id for p in theme.prompts] == expected


def test_no_two_prompts_share_an_idea() -> None:
    def words(text: str) -> set[str]:
        return {w for w in re.findall(r"[a-z']+", text.lower()) if w not in STOPWORDS}

    prompts = list(library().prompts.values())
    for a, b in itertools.combinations(prompts, 2):
        wa, wb = words(a.text), words(b.text)
        overlap = len(wa & wb) / len(wa | wb)
        assert overlap < 0.4, (a.id, b.id)


def test_meta_lines() -> None:
    meta = library().meta
    assert len(meta.teasers) >= 6
    assert len(meta.acknowledgements) >= 8
    assert len(meta.reentry) == 3
    assert len(meta.checkin) == 2
    assert set(meta.buttons) == {"answer", "another", "skip_today", "remind_later"}
    for teaser in meta.teasers:
        assert not REVEALING.search(teaser), teaser
        assert len(teaser) <= 60
    for line in meta.acknowledgements:
        assert _sentences(line) <= 2, line
        assert "?" not in line, line
    for line in (*meta.reentry, *meta.checkin):
        assert not re.search(
            r"\b(you('ve| have)? missed|fallen behind|days? since|overdue|you forgot)\b",
            line,
            re.I,
        ), line
    for line in meta.checkin:
        assert line.count("?") == 1, line


def test_lessons_are_short_pages_ending_in_a_question() -> None:
    for order, lesson in enumerate(library().lessons, start=1):
        assert lesson.order == order
        assert 3 <= len(lesson.pages) <= 5, lesson.id
        for page in lesson.pages:
            assert visible_length(page.html) <= 700, (lesson.id, page.heading)
        assert lesson.reflection.count("?") == 1
        assert lesson.reflection.endswith("?")


def test_seed_example_is_rephrased_as_an_i_statement() -> None:
    lesson = next(x for x in library().lessons if x.id == "needs_without_blame")
    text = " ".join(page.html for page in lesson.pages)
    assert '<i>"I miss feeling close to you' in text
    assert "disconnected when we don" not in text


def test_breathing_exercises_are_paced_safely() -> None:
    exercises = library().exercises
    sigh = exercises["physiological_sigh"]
    assert sigh.kind == "paced"
    assert 20 <= sigh.cycles * sum(p.seconds for p in sigh.phases) <= 40
    box = exercises["box_breathing"]
    assert [p.seconds for p in box.phases] == [4, 4, 4, 4]
    relax = exercises["four_seven_eight"]
    assert [p.seconds for p in relax.phases] == [4, 7, 8]
    assert relax.cycles <= 4
    assert relax.caution is not None
    assert "light-headed" in relax.caution


def test_cold_water_caution_names_who_should_skip_it() -> None:
    cold = library().exercises["cold_water"]
    assert cold.kind == "guided"
    assert cold.pages
    caution = (cold.caution or "").lower()
    for must_mention in (
        "heart",
        "beta-blockers",
        "pregnant",
        "eating disorder",
        "cold",
        "doctor",
    ):
        assert must_mention in caution, must_mention
    assert "never a bath" in caution


def test_interactive_exercises_go_one_step_at_a_time() -> None:
    senses = library().exercises["five_senses"]
    assert senses.kind == "interactive"
    assert [s.expect for s in senses.steps] == [5, 4, 3, 2, 1]
    feeling = library().exercises["name_the_feeling"]
    assert feeling.kind == "interactive"
    for step in feeling.steps:
        assert step.text.count("?") == 1


def test_scenarios_are_concrete_and_second_person() -> None:
    scenarios = library().scenarios
    ids = [s.id for s in scenarios]
    assert len(ids) == len(set(ids))
    assert set(REQUIRED_SCENARIOS) <= set(ids)
    for scenario in scenarios:
        assert 1 <= _sentences(scenario.situation) <= 3, scenario.id
        assert re.search(r"\byou(r)?\b", scenario.situation, re.I), scenario.id


def test_tone_has_no_clinical_pushy_or_guilt_words() -> None:
    for where, text in _all_texts():
        match = BANNED.search(text)
        assert match is None, f"{where}: {match.group(0) if match else ''}"


def test_texts_have_no_stray_escapes_or_markup_leftovers() -> None:
    for where, text in _all_texts():
        assert "\\" not in text, where
        assert "**" not in text, where
        assert "  " not in text, where
