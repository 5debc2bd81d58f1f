"""Check text against the subset of HTML that Telegram's parse_mode=HTML accepts; shorten text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Tags Telegram parses (Bot API "Formatting options", HTML style).
ALLOWED_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
        "a", "tg-emoji", "code", "pre", "blockquote",
    }
)  # fmt: skip
_NAMED_ENTITIES = frozenset({"lt", "gt", "amp", "quot"})
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")
_BARE_AMP = re.compile(r"&(?!(#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);)")


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.problems: list[str] = []
        self.stack: list[str] = []
        self.visible: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}> is not supported by Telegram (escape '<' as &lt;)")
            return
        if tag == "span" and ("class", "tg-spoiler") not in attrs:
            self.problems.append('<span> needs class="tg-spoiler"')
        if tag == "a" and not any(name == "href" for name, _ in attrs):
            self.problems.append("<a> needs an href")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"closing tag </{tag}> is not supported by Telegram")
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"closing tag </{tag}> does not match an open tag")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.visible.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in _NAMED_ENTITIES:
            self.problems.append(f"entity &{name}; is not supported (use &lt; &gt; &amp; &quot;)")
        self.visible.append("x")

    def handle_charref(self, name: str) -> None:  # noqa: ARG002 - counted, not checked
        self.visible.append("x")


def html_problems(text: str) -> list[str]:
    """Return what Telegram would reject in this HTML text (empty when it is fine)."""
    problems: list[str] = []
    if _BARE_AMP.search(text):
        problems.append("a bare '&' must be written as &amp;")
    checker = _Checker()
    checker.feed(text)
    checker.close()
    problems.extend(checker.problems)
    if checker.stack:
        problems.append(f"tag <{checker.stack[-1]}> is never closed")
    return problems


def visible_length(text: str) -> int:
    """Count the characters a user sees once Telegram has parsed the HTML."""
    checker = _Checker()
    checker.feed(text)
    checker.close()
    return len("".join(checker.visible))


def shorten(text: str, limit: int) -> str:
    """The text on one line (runs of whitespace as one space), cut to at most `limit`
    characters with an ellipsis when it is longer: previews and quotes of what users wrote."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"
