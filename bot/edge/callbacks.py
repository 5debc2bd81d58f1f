"""Short, self-describing button data: `kind|arg|arg`, always within Telegram's 64 bytes.

Kinds: `f` flow option (run id, step index, option), `c` consent, `p` daily prompt actions,
`s` safety menu, `g` grounding, `m` menu shortcuts. Anything that does not decode is an old
or foreign button and is answered kindly, never with an error.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_BYTES = 64  # telegram.constants.InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
SEPARATOR = "|"


class CallbackTooLong(ValueError):
    """The encoded data would not fit into a Telegram button."""


@dataclass(frozen=True, slots=True)
class Callback:
    """Decoded button data."""

    kind: str
    args: tuple[str, ...]

    def int_arg(self, index: int) -> int | None:
        """Return an argument as an int, or None when it is missing or not a number."""
        try:
            return int(self.args[index])
        except (IndexError, ValueError):
            return None


def encode(kind: str, *args: str | int) -> str:
    """Encode a kind and its arguments; raise when a part is unsafe or the result too long."""
    parts = [kind, *(str(a) for a in args)]
    for part in parts:
        if SEPARATOR in part:
            raise ValueError(f"callback part {part!r} contains {SEPARATOR!r}")
    data = SEPARATOR.join(parts)
    if len(data.encode()) > MAX_BYTES:
        raise CallbackTooLong(data)
    return data


def decode(data: str | None) -> Callback | None:
    """Decode button data; None for anything empty or malformed."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    kind, *args = data.split(SEPARATOR)
    if not kind or not kind.isalnum():
        return None
    return Callback(kind, tuple(args))
