"""Turn message text into what a Telegram user actually reads (tags gone, entities decoded)."""

from __future__ import annotations

from html.parser import HTMLParser


class _Stripper(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(text: str, parse_mode: str | None = "HTML") -> str:
    """Return the visible text of a message; only HTML is parsed, other modes pass through."""
    if not parse_mode or parse_mode.upper() != "HTML":
        return text
    stripper = _Stripper()
    stripper.feed(text)
    stripper.close()
    return "".join(stripper.parts)
