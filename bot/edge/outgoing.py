"""What the bot wants to send, independent of Telegram: HTML text and rows of buttons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ButtonSpec:
    """A button: its label and the callback data it sends back."""

    label: str
    data: str


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message: HTML for parse_mode=HTML, and rows of buttons under it."""

    html: str
    rows: tuple[tuple[ButtonSpec, ...], ...] = field(default_factory=tuple)
    # Edit this message instead of sending a new one (live exercises, paging).
    edit_message_id: int | None = None
    # A PNG to send as a photo, with `html` as its caption.
    photo: bytes | None = None


# Buttons share a row while their labels stay short, so menus stay readable on a phone.
_ROW_CHARS = 28
_ROW_BUTTONS = 3


def layout(buttons: Sequence[ButtonSpec]) -> tuple[tuple[ButtonSpec, ...], ...]:
    """Pack buttons into rows: short labels side by side, long ones alone."""
    rows: list[list[ButtonSpec]] = []
    for button in buttons:
        row = rows[-1] if rows else None
        if (
            row is not None
            and len(row) < _ROW_BUTTONS
            and sum(len(b.label) for b in row) + len(button.label) <= _ROW_CHARS
        ):
            row.append(button)
        else:
            rows.append([button])
    return tuple(tuple(row) for row in rows)
