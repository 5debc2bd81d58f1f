"""Turn a user's rows into the two export files: JSON for programs, Markdown for people. Pure."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from bot.content.texts import T, Texts

EXPORT_VERSION = 1


def _default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot export {type(value).__name__}")


def to_json(rows: Mapping[str, list[dict[str, Any]]], *, exported_at: datetime) -> bytes:
    """All rows, table by table, as indented UTF-8 JSON."""
    document = {"format": "secure-base-export", "version": EXPORT_VERSION,
                "exported_at": exported_at, "tables": rows}  # fmt: skip
    return json.dumps(document, default=_default, ensure_ascii=False, indent=2).encode()


def _when(row: Mapping[str, Any]) -> str:
    # Flow runs have no created_at; when they started is their date.
    value = row.get("created_at", row.get("started_at"))
    return value.strftime("%Y-%m-%d %H:%M UTC") if isinstance(value, datetime) else ""


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def _journal_title(row: Mapping[str, Any]) -> str:
    return f"{row['kind']} · {row['ref']}" if row.get("ref") else str(row["kind"])


def _practice_title(row: Mapping[str, Any]) -> str:
    return f"{row['exercise']} · {row['verdict']}"


def _mood_title(row: Mapping[str, Any]) -> str:
    feelings = f" · {row['feelings']}" if row.get("feelings") else ""
    return f"{row['rating']}/5{feelings}"


def _grounding_title(row: Mapping[str, Any]) -> str:
    return f"{row['exercise']} · {row.get('before')} → {row.get('after')}"


def _flow_title(row: Mapping[str, Any]) -> str:
    return f"{row['flow_id']} · {row['status']}"


def _hold_title(row: Mapping[str, Any]) -> str:
    due = row.get("due_at")
    back = due.strftime("%Y-%m-%d %H:%M UTC") if isinstance(due, datetime) else ""
    return f"{row['status']} · {back}"


def _bid_title(row: Mapping[str, Any]) -> str:
    return f"{row['by']} · {row['response']}"


def _flow_answers(row: Mapping[str, Any]) -> str:
    state = json.loads(row.get("state") or "{}")
    return "\n".join(f"{k}: {v}" for k, v in state.get("vars", {}).items())


# (table, heading, entry title, the field or function that gives the entry's text)
_SECTIONS: tuple[
    tuple[
        str, T, Callable[[Mapping[str, Any]], str], str | Callable[[Mapping[str, Any]], str] | None
    ],
    ...,
] = (
    ("journal_entries", T.export_heading_journal, _journal_title, "text"),
    ("practice_attempts", T.export_heading_practice, _practice_title, "text"),
    ("mood_entries", T.export_heading_mood, _mood_title, "note"),
    ("grounding_sessions", T.export_heading_grounding, _grounding_title, None),
    ("flow_runs", T.export_heading_flows, _flow_title, _flow_answers),
    ("held_messages", T.export_heading_holds, _hold_title, "text"),
    ("bids", T.export_heading_bids, _bid_title, "note"),
)


def to_markdown(
    rows: Mapping[str, list[dict[str, Any]]], texts: Texts, *, exported_at: datetime
) -> bytes:
    """A readable document of what the user wrote, newest last."""
    out = [f"# {texts.get(T.export_title)}", "", exported_at.strftime("%Y-%m-%d %H:%M UTC"), ""]
    for user in rows.get("users", []):
        out += [f"## {texts.get(T.export_heading_settings)}", ""]
        for key in ("timezone", "prompt_time", "prompt_days", "country", "consented_at"):
            value = user.get(key)
            if isinstance(value, datetime):
                value = value.isoformat()
            out.append(f"- {key}: {value if value is not None else '-'}")
        out.append("")
    for table, heading, title, body in _SECTIONS:
        entries = sorted(rows.get(table, []), key=lambda r: (_when(r), r.get("id") or 0))
        if not entries:
            continue
        out += [f"## {texts.get(heading)}", ""]
        for row in entries:
            out.append(f"### {_when(row)} · {title(row)}")
            text = body(row) if callable(body) else (row.get(body) if body else None)
            if text:
                out += ["", _quote(str(text))]
            out.append("")
    return "\n".join(out).encode()
