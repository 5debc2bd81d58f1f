"""Lessons as content: ``lessons/NN_<id>.md``, a front matter and a few ``## `` pages each.

The front matter (between ``---`` lines) holds id, title, summary and the reflection question
saved to the journal; each page is a heading and short paragraphs of lesson Markdown
(**bold** and *italic* only), converted to Telegram HTML by ``bot.content.markdown``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.content.errors import ContentProblem
from bot.content.html import visible_length
from bot.content.loading import MESSAGE_LIMIT, SUMMARY_LIMIT, TITLE_LIMIT, Report, missing_folder
from bot.content.markdown import (
    heading_problems,
    inline_to_html,
    line_problems,
    markdown_to_html,
    numbered_paragraphs,
    paragraph_problems,
)

PAGE_LIMIT = 1000  # a lesson page should read comfortably on a phone screen
_LESSON_FILE = re.compile(r"(\d{2})_([a-z][a-z0-9_]*)\.md")
_FRONT_MATTER_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*?)\s*")
_LESSON_KEYS = ("id", "title", "summary", "reflection")


@dataclass(frozen=True, slots=True)
class LessonPage:
    """One page of a lesson; heading and body are Telegram HTML."""

    heading: str
    html: str


@dataclass(frozen=True, slots=True)
class Lesson:
    """A short lesson of a few pages, ending in a question for the journal."""

    id: str
    title: str
    summary: str
    reflection: str
    pages: tuple[LessonPage, ...]
    order: int


def load_lessons(folder: Path, problems: list[ContentProblem]) -> tuple[Lesson, ...]:
    """Load every NN_<id>.md lesson in order, reporting problems."""
    if missing_folder(folder, problems):
        return ()
    lessons: list[Lesson] = []
    ids: dict[str, str] = {}
    orders: dict[int, str] = {}
    paths = sorted(folder.glob("*.md"))
    if not paths:
        Report(folder, problems).add("has no lessons", None, hint="add NN_<id>.md files")
    for path in paths:
        report = Report(path, problems)
        match = _LESSON_FILE.fullmatch(path.name)
        if match is None:
            report.add("file name is not NN_<id>.md", None, hint="e.g. 03_emotional_safety.md")
            continue
        order, file_id = int(match.group(1)), match.group(2)
        if order in orders:
            report.add(f"number {order:02d} is also used by {orders[order]}", None)
        orders.setdefault(order, path.name)
        lesson = _load_lesson(path, report, order, file_id)
        if lesson is None:
            continue
        if lesson.id in ids:
            report.add(f"id {lesson.id!r} is also used by {ids[lesson.id]}", 2, "id")
        ids.setdefault(lesson.id, path.name)
        lessons.append(lesson)
    return tuple(sorted(lessons, key=lambda lesson: lesson.order))


def _load_lesson(path: Path, report: Report, order: int, file_id: str) -> Lesson | None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        report.add(f"cannot read file: {exc}", None)
        return None
    header = _front_matter(lines, report)
    if header is None:
        return None
    fields, body_start = header
    lesson_id, id_line = fields.get("id", ("", 1))
    if "id" in fields and report.ident(lesson_id, id_line, "id") and lesson_id != file_id:
        report.add(
            f"id {lesson_id!r} does not match the file name",
            id_line,
            "id",
            f"rename the file to {order:02d}_{lesson_id}.md or set id: {file_id}",
        )
    # A missing field is already reported once by _front_matter.
    for key, limit in (("title", TITLE_LIMIT), ("summary", SUMMARY_LIMIT)):
        if key in fields:
            report.label(fields[key][0], fields[key][1], key, limit=limit)
    reflection, reflection_line = fields.get("reflection", ("", 1))
    if "reflection" in fields:
        report.label(reflection, reflection_line, "reflection", limit=MESSAGE_LIMIT)
        report.question(reflection, reflection_line, "reflection")
    pages = _lesson_pages(lines, body_start, report)
    if not report.clean:
        return None
    return Lesson(
        id=lesson_id,
        title=fields["title"][0],
        summary=fields["summary"][0],
        reflection=reflection,
        pages=pages,
        order=order,
    )


def _front_matter(
    lines: list[str], report: Report
) -> tuple[dict[str, tuple[str, int]], int] | None:
    """Parse the 'key: value' header between '---' lines; return fields with lines, body start."""
    if not lines or lines[0].strip() != "---":
        report.add("does not start with '---'", 1, hint="open the front matter with a '---' line")
        return None
    end = next((n for n in range(1, len(lines)) if lines[n].strip() == "---"), None)
    if end is None:
        report.add("front matter is never closed", 1, hint="close it with a '---' line")
        return None
    fields: dict[str, tuple[str, int]] = {}
    for index in range(1, end):
        number, text = index + 1, lines[index]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        match = _FRONT_MATTER_LINE.fullmatch(text)
        if match is None:
            report.add("is not a 'key: value' line", number, hint="one field per line")
            continue
        key, value = match.group(1), _unquote(match.group(2))
        if key not in _LESSON_KEYS:
            report.add(
                f"unknown field '{key}'", number, hint=f"allowed: {', '.join(_LESSON_KEYS)}"
            )
        elif key in fields:
            report.add(
                f"field '{key}' appears twice", number, hint=f"first at line {fields[key][1]}"
            )
        else:
            fields[key] = (value, number)
    for key in _LESSON_KEYS:
        if key not in fields:
            report.add(f"required field '{key}' is missing", 1, "front matter")
    return fields, end + 1


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _lesson_pages(lines: list[str], start: int, report: Report) -> tuple[LessonPage, ...]:
    pages: list[tuple[str, int, list[tuple[int, str]]]] = []
    stray_reported = False
    for index in range(start, len(lines)):
        number, text = index + 1, lines[index]
        if text.startswith("## "):
            pages.append((text[3:].strip(), number, []))
        elif pages:
            pages[-1][2].append((number, text))
        elif text.strip() and not stray_reported:
            report.add(
                "text before the first page heading", number, hint="start each page with '## '"
            )
            stray_reported = True
    if not pages:
        report.add("has no pages", start + 1, hint="start each page with a '## Heading' line")
    result: list[LessonPage] = []
    for heading, heading_line, body in pages:
        where = f"page '{heading}'"
        if not heading:
            report.add("page heading is empty", heading_line, where)
        for number, text in body:
            for problem in line_problems(text):
                report.add(problem, number, where, "only paragraphs, **bold** and *italic*")
        for problem in heading_problems(heading):
            report.add(problem, heading_line, where)
        paragraphs = numbered_paragraphs(body)
        if not paragraphs:
            report.add("page has no text", heading_line, where)
        for number, paragraph in paragraphs:
            for problem in paragraph_problems(paragraph):
                report.add(problem, number, where)
        page_html = markdown_to_html("\n".join(text for _, text in body))
        heading_html = inline_to_html(heading)
        length = visible_length(f"{heading_html}\n\n{page_html}")
        if length > PAGE_LIMIT:
            report.add(
                f"page is {length} characters long; the limit is {PAGE_LIMIT}",
                heading_line,
                where,
                "split it into two pages or shorten it",
            )
        result.append(LessonPage(heading_html, page_html))
    return tuple(result)
