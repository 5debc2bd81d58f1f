"""The content cache: a hit gives content that behaves exactly like a fresh load, and any
change to the content (or a broken cache file) means loading and checking again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.app import load_catalog
from bot.content.cache import cached_load, content_key
from bot.content.errors import ContentError
from bot.ops.config import REPO_ROOT, Settings

DATA = Path(__file__).resolve().parents[1] / "data"


def settings(content: Path, cache: Path) -> Settings:
    return Settings(_env_file=None, content_dir=content, content_cache_dir=str(cache))  # type: ignore[call-arg]


def cases(name: str) -> list[str]:
    lines = (DATA / name).read_text().splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()]


def test_a_cached_catalog_answers_like_a_fresh_one(tmp_path: Path) -> None:
    fresh = load_catalog(settings(REPO_ROOT / "content", tmp_path), use_cache=False)
    load_catalog(settings(REPO_ROOT / "content", tmp_path))  # writes the cache
    assert list(tmp_path.glob("content-*.pickle"))
    cached = load_catalog(settings(REPO_ROOT / "content", tmp_path))
    assert cached is not fresh
    for text in cases("coach_cases.jsonl"):
        assert cached.coach.analyze(text) == fresh.coach.analyze(text)
        assert cached.coach.feedback_html(cached.coach.analyze(text)) == fresh.coach.feedback_html(
            fresh.coach.analyze(text)
        )
    for text in cases("safety_cases.jsonl"):
        assert cached.safety.screen(text) == fresh.safety.screen(text)
        assert cached.safety.intent(text) == fresh.safety.intent(text)
    assert cached.flows.keys() == fresh.flows.keys()
    assert dict(cached.library.prompts) == dict(fresh.library.prompts)
    assert cached.places.country_of_zone("Europe/Berlin") == "DE"


def test_a_change_anywhere_in_the_content_is_a_miss(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(REPO_ROOT / "content", content)
    before = content_key(content)
    nested = next(p for p in content.rglob("*.yml") if p.parent != content)
    nested.write_text(nested.read_text() + "\n# an author's comment\n")
    assert content_key(content) != before
    calls: list[Path] = []

    def loader(directory: Path) -> str:
        calls.append(directory)
        return f"loaded {len(calls)}"

    cache = tmp_path / "cache"
    assert cached_load(loader, content, cache) == "loaded 1"
    assert cached_load(loader, content, cache) == "loaded 1"
    ui = content / "locales" / "en" / "ui.yml"
    ui.write_text(ui.read_text() + "\n")
    assert cached_load(loader, content, cache) == "loaded 2"


def test_a_corrupt_cache_file_is_a_miss_and_bad_content_is_never_cached(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "cache"
    assert cached_load(lambda _: {"n": 1}, REPO_ROOT / "content", cache) == {"n": 1}
    (entry,) = cache.glob("content-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert cached_load(lambda _: {"n": 2}, REPO_ROOT / "content", cache) == {"n": 2}

    def broken(_: Path) -> object:
        raise ContentError([])

    other = tmp_path / "other"
    with pytest.raises(ContentError):
        cached_load(broken, REPO_ROOT / "content", other)
    assert not list(other.glob("content-*.pickle"))


def test_off_turns_the_cache_off(tmp_path: Path) -> None:
    assert settings(REPO_ROOT / "content", Path("off")).content_cache is None
    assert cached_load(lambda _: 1, REPO_ROOT / "content", None) == 1


def test_regexes_come_back_from_their_stored_program(tmp_path: Path) -> None:
    import re

    patterns = [
        re.compile(r"(?P<word>\b(?:want|wish) to (?:die|disappear)\b)(?= )"),
        re.compile(r"caf[eé]+\s*(\d+)", re.IGNORECASE),
        re.compile(r"^(?:a|b|c)$", re.MULTILINE),
    ]
    content = tmp_path / "content"
    content.mkdir()
    cached = cached_load(lambda _dir: patterns, content, tmp_path / "cache")
    again = cached_load(lambda _dir: [], content, tmp_path / "cache")  # from the pickle
    assert cached is patterns and again is not patterns
    samples = ["I want to die ", "I wish to disappear now", "CAFÉÉ 12", "b\na", "nothing"]
    for fresh, loaded in zip(patterns, again, strict=True):
        assert (loaded.pattern, loaded.flags, loaded.groupindex) == (
            fresh.pattern,
            fresh.flags,
            fresh.groupindex,
        )
        for sample in samples:
            found, expected = loaded.search(sample), fresh.search(sample)
            assert (found and found.groups()) == (expected and expected.groups())
