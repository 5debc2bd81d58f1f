"""Lesson Markdown: the small subset lessons use (paragraphs, **bold**, *italic*) to Telegram HTML.

``markdown_to_html`` converts, escaping everything else; the ``*_problems`` functions tell an
author what a text uses beyond that subset, so the content checker can point at the line.
"""

from __future__ import annotations

import html
import re

from bot.content.html import html_problems

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"\*(?=[^\s*])(.+?)(?<=[^\s*])\*")
# Markdown that lessons do not support; each pattern is checked per line.
_UNSUPPORTED_BLOCKS = (
    (re.compile(r"#"), "a heading other than '## ' (pages start with '## ', nothing deeper)"),
    (re.compile(r"[-+*]\s"), "a list item (write the items as a sentence or short paragraphs)"),
    (re.compile(r"\d+[.)]\s"), "a numbered list (write the steps as short paragraphs)"),
    (re.compile(r">"), "a block quote (only **bold** and *italic* are supported)"),
)
_UNSUPPORTED_INLINE = (
    (re.compile(r"`"), "a backtick (code formatting is not supported)"),
    (re.compile(r"\[[^\]]*\]\([^)]*\)"), "a Markdown link (links are not supported in lessons)"),
    (re.compile(r"<[A-Za-z/!]"), "an HTML tag (write **bold** or *italic* instead)"),
    (re.compile(r"__"), "'__' (use **bold** with asterisks)"),
)


def markdown_to_html(text: str) -> str:
    """Turn lesson Markdown (paragraphs, **bold**, *italic*) into Telegram HTML.

    Everything else is escaped, so ``<`` and ``&`` show as written. Lines within a paragraph
    are joined with a space; paragraphs are separated by one blank line.
    """
    paragraphs = [" ".join(line.strip() for line in block) for block in _paragraphs(text)]
    return "\n\n".join(inline_to_html(p) for p in paragraphs)


def markdown_problems(text: str) -> list[str]:
    """Return what lesson Markdown uses beyond paragraphs, **bold** and *italic*."""
    problems: list[str] = []
    for line in text.splitlines():
        problems.extend(line_problems(line))
    for block in _paragraphs(text):
        problems.extend(paragraph_problems(" ".join(line.strip() for line in block)))
    return problems


def _paragraphs(text: str) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def inline_to_html(paragraph: str) -> str:
    """Escape one paragraph and turn its **bold** and *italic* into HTML."""
    escaped = html.escape(paragraph, quote=False)
    return _ITALIC.sub(r"<i>\1</i>", _BOLD.sub(r"<b>\1</b>", escaped))


def line_problems(line: str) -> list[str]:
    """What one line uses that lessons do not support (lists, headings, links, tags)."""
    stripped = line.lstrip()
    found = [f"uses {what}" for pattern, what in _UNSUPPORTED_BLOCKS if pattern.match(stripped)]
    found += [f"uses {what}" for pattern, what in _UNSUPPORTED_INLINE if pattern.search(line)]
    return found


def paragraph_problems(paragraph: str) -> list[str]:
    """Unpaired or crossed emphasis markers in one paragraph."""
    converted = inline_to_html(paragraph)
    if "*" in converted:
        return ["has a '*' without a partner (close **bold** and *italic* in the same paragraph)"]
    if html_problems(converted):
        # Only crossed markers get here (a <tag> is caught per line), so one message says it.
        return ["gives invalid HTML once converted: **bold** and *italic* cross each other"]
    return []


def heading_problems(heading: str) -> list[str]:
    """What a page heading uses that lessons do not support."""
    found = [f"uses {what}" for pattern, what in _UNSUPPORTED_INLINE if pattern.search(heading)]
    return found + paragraph_problems(heading)


def numbered_paragraphs(body: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Join each paragraph's lines, remembering the line it starts on."""
    paragraphs: list[tuple[int, str]] = []
    current: list[str] = []
    first = 0
    for number, text in [*body, (0, "")]:
        if text.strip():
            if not current:
                first = number
            current.append(text.strip())
        elif current:
            paragraphs.append((first, " ".join(current)))
            current = []
    return paragraphs
