"""Load the bot's core content and pick the daily prompt.

Four kinds of content live under ``content/``: daily reflection prompts (``prompts/<theme>.yml``
plus ``prompts/_meta.yml`` for the small lines around them), short lessons
(``lessons/NN_<id>.md``), grounding exercises (``exercises/<id>.yml``) and practice scenarios
(``practice/scenarios.yml``). ``Library.load`` reads and validates all of them, collects every
problem it finds (with file, line and a hint for the author) and raises one ``ContentError``;
on success it returns frozen, ready-to-render data. ``choose_prompt`` picks the next prompt
without repeats and with the themes taking turns. The module is pure: no Telegram, no
database, no clock, and randomness only through the ``rng`` the caller passes in.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.content.errors import ContentError, ContentProblem
from bot.content.html import html_problems, visible_length
from bot.content.yamlio import LineDict, line_of, load_yaml

__all__ = [
    "Exercise",
    "ExerciseKind",
    "ExerciseStep",
    "Lesson",
    "LessonPage",
    "Library",
    "Phase",
    "Prompt",
    "PromptMeta",
    "Scenario",
    "Theme",
    "markdown_problems",
    "markdown_to_html",
]

ExerciseKind = Literal["paced", "interactive", "guided"]

MESSAGE_LIMIT = 4096  # Telegram's limit for one message, in visible characters
PAGE_LIMIT = 1000  # a lesson page should read comfortably on a phone screen
TITLE_LIMIT = 48
SUMMARY_LIMIT = 120
BUTTON_LIMIT = 32
MAX_PHASE_SECONDS = 60
MAX_STEP_ITEMS = 10
CYCLES_RANGE = (1, 8)
# 4-7-8 breathing is advised at no more than four breaths at a time (light-headedness).
_MAX_CYCLES_BY_ID: Mapping[str, int] = MappingProxyType({"four_seven_eight": 4})

_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")
_LESSON_FILE = re.compile(r"(\d{2})_([a-z][a-z0-9_]*)\.md")
_FRONT_MATTER_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*?)\s*")
_LESSON_KEYS = ("id", "title", "summary", "reflection")
_META_FILE = "_meta.yml"
_BUTTON_KEYS = ("answer", "another", "skip_today", "remind_later")
_KIND_FIELDS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "paced": frozenset({"cycles", "phases"}),
        "interactive": frozenset({"steps"}),
        "guided": frozenset({"pages"}),
    }
)

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


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Prompt:
    """One daily reflection question, with an optional gentle follow-up."""

    id: str
    theme: str
    text: str
    follow_up: str | None


@dataclass(frozen=True, slots=True)
class Theme:
    """A group of prompts the user can switch on or off in /settings."""

    id: str
    title: str
    prompts: tuple[Prompt, ...]


@dataclass(frozen=True, slots=True)
class PromptMeta:
    """The small lines around a prompt: teasers, thanks, re-entry, check-ins and buttons."""

    teasers: tuple[str, ...]
    acknowledgements: tuple[str, ...]
    reentry: tuple[str, ...]
    checkin: tuple[str, ...]
    buttons: Mapping[str, str]


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


@dataclass(frozen=True, slots=True)
class Phase:
    """One timed phase of a paced breathing exercise."""

    text: str
    seconds: int


@dataclass(frozen=True, slots=True)
class ExerciseStep:
    """One step of an interactive exercise; expect is how many items to ask for, if any."""

    text: str
    expect: int | None


@dataclass(frozen=True, slots=True)
class Exercise:
    """A grounding exercise; only the fields of its kind are filled (cycles is 0 if unpaced)."""

    id: str
    title: str
    duration: str
    summary: str
    kind: ExerciseKind
    intro: str
    caution: str | None
    cycles: int
    phases: tuple[Phase, ...]
    steps: tuple[ExerciseStep, ...]
    pages: tuple[str, ...]
    outro: str


@dataclass(frozen=True, slots=True)
class Scenario:
    """A common moment with an avoidant partner, used to practise a non-blaming statement."""

    id: str
    title: str
    situation: str
    feeling_hint: str | None


@dataclass(frozen=True, slots=True)
class Library:
    """All core content, validated and ready to render."""

    themes: Mapping[str, Theme]
    prompts: Mapping[str, Prompt]
    meta: PromptMeta
    lessons: tuple[Lesson, ...]
    exercises: Mapping[str, Exercise]
    scenarios: tuple[Scenario, ...]

    @classmethod
    def load(cls, content_dir: Path) -> Library:
        """Load and validate prompts, lessons, exercises and scenarios from content_dir."""
        problems: list[ContentProblem] = []
        themes, meta = _load_prompts(content_dir / "prompts", problems)
        lessons = _load_lessons(content_dir / "lessons", problems)
        exercises = _load_exercises(content_dir / "exercises", problems)
        scenarios = _load_scenarios(content_dir / "practice" / "scenarios.yml", problems)
        if problems or meta is None:
            raise ContentError(problems)
        prompts = {p.id: p for theme in themes.values() for p in theme.prompts}
        return cls(
            themes=MappingProxyType(themes),
            prompts=MappingProxyType(prompts),
            meta=meta,
            lessons=lessons,
            exercises=MappingProxyType(exercises),
            scenarios=scenarios,
        )


# ---------------------------------------------------------------------------------------------
# Choosing the daily prompt
# ---------------------------------------------------------------------------------------------


def _previous_prompt(library: Library, seen: Collection[str]) -> Prompt | None:
    if isinstance(seen, Sequence) and not isinstance(seen, str) and seen:
        return library.prompts.get(seen[-1])
    return None


# ---------------------------------------------------------------------------------------------
# Lesson Markdown
# ---------------------------------------------------------------------------------------------


def markdown_to_html(text: str) -> str:
    """Turn lesson Markdown (paragraphs, **bold**, *italic*) into Telegram HTML.

    Everything else is escaped, so ``<`` and ``&`` show as written. Lines within a paragraph
    are joined with a space; paragraphs are separated by one blank line.
    """
    paragraphs = [" ".join(line.strip() for line in block) for block in _paragraphs(text)]
    return "\n\n".join(_inline_to_html(p) for p in paragraphs)


def markdown_problems(text: str) -> list[str]:
    """Return what lesson Markdown uses beyond paragraphs, **bold** and *italic*."""
    problems: list[str] = []
    for line in text.splitlines():
        problems.extend(_line_problems(line))
    for block in _paragraphs(text):
        problems.extend(_paragraph_problems(" ".join(line.strip() for line in block)))
    return problems


def _paragraphs(text: str) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _inline_to_html(paragraph: str) -> str:
    escaped = html.escape(paragraph, quote=False)
    return _ITALIC.sub(r"<i>\1</i>", _BOLD.sub(r"<b>\1</b>", escaped))


def _line_problems(line: str) -> list[str]:
    stripped = line.lstrip()
    found = [f"uses {what}" for pattern, what in _UNSUPPORTED_BLOCKS if pattern.match(stripped)]
    found += [f"uses {what}" for pattern, what in _UNSUPPORTED_INLINE if pattern.search(line)]
    return found


def _paragraph_problems(paragraph: str) -> list[str]:
    converted = _inline_to_html(paragraph)
    if "*" in converted:
        return ["has a '*' without a partner (close **bold** and *italic* in the same paragraph)"]
    if html_problems(converted):
        # Only crossed markers get here (a <tag> is caught per line), so one message says it.
        return ["gives invalid HTML once converted: **bold** and *italic* cross each other"]
    return []


# ---------------------------------------------------------------------------------------------
# Raw file schemas (structure only; meaning is checked afterwards, with lines)
# ---------------------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


_M = TypeVar("_M", bound=BaseModel)


class _PromptIn(_Strict):
    id: str
    text: str
    follow_up: str | None = None


class _ThemeFileIn(_Strict):
    theme: str
    title: str
    prompts: list[Any]


class _ButtonsIn(_Strict):
    answer: str
    another: str
    skip_today: str
    remind_later: str


class _MetaIn(_Strict):
    teasers: list[str]
    acknowledgements: list[str]
    reentry: list[str]
    checkin: list[str]
    buttons: _ButtonsIn


class _PhaseIn(_Strict):
    text: str
    seconds: int


class _StepIn(_Strict):
    text: str
    expect: int | None = None


class _ExerciseIn(_Strict):
    id: str
    title: str
    duration: str
    summary: str
    kind: str
    intro: str
    caution: str | None = None
    outro: str


class _PacedIn(_ExerciseIn):
    cycles: int
    phases: list[_PhaseIn]


class _InteractiveIn(_ExerciseIn):
    steps: list[_StepIn]


class _GuidedIn(_ExerciseIn):
    pages: list[str]


_EXERCISE_MODELS: Mapping[str, type[_ExerciseIn]] = MappingProxyType(
    {"paced": _PacedIn, "interactive": _InteractiveIn, "guided": _GuidedIn}
)


class _ScenarioIn(_Strict):
    id: str
    title: str
    situation: str
    feeling_hint: str | None = None


class _ScenarioFileIn(_Strict):
    scenarios: list[Any]


# ---------------------------------------------------------------------------------------------
# Shared checks
# ---------------------------------------------------------------------------------------------


class _Report:
    """Collect problems for one file, so checks read as one line each."""

    def __init__(self, path: Path, problems: list[ContentProblem]) -> None:
        self.path = path
        self.problems = problems
        self.start = len(problems)

    @property
    def clean(self) -> bool:
        return len(self.problems) == self.start

    def add(self, message: str, line: int | None, where: str = "", hint: str = "") -> None:
        self.problems.append(ContentProblem(self.path, message, line=line, where=where, hint=hint))

    def text(self, text: str, line: int | None, where: str, *, limit: int = MESSAGE_LIMIT) -> None:
        """Check a message text: not empty, valid Telegram HTML, not too long."""
        if not text.strip():
            self.add("is empty", line, where, "write the text or remove the field")
            return
        for problem in html_problems(text):
            self.add(problem, line, where, "escape a literal '&' as &amp; and '<' as &lt;")
        length = visible_length(text)
        if length > limit:
            self.add(f"is {length} characters long; the limit is {limit}", line, where)

    def question(self, text: str, line: int | None, where: str) -> None:
        """Check a text that must ask something."""
        if text.strip() and "?" not in text:
            self.add("asks no question", line, where, "end it with one gentle question")

    def label(self, text: str, line: int | None, where: str, *, limit: int) -> None:
        """Check a one-line plain label that may be shown on a button or in a menu."""
        if not text.strip():
            self.add("is empty", line, where)
        elif "<" in text or "&" in text or "\n" in text:
            self.add(
                "must be one line of plain text", line, where, "no '<', '&' or line breaks here"
            )
        elif len(text) > limit:
            self.add(f"is {len(text)} characters long; the limit is {limit}", line, where)

    def ident(self, value: str, line: int | None, where: str) -> bool:
        """Check an id is lower_snake_case and short; return whether it is."""
        if _ID.fullmatch(value):
            return True
        self.add(
            f"id {value!r} is not well-formed",
            line,
            where,
            "use lower_snake_case: a-z, 0-9 and '_', starting with a letter, at most 40 long",
        )
        return False

    def schema(self, raw: Any, model: type[_M], where: str = "") -> _M | None:
        """Validate raw against model; report each error at the nearest line and return None."""
        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                loc = tuple(error["loc"])
                message, hint = _describe(error, model, loc)
                # An unknown or missing field is reported at its parent; the message names it.
                place = loc[:-1] if error["type"] in ("missing", "extra_forbidden") else loc
                self.add(message, _line_at(raw, loc), _join_where(where, place), hint)
            return None


def _join_where(prefix: str, loc: tuple[Any, ...]) -> str:
    parts = [prefix]
    for item in loc:
        parts.append(f"[{item}]" if isinstance(item, int) else f".{item}")
    return "".join(parts).lstrip(".")


def _describe(error: Any, model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[str, str]:
    kind = error["type"]
    name = loc[-1] if loc else ""
    if kind == "missing":
        return f"required field '{name}' is missing", ""
    if kind == "extra_forbidden":
        allowed = _fields_at(model, loc[:-1])
        return f"unknown field '{name}'", f"allowed here: {', '.join(allowed)}" if allowed else ""
    messages = {
        "string_type": ("must be text", "put it in quotes if it looks like a number or yes/no"),
        "int_type": ("must be a whole number", ""),
        "list_type": ("must be a list", "write one item per line, each starting with '- '"),
        "model_type": ("must be a set of 'field: value' lines", ""),
        "dict_type": ("must be a set of 'field: value' lines", ""),
    }
    return messages.get(kind, (str(error["msg"]), ""))


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Return the field names of the model found at loc, to suggest in a hint."""
    current: Any = model
    for item in loc:
        if isinstance(item, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        info = current.model_fields.get(item)
        if info is None:
            return []
        current = _unwrap(info.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    while get_origin(annotation) in (list, Union):
        args = [a for a in get_args(annotation) if a is not type(None)]
        annotation = args[0] if args else None
    return annotation


def _line_at(raw: Any, loc: tuple[Any, ...]) -> int | None:
    """Return the line of the deepest mapping along loc (the closest line YAML tells us)."""
    line = line_of(raw)
    node = raw
    for item in loc:
        in_mapping = isinstance(node, dict) and item in node
        in_list = isinstance(node, list) and isinstance(item, int) and 0 <= item < len(node)
        if not (in_mapping or in_list):
            break
        node = node[item]
        line = line_of(node) or line
    return line


def _read_yaml(path: Path, problems: list[ContentProblem]) -> tuple[bool, Any]:
    try:
        return True, load_yaml(path)
    except ContentError as exc:
        problems.extend(exc.problems)
        return False, None


def _clean(text: str) -> str:
    # YAML block scalars end in a newline the author did not mean to send.
    return text.strip()


def _yaml_files(folder: Path, report_to: list[ContentProblem]) -> list[Path]:
    for wrong in sorted(folder.glob("*.yaml")):
        _Report(wrong, report_to).add("is not read", None, hint="rename it to end in .yml")
    return sorted(folder.glob("*.yml"))


def _missing_folder(folder: Path, problems: list[ContentProblem]) -> bool:
    if folder.is_dir():
        return False
    _Report(folder, problems).add("folder is missing", None, hint="restore it from the repository")
    return True


# ---------------------------------------------------------------------------------------------
# Prompts
# ---------------------------------------------------------------------------------------------


def _load_prompts(
    folder: Path, problems: list[ContentProblem]
) -> tuple[dict[str, Theme], PromptMeta | None]:
    if _missing_folder(folder, problems):
        return {}, None
    themes: dict[str, Theme] = {}
    first_seen: dict[str, str] = {}
    meta: PromptMeta | None = None
    paths = _yaml_files(folder, problems)
    if not [p for p in paths if not p.name.startswith("_")]:
        _Report(folder, problems).add("has no theme files", None, hint="add <theme>.yml files")
    for path in paths:
        if path.name == _META_FILE:
            meta = _load_meta(path, problems)
        elif path.name.startswith("_"):
            _Report(path, problems).add(
                "is not a known file", None, hint=f"only {_META_FILE} may start with '_'"
            )
        else:
            theme = _load_theme(path, problems, first_seen)
            if theme is not None:
                themes[theme.id] = theme
    if not (folder / _META_FILE).is_file():
        _Report(folder / _META_FILE, problems).add("file is missing", None)
    return themes, meta


def _load_theme(
    path: Path, problems: list[ContentProblem], first_seen: dict[str, str]
) -> Theme | None:
    ok, raw = _read_yaml(path, problems)
    if not ok:
        return None
    report = _Report(path, problems)
    parsed = report.schema(raw, _ThemeFileIn)
    if parsed is None:
        return None
    root = line_of(raw)
    theme_id = parsed.theme
    if report.ident(theme_id, root, "theme") and theme_id != path.stem:
        report.add(
            f"theme {theme_id!r} does not match the file name",
            root,
            "theme",
            f"rename the file to {theme_id}.yml or set theme: {path.stem}",
        )
    report.label(parsed.title, root, "title", limit=TITLE_LIMIT)
    if not parsed.prompts:
        report.add("has no prompts", root, "prompts", "add at least one prompt")
    pattern = re.compile(rf"{re.escape(theme_id)}_\d{{3}}")
    prompts: list[Prompt] = []
    for index, item in enumerate(parsed.prompts):
        where = f"prompts[{index}]"
        prompt = report.schema(item, _PromptIn, where)
        if prompt is None:
            continue
        line = line_of(item)
        if not pattern.fullmatch(prompt.id):
            report.add(
                f"id {prompt.id!r} is not well-formed",
                line,
                f"{where}.id",
                f"use {theme_id}_NNN with three digits, e.g. {theme_id}_007",
            )
        elif prompt.id in first_seen:
            report.add(
                f"id {prompt.id!r} is used twice",
                line,
                f"{where}.id",
                f"it is first used at {first_seen[prompt.id]}; give this prompt a new number",
            )
        else:
            first_seen[prompt.id] = f"{path.name}:{line}"
        report.text(prompt.text, line, f"{where}.text")
        report.question(prompt.text, line, f"{where}.text")
        if prompt.follow_up is not None:
            report.text(prompt.follow_up, line, f"{where}.follow_up")
            report.question(prompt.follow_up, line, f"{where}.follow_up")
        follow_up = _clean(prompt.follow_up) if prompt.follow_up else None
        prompts.append(Prompt(prompt.id, theme_id, _clean(prompt.text), follow_up))
    if not report.clean:
        return None
    return Theme(theme_id, parsed.title, tuple(prompts))


def _load_meta(path: Path, problems: list[ContentProblem]) -> PromptMeta | None:
    ok, raw = _read_yaml(path, problems)
    if not ok:
        return None
    report = _Report(path, problems)
    parsed = report.schema(raw, _MetaIn)
    if parsed is None:
        return None
    root = line_of(raw)
    lists = {
        "teasers": parsed.teasers,
        "acknowledgements": parsed.acknowledgements,
        "reentry": parsed.reentry,
        "checkin": parsed.checkin,
    }
    for name, lines in lists.items():
        if not lines:
            report.add("is empty", root, name, "write at least one line to choose from")
        for index, text in enumerate(lines):
            report.text(text, root, f"{name}[{index}]")
    buttons = {key: getattr(parsed.buttons, key) for key in _BUTTON_KEYS}
    for key, label in buttons.items():
        report.label(label, line_of(raw.get("buttons")), f"buttons.{key}", limit=BUTTON_LIMIT)
    if not report.clean:
        return None
    return PromptMeta(
        teasers=tuple(_clean(t) for t in parsed.teasers),
        acknowledgements=tuple(_clean(t) for t in parsed.acknowledgements),
        reentry=tuple(_clean(t) for t in parsed.reentry),
        checkin=tuple(_clean(t) for t in parsed.checkin),
        buttons=MappingProxyType(buttons),
    )


# ---------------------------------------------------------------------------------------------
# Lessons
# ---------------------------------------------------------------------------------------------


def _load_lessons(folder: Path, problems: list[ContentProblem]) -> tuple[Lesson, ...]:
    if _missing_folder(folder, problems):
        return ()
    lessons: list[Lesson] = []
    ids: dict[str, str] = {}
    orders: dict[int, str] = {}
    paths = sorted(folder.glob("*.md"))
    if not paths:
        _Report(folder, problems).add("has no lessons", None, hint="add NN_<id>.md files")
    for path in paths:
        report = _Report(path, problems)
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


def _load_lesson(path: Path, report: _Report, order: int, file_id: str) -> Lesson | None:
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
    lines: list[str], report: _Report
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


def _lesson_pages(lines: list[str], start: int, report: _Report) -> tuple[LessonPage, ...]:
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
            for problem in _line_problems(text):
                report.add(problem, number, where, "only paragraphs, **bold** and *italic*")
        for problem in _heading_problems(heading):
            report.add(problem, heading_line, where)
        paragraphs = _numbered_paragraphs(body)
        if not paragraphs:
            report.add("page has no text", heading_line, where)
        for number, paragraph in paragraphs:
            for problem in _paragraph_problems(paragraph):
                report.add(problem, number, where)
        page_html = markdown_to_html("\n".join(text for _, text in body))
        heading_html = _inline_to_html(heading)
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


def _heading_problems(heading: str) -> list[str]:
    found = [f"uses {what}" for pattern, what in _UNSUPPORTED_INLINE if pattern.search(heading)]
    return found + _paragraph_problems(heading)


def _numbered_paragraphs(body: list[tuple[int, str]]) -> list[tuple[int, str]]:
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


# ---------------------------------------------------------------------------------------------
# Exercises
# ---------------------------------------------------------------------------------------------


def _load_exercises(folder: Path, problems: list[ContentProblem]) -> dict[str, Exercise]:
    if _missing_folder(folder, problems):
        return {}
    exercises: dict[str, Exercise] = {}
    paths = _yaml_files(folder, problems)
    if not paths:
        _Report(folder, problems).add("has no exercises", None, hint="add <id>.yml files")
    for path in paths:
        ok, raw = _read_yaml(path, problems)
        if ok:
            exercise = _load_exercise(path, raw, _Report(path, problems))
            if exercise is not None:
                exercises[exercise.id] = exercise
    return exercises


def _load_exercise(path: Path, raw: Any, report: _Report) -> Exercise | None:
    root = line_of(raw)
    if not isinstance(raw, dict):
        report.add("must be a set of 'field: value' lines", root)
        return None
    if raw.get("kind") not in _EXERCISE_MODELS:
        report.add(
            f"kind {raw.get('kind')!r} is not known",
            root,
            "kind",
            "use paced, interactive or guided",
        )
        return None
    kind: ExerciseKind = raw["kind"]
    model = _EXERCISE_MODELS[kind]
    # Fields of another kind get one clear message here instead of a bare "unknown field".
    foreign = {k for other, keys in _KIND_FIELDS.items() if other != kind for k in keys}
    for key in sorted(foreign & raw.keys()):
        report.add(
            f"field '{key}' does not belong to a {kind} exercise",
            root,
            key,
            f"a {kind} exercise uses: {', '.join(sorted(_KIND_FIELDS[kind]))}",
        )
    own = {k: v for k, v in raw.items() if k not in foreign}
    parsed = report.schema(_with_line(own, raw), model)
    if parsed is None:
        return None
    if report.ident(parsed.id, root, "id") and parsed.id != path.stem:
        report.add(
            f"id {parsed.id!r} does not match the file name",
            root,
            "id",
            f"rename the file to {parsed.id}.yml or set id: {path.stem}",
        )
    report.label(parsed.title, root, "title", limit=TITLE_LIMIT)
    report.label(parsed.duration, root, "duration", limit=BUTTON_LIMIT)
    report.label(parsed.summary, root, "summary", limit=SUMMARY_LIMIT)
    report.text(parsed.intro, root, "intro")
    report.text(parsed.outro, root, "outro")
    if parsed.caution is not None:
        report.text(parsed.caution, root, "caution")
    cycles = 0
    phases: tuple[Phase, ...] = ()
    steps: tuple[ExerciseStep, ...] = ()
    pages: tuple[str, ...] = ()
    if isinstance(parsed, _PacedIn):
        cycles, phases = parsed.cycles, _check_phases(parsed, raw, report)
    elif isinstance(parsed, _InteractiveIn):
        steps = _check_steps(parsed, raw, report)
    elif isinstance(parsed, _GuidedIn):
        pages = _check_pages(parsed, root, report)
    if not report.clean:
        return None
    return Exercise(
        id=parsed.id,
        title=parsed.title,
        duration=parsed.duration,
        summary=parsed.summary,
        kind=kind,
        intro=_clean(parsed.intro),
        caution=_clean(parsed.caution) if parsed.caution else None,
        cycles=cycles,
        phases=phases,
        steps=steps,
        pages=pages,
        outro=_clean(parsed.outro),
    )


def _with_line(data: dict[str, Any], like: Any) -> LineDict:
    # A copy that keeps the line, so later problems still point into the file.
    return LineDict(data, line=line_of(like) or 0)


def _check_phases(parsed: _PacedIn, raw: Any, report: _Report) -> tuple[Phase, ...]:
    root = line_of(raw)
    low, high = CYCLES_RANGE
    high = min(high, _MAX_CYCLES_BY_ID.get(parsed.id, high))
    if not low <= parsed.cycles <= high:
        report.add(f"cycles is {parsed.cycles}; use {low} to {high}", root, "cycles")
    if not parsed.phases:
        report.add("has no phases", root, "phases", "add at least one {text, seconds} phase")
    raw_phases = raw.get("phases") or []
    for index, phase in enumerate(parsed.phases):
        line = line_of(raw_phases[index]) or root
        report.text(phase.text, line, f"phases[{index}].text")
        if not 1 <= phase.seconds <= MAX_PHASE_SECONDS:
            report.add(
                f"seconds is {phase.seconds}; use 1 to {MAX_PHASE_SECONDS}",
                line,
                f"phases[{index}].seconds",
                "the bot edits one message per phase, and Telegram allows about one edit a second",
            )
    return tuple(Phase(_clean(p.text), p.seconds) for p in parsed.phases)


def _check_steps(parsed: _InteractiveIn, raw: Any, report: _Report) -> tuple[ExerciseStep, ...]:
    root = line_of(raw)
    if not parsed.steps:
        report.add("has no steps", root, "steps", "add at least one {text} step")
    raw_steps = raw.get("steps") or []
    for index, step in enumerate(parsed.steps):
        line = line_of(raw_steps[index]) or root
        report.text(step.text, line, f"steps[{index}].text")
        if step.expect is not None and not 1 <= step.expect <= MAX_STEP_ITEMS:
            report.add(f"expect is {step.expect}; use 1 to {MAX_STEP_ITEMS}", line, "expect")
    return tuple(ExerciseStep(_clean(s.text), s.expect) for s in parsed.steps)


def _check_pages(parsed: _GuidedIn, root: int | None, report: _Report) -> tuple[str, ...]:
    if not parsed.pages:
        report.add("has no pages", root, "pages", "add at least one page of text")
    for index, page in enumerate(parsed.pages):
        report.text(page, root, f"pages[{index}]")
    return tuple(_clean(p) for p in parsed.pages)


# ---------------------------------------------------------------------------------------------
# Practice scenarios
# ---------------------------------------------------------------------------------------------


def _load_scenarios(path: Path, problems: list[ContentProblem]) -> tuple[Scenario, ...]:
    if not path.is_file():
        _Report(path, problems).add("file is missing", None)
        return ()
    ok, raw = _read_yaml(path, problems)
    if not ok:
        return ()
    report = _Report(path, problems)
    parsed = report.schema(raw, _ScenarioFileIn)
    if parsed is None:
        return ()
    if not parsed.scenarios:
        report.add("has no scenarios", line_of(raw), "scenarios")
    scenarios: list[Scenario] = []
    first_seen: dict[str, int | None] = {}
    for index, item in enumerate(parsed.scenarios):
        where = f"scenarios[{index}]"
        scenario = report.schema(item, _ScenarioIn, where)
        if scenario is None:
            continue
        line = line_of(item)
        if report.ident(scenario.id, line, f"{where}.id"):
            if scenario.id in first_seen:
                report.add(
                    f"id {scenario.id!r} is used twice",
                    line,
                    f"{where}.id",
                    f"it is first used at line {first_seen[scenario.id]}; choose another id",
                )
            first_seen.setdefault(scenario.id, line)
        report.label(scenario.title, line, f"{where}.title", limit=TITLE_LIMIT)
        report.text(scenario.situation, line, f"{where}.situation")
        if scenario.feeling_hint is not None:
            report.text(scenario.feeling_hint, line, f"{where}.feeling_hint")
        hint = _clean(scenario.feeling_hint) if scenario.feeling_hint else None
        scenarios.append(Scenario(scenario.id, scenario.title, _clean(scenario.situation), hint))
    return tuple(scenarios) if report.clean else ()
