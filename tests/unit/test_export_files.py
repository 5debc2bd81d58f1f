"""bot.domain.export: the JSON file round-trips every row, and the Markdown file quotes the user's own
words as written (no HTML escaping, no accidental headings) in every section, oldest first."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content.texts import T, Texts
from bot.domain.export import EXPORT_VERSION, to_json, to_markdown
from bot.ops.config import REPO_ROOT

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(days=2)


TEXTS = Texts.load(REPO_ROOT / "content" / "locales" / "en")


@pytest.fixture
def texts() -> Texts:
    return TEXTS


def sample_rows() -> dict[str, list[dict[str, Any]]]:
    """One user with a row in every section, some of them out of order."""
    return {
        "users": [
            {"id": 7, "consented_at": EARLIER, "timezone": "Europe/Berlin",
             "prompt_time": "08:00", "prompt_days": 127, "country": None},
        ],
        "journal_entries": [
            {"id": 2, "user_id": 7, "kind": "note", "ref": None,
             "text": "second, but written <b>first</b> & kept", "created_at": NOW},
            {"id": 1, "user_id": 7, "kind": "prompt", "ref": "p_quiet",
             "text": "# not a heading\n\nline two", "created_at": EARLIER},
        ],
        "practice_attempts": [
            {"id": 1, "user_id": 7, "exercise": "practice_check", "text": "I feel lonely",
             "verdict": "ready", "codes": "", "created_at": NOW},
        ],
        "mood_entries": [
            {"id": 1, "user_id": 7, "rating": 4, "feelings": "calm", "note": None,
             "created_at": NOW},
            {"id": 2, "user_id": 7, "rating": 2, "feelings": "", "note": "heavy day",
             "created_at": EARLIER},
        ],
        "grounding_sessions": [
            {"id": 1, "user_id": 7, "exercise": "box_breathing", "before": 8, "after": 3,
             "status": "done", "created_at": NOW},
        ],
        "flow_runs": [
            {"id": 1, "user_id": 7, "flow_id": "mood_checkin", "step_id": "done",
             "state": json.dumps({"vars": {"rating": "4", "feeling": "calm"}}),
             "status": "done", "started_at": EARLIER, "updated_at": NOW},
        ],
        "deliveries": [
            {"id": 1, "user_id": 7, "slot": "prompt", "local_date": date(2026, 4, 29),
             "due_at": EARLIER, "claimed_at": EARLIER, "status": "sent"},
        ],
        "safety_events": [],
    }  # fmt: skip


def test_json_round_trips_every_table(texts: Texts) -> None:
    rows = sample_rows()
    document = json.loads(to_json(rows, exported_at=NOW))
    assert document["format"] == "secure-base-export"
    assert document["version"] == EXPORT_VERSION
    assert document["exported_at"] == NOW.isoformat()
    assert set(document["tables"]) == set(rows)
    expected = json.loads(json.dumps(rows, default=lambda v: v.isoformat()))
    assert document["tables"] == expected
    assert document["tables"]["deliveries"][0]["local_date"] == "2026-04-29"
    assert datetime.fromisoformat(document["tables"]["mood_entries"][0]["created_at"]) == NOW


def test_json_keeps_non_ascii_readable() -> None:
    rows = {"journal_entries": [{"text": "Müde, aber ruhig 🌱"}]}
    raw = to_json(rows, exported_at=NOW)
    assert "Müde, aber ruhig 🌱".encode() in raw


def test_json_refuses_values_it_cannot_represent() -> None:
    with pytest.raises(TypeError, match="cannot export set"):
        to_json({"journal_entries": [{"text": {"a"}}]}, exported_at=NOW)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(), max_size=5))
def test_any_text_survives_the_json_round_trip(notes: list[str]) -> None:
    rows = {"journal_entries": [{"text": note, "created_at": NOW} for note in notes]}
    document = json.loads(to_json(rows, exported_at=NOW))
    assert [e["text"] for e in document["tables"]["journal_entries"]] == notes


def test_markdown_has_every_section_in_order(texts: Texts) -> None:
    markdown = to_markdown(sample_rows(), texts, exported_at=NOW).decode()
    assert markdown.startswith(f"# {texts.get(T.export_title)}\n\n2026-05-01 12:00 UTC\n")
    headings = [line[3:] for line in markdown.splitlines() if line.startswith("## ")]
    assert headings == [
        texts.get(key)
        for key in (
            T.export_heading_settings,
            T.export_heading_journal,
            T.export_heading_practice,
            T.export_heading_mood,
            T.export_heading_grounding,
            T.export_heading_flows,
        )
    ]


def test_markdown_quotes_the_users_words_unescaped(texts: Texts) -> None:
    markdown = to_markdown(sample_rows(), texts, exported_at=NOW).decode()
    assert "> second, but written <b>first</b> & kept" in markdown
    assert "&lt;" not in markdown and "&amp;" not in markdown
    # Every line of the user's text is quoted, so a "#" in it can't become a heading.
    assert "> # not a heading\n>\n> line two" in markdown
    assert not any(line.startswith("# not") for line in markdown.splitlines())


def test_markdown_entries_are_oldest_first_with_their_titles(texts: Texts) -> None:
    markdown = to_markdown(sample_rows(), texts, exported_at=NOW).decode()
    titles = [line for line in markdown.splitlines() if line.startswith("### ")]
    assert titles == [
        "### 2026-04-29 12:00 UTC · prompt · p_quiet",
        "### 2026-05-01 12:00 UTC · note",
        "### 2026-05-01 12:00 UTC · practice_check · ready",
        "### 2026-04-29 12:00 UTC · 2/5",
        "### 2026-05-01 12:00 UTC · 4/5 · calm",
        "### 2026-05-01 12:00 UTC · box_breathing · 8 → 3",
        "### 2026-04-29 12:00 UTC · mood_checkin · done",  # dated by when it started
    ]
    assert "> rating: 4\n> feeling: calm" in markdown


def test_markdown_settings_show_missing_values_as_a_dash(texts: Texts) -> None:
    markdown = to_markdown(sample_rows(), texts, exported_at=NOW).decode()
    assert "- timezone: Europe/Berlin" in markdown
    assert "- country: -" in markdown
    assert f"- consented_at: {EARLIER.isoformat()}" in markdown


def test_markdown_leaves_out_empty_sections_and_empty_notes(texts: Texts) -> None:
    rows = {"users": [], "mood_entries": [{"rating": 3, "feelings": "", "note": None,
                                           "created_at": NOW}]}  # fmt: skip
    markdown = to_markdown(rows, texts, exported_at=NOW).decode()
    assert texts.get(T.export_heading_journal) not in markdown
    assert texts.get(T.export_heading_settings) not in markdown
    assert markdown.endswith("\n### 2026-05-01 12:00 UTC · 3/5\n")
    assert ">" not in markdown


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1))
def test_every_line_of_any_note_is_quoted(note: str) -> None:
    rows = {"journal_entries": [{"kind": "note", "text": note, "created_at": NOW}]}
    markdown = to_markdown(rows, TEXTS, exported_at=NOW).decode()
    body = markdown.split("### 2026-05-01 12:00 UTC · note\n", 1)[1]
    quoted = body.strip("\n").split("\n") if note.strip("\n") else []
    assert all(line == ">" or line.startswith("> ") for line in quoted), body
