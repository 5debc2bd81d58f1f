"""choose_prompt: no repeat before every prompt is seen, laps for ever, themes take turns."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.library import Library, Prompt, PromptMeta, Theme, choose_prompt

CONTENT = Path(__file__).parents[2] / "content"


def _library(sizes: Sequence[int]) -> Library:
    """Build a library with one theme per size, each holding that many prompts."""
    themes: dict[str, Theme] = {}
    for index, size in enumerate(sizes):
        theme_id = f"t{index}"
        prompts = tuple(Prompt(f"{theme_id}_{n:03d}", theme_id, "Q?", None) for n in range(size))
        themes[theme_id] = Theme(theme_id, theme_id, prompts)
    by_id = {p.id: p for theme in themes.values() for p in theme.prompts}
    meta = PromptMeta((), (), (), (), {})
    return Library(themes, by_id, meta, (), {}, ())


@cache
def _real() -> Library:
    return Library.load(CONTENT)


sizes_st = st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=5)
seeds = st.integers(min_value=0, max_value=2**32)


@given(sizes_st, seeds, st.integers(min_value=1, max_value=3))
def test_each_lap_sends_every_prompt_exactly_once(sizes: list[int], seed: int, laps: int) -> None:
    library = _library(sizes)
    rng = random.Random(seed)
    history: list[str] = []
    for _ in range(laps * len(library.prompts)):
        history.append(choose_prompt(library, seen=history, themes=None, rng=rng).id)
    size = len(library.prompts)
    for lap in range(laps):
        assert sorted(history[lap * size : (lap + 1) * size]) == sorted(library.prompts)


@given(sizes_st, seeds, st.sets(st.text(min_size=1, max_size=12), max_size=5))
def test_a_set_with_unknown_ids_never_repeats_before_exhaustion(
    sizes: list[int], seed: int, unknown: set[str]
) -> None:
    library = _library(sizes)
    rng = random.Random(seed)
    seen = {u for u in unknown if u not in library.prompts}
    drawn: list[str] = []
    for _ in range(len(library.prompts)):
        prompt = choose_prompt(library, seen=seen, themes=None, rng=rng)
        assert prompt.id not in seen
        seen.add(prompt.id)
        drawn.append(prompt.id)
    assert sorted(drawn) == sorted(library.prompts)
    # Everything has been seen: starting over still gives a real prompt.
    assert choose_prompt(library, seen=seen, themes=None, rng=rng).id in library.prompts


@given(
    st.integers(min_value=2, max_value=5),
    st.integers(min_value=1, max_value=5),
    seeds,
)
def test_themes_of_equal_size_never_repeat_on_consecutive_days(
    theme_count: int, size: int, seed: int
) -> None:
    library = _library([size] * theme_count)
    rng = random.Random(seed)
    history: list[str] = []
    for _ in range(3 * len(library.prompts)):
        history.append(choose_prompt(library, seen=history, themes=None, rng=rng).id)
    themes = [library.prompts[p].theme for p in history]
    assert all(a != b for a, b in itertools.pairwise(themes))


@given(sizes_st, seeds)
def test_a_theme_repeats_only_when_nothing_else_is_left_in_the_lap(
    sizes: list[int], seed: int
) -> None:
    library = _library(sizes)
    rng = random.Random(seed)
    history: list[str] = []
    for _ in range(2 * len(library.prompts)):
        counts = Counter(history)
        lap = min(counts[p] for p in library.prompts)
        fresh = {library.prompts[p].theme for p in library.prompts if counts[p] == lap}
        prompt = choose_prompt(library, seen=history, themes=None, rng=rng)
        if history and library.prompts[history[-1]].theme == prompt.theme:
            assert fresh == {prompt.theme}
        history.append(prompt.id)


@given(sizes_st, seeds, st.data())
def test_only_the_chosen_themes_are_used(sizes: list[int], seed: int, data: st.DataObject) -> None:
    library = _library(sizes)
    chosen = data.draw(st.sets(st.sampled_from(sorted(library.themes)), min_size=1))
    rng = random.Random(seed)
    history: list[str] = []
    for _ in range(10):
        prompt = choose_prompt(library, seen=history, themes=chosen | {"no_such_theme"}, rng=rng)
        assert prompt.theme in chosen
        history.append(prompt.id)


def test_a_selection_of_unknown_themes_falls_back_to_all() -> None:
    library = _library([2, 2])
    rng = random.Random(1)
    themes = {choose_prompt(library, seen=[], themes={"gone"}, rng=rng).theme for _ in range(40)}
    assert themes == {"t0", "t1"}


def test_a_single_prompt_theme_list_still_works_when_exhausted() -> None:
    library = _library([1])
    rng = random.Random(3)
    assert choose_prompt(library, seen=["t0_000"] * 5, themes=None, rng=rng).id == "t0_000"


def test_an_empty_library_is_an_error() -> None:
    with pytest.raises(LookupError):
        choose_prompt(_library([]), seen=[], themes=None, rng=random.Random(0))


def test_the_same_seed_gives_the_same_prompt() -> None:
    library = _real()
    first = choose_prompt(library, seen=[], themes=None, rng=random.Random(42))
    again = choose_prompt(library, seen=[], themes=None, rng=random.Random(42))
    assert first == again


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_real_content_runs_two_full_laps_with_themes_taking_turns(seed: int) -> None:
    library = _real()
    rng = random.Random(seed)
    history: list[str] = []
    for _ in range(2 * len(library.prompts)):
        history.append(choose_prompt(library, seen=history, themes=None, rng=rng).id)
    size = len(library.prompts)
    assert len(set(history[:size])) == size
    assert len(set(history[size:])) == size
    themes = [library.prompts[p].theme for p in history]
    assert all(a != b for a, b in itertools.pairwise(themes))
