"""Each user's own order of prompts: no repeat within a theme until it is exhausted, themes
take turns, every user gets a different order, and quiet users are met gently."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.library import Library, Prompt, PromptMeta, Theme
from bot.domain.prompts import cadence, is_sparse_day, prompt_at, user_themes

CONTENT = Path(__file__).parents[2] / "content" / "locales" / "en"


def library_of(sizes: Sequence[int]) -> Library:
    """A library with one theme per size, each holding that many prompts."""
    themes: dict[str, Theme] = {}
    for index, size in enumerate(sizes):
        theme_id = f"t{index}"
        prompts = tuple(Prompt(f"{theme_id}_{n:03d}", theme_id, "Q?", None) for n in range(size))
        themes[theme_id] = Theme(theme_id, theme_id, prompts)
    by_id = {p.id: p for theme in themes.values() for p in theme.prompts}
    return Library(themes, by_id, PromptMeta((), (), (), (), {}), (), {}, ())


sizes_st = st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=6)
users = st.integers(min_value=1, max_value=2**52)


@given(sizes_st, users)
def test_no_prompt_repeats_within_a_theme_until_the_theme_is_exhausted(
    sizes: list[int], user_id: int
) -> None:
    library = library_of(sizes)
    themes = user_themes(library, ())
    per_theme: dict[str, list[str]] = {t: [] for t in themes}
    for cursor in range(len(themes) * max(sizes) * 2):
        prompt = prompt_at(library, user_id=user_id, cursor=cursor, themes=themes)
        per_theme[prompt.theme].append(prompt.id)
    for theme, seen in per_theme.items():
        size = len(library.themes[theme].prompts)
        for lap in range(0, len(seen) - size + 1, size):
            assert len(set(seen[lap : lap + size])) == size  # a full lap: every prompt once


@given(sizes_st, users, st.integers(min_value=0, max_value=10_000))
def test_consecutive_days_take_different_themes(
    sizes: list[int], user_id: int, cursor: int
) -> None:
    library = library_of(sizes)
    themes = user_themes(library, ())
    today = prompt_at(library, user_id=user_id, cursor=cursor, themes=themes)
    tomorrow = prompt_at(library, user_id=user_id, cursor=cursor + 1, themes=themes)
    assert (today.theme != tomorrow.theme) or len(themes) == 1


def test_the_real_library_gives_140_different_prompts_before_any_repeat() -> None:
    library = Library.load(CONTENT)
    themes = user_themes(library, ())
    for user_id in (1, 42, 123456789):
        seen = [
            prompt_at(library, user_id=user_id, cursor=c, themes=themes).id
            for c in range(len(library.prompts))
        ]
        assert len(set(seen)) == len(library.prompts) == 140


def test_users_get_different_orders_and_chosen_themes_only() -> None:
    library = Library.load(CONTENT)
    themes = user_themes(library, ())
    firsts = Counter(prompt_at(library, user_id=u, cursor=5, themes=themes).id for u in range(200))
    assert len(firsts) > 10
    chosen = user_themes(library, {"wellbeing", "space", "nonsense"})
    assert chosen == ("space", "wellbeing")
    picked = {prompt_at(library, user_id=7, cursor=c, themes=chosen).theme for c in range(30)}
    assert picked == {"space", "wellbeing"}


NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def test_cadence_from_quiet_to_check_in_to_sparse_and_back() -> None:
    joined = NOW - timedelta(days=60)

    def mode(
        last: datetime | None, checkin: datetime | None = None, reentry: datetime | None = None
    ) -> str:
        return cadence(
            now=NOW, last_answer_at=last, consented_at=joined, checkin_sent_at=checkin,
            reentry_sent_at=reentry,
        )  # fmt: skip

    assert mode(NOW - timedelta(days=1)) == "normal"
    assert mode(NOW - timedelta(days=6)) == "reentry"
    assert mode(NOW - timedelta(days=6), reentry=NOW - timedelta(days=1)) == "normal"
    assert mode(NOW - timedelta(days=20)) == "checkin"
    assert mode(NOW - timedelta(days=20), checkin=NOW - timedelta(days=3)) == "sparse"
    # An answer after the check-in starts everything afresh.
    assert mode(NOW - timedelta(hours=1), checkin=NOW - timedelta(days=3)) == "normal"
    assert sum(is_sparse_day(day) for day in range(30)) == 10
