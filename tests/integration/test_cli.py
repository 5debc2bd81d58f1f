"""The command-line contract: analyze prints the design's JSON, content check speaks to authors,
keys generate and rotate work, db upgrade migrates."""

from __future__ import annotations

import asyncio
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlmodel import select

from bot.__main__ import main
from bot.db.crypto import Vault, install_vault
from bot.db.engine import Database
from bot.db.models import JournalEntry
from bot.ops.config import REPO_ROOT


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_analyze_prints_safety_intent_and_coach(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "analyze", "You never listen to me")
    assert code == 0
    result = json.loads(out)
    assert set(result) == {"safety", "intent", "coach", "language"}
    assert result["language"] == {"detected": "en", "used": "en"}
    assert result["safety"] == {"level": "none", "kind": None, "category": None}
    assert result["intent"] is None
    assert result["coach"]["verdict"] == "try_again"
    never = next(i for i in result["coach"]["issues"] if i["code"] == "absolute")
    assert never["span"] == [4, 9]


def test_analyze_detects_the_language_and_takes_lang(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "analyze", "Nunca me escuchas cuando te hablo")
    assert code == 0
    result = json.loads(out)
    assert result["language"] == {"detected": "es", "used": "es"}
    assert {"safety", "intent", "coach"} <= set(result)
    forced = json.loads(run(capsys, "analyze", "--lang", "en", "Nunca me escuchas")[1])
    assert forced["language"] == {"detected": "es", "used": "en"}
    assert run(capsys, "analyze", "--lang", "xx", "hola")[0] == 2


def test_analyze_reports_crisis_and_grounding(capsys: pytest.CaptureFixture[str]) -> None:
    crisis = json.loads(run(capsys, "analyze", "I want to kill myself")[1])
    assert crisis["safety"] == {
        "level": "crisis",
        "kind": "self_harm",
        "category": "suicidal_thoughts",
    }
    calm = json.loads(run(capsys, "analyze", "I'm panicking and my heart is racing")[1])
    assert calm["intent"] == "grounding"


def test_analyze_set_reports_recall_per_category_and_false_alarms(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        '{"text": "i wrote the letters last night", "level": "crisis", "kind": "self_harm", '
        '"category": "preparation", "group": "risk", "split": "tuning"}\n'
        '{"text": "this commute is killing me", "level": "none", "kind": null, '
        '"category": null, "group": "idiom", "split": "heldout"}\n',
        "utf-8",
    )
    code, out, _ = run(capsys, "analyze", "--set", str(cases))
    assert code == 0
    assert "== all: 1 warning signs, recall 1.000" in out
    assert "preparation" in out
    code, out, _ = run(capsys, "analyze", "--set", str(cases), "--json")
    everything, tuning, heldout = json.loads(out)
    assert everything["categories"]["preparation"]["recall"] == 1.0
    assert heldout["false_alarms"]["idiom"] == {
        "messages": 1,
        "crisis": [],
        "check": [],
        "rate": 0.0,
    }
    assert tuning["name"] == "tuning"
    cases.write_text('{"text": "x"}\n', "utf-8")
    code, _, err = run(capsys, "analyze", "--set", str(cases))
    assert code == 1
    assert "cases.jsonl:1: needs exactly the fields" in err
    assert run(capsys, "analyze")[0] == 2


def test_analyze_with_another_screen_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    screen = tmp_path / "screen.yml"
    text = (REPO_ROOT / "content" / "locales" / "en" / "safety" / "screen.yml").read_text("utf-8")
    screen.write_text(text.replace("language: en", "language: xx"), "utf-8")
    code, out, _ = run(capsys, "analyze", "--screen", str(screen), "kms")
    assert json.loads(out)["safety"]["level"] == "crisis"
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", "utf-8")
    code, out, _ = run(capsys, "analyze", "--screen", str(screen), "--set", str(empty))
    assert code == 0
    assert out.startswith("safety screen (xx) on empty.jsonl: 0 messages")


def test_content_check_passes_and_fails_with_a_located_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "content", "check")[0] == 0
    broken = tmp_path / "content"
    shutil.copytree(REPO_ROOT / "content", broken)
    flow = broken / "locales" / "en" / "flows" / "journal_note.yml"
    flow.write_text(flow.read_text().replace("next: save", "next: svae"))
    monkeypatch.setenv("CONTENT_DIR", str(broken))
    code, _, err = run(capsys, "content", "check")
    assert code == 1
    assert "locales/en/flows/journal_note.yml" in err
    assert "points at step 'svae', which does not exist (did you mean 'save'?)" in err


def test_keys_generate_and_rotate(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(capsys, "keys", "generate")
    assert code == 0
    new_key = out.strip()
    Fernet(new_key.encode())  # a valid key
    old_key = Fernet.generate_key().decode()
    url = f"sqlite+aiosqlite:///{tmp_path / 'k.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ENCRYPTION_KEYS", old_key)
    assert run(capsys, "db", "upgrade")[0] == 0

    async def write() -> None:
        install_vault(Vault([old_key]))
        db = Database(url)
        async with db.session() as session:
            session.add(
                JournalEntry(
                    user_id=1, kind="note", text="kept secret", created_at=datetime.now(UTC)
                )
            )
        await db.dispose()

    asyncio.run(write())
    monkeypatch.setenv("ENCRYPTION_KEYS", f"{new_key},{old_key}")
    code, out, _ = run(capsys, "keys", "rotate")
    assert code == 0
    assert "re-encrypted 1 value(s)" in out

    async def read() -> str:
        install_vault(Vault([new_key]))  # the old key is gone
        db = Database(url)
        async with db.session() as session:
            entry = (await session.exec(select(JournalEntry))).one()
        await db.dispose()
        return entry.text

    try:
        assert asyncio.run(read()) == "kept secret"
    finally:
        install_vault(Vault([]))
