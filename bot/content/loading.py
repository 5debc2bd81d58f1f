"""Shared pieces of the content loaders: strict schemas, a problem report, small file helpers.

Each kind of content (prompts, lessons, exercises, scenarios, …) has its own loader; they all
read YAML with line numbers, validate it against a frozen pydantic model, and report every
problem with file, line, place and a hint through ``Report``. Pure: no Telegram, no database.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.content.errors import ContentError, ContentProblem
from bot.content.html import html_problems, visible_length
from bot.content.yamlio import LineDict, line_of, load_yaml

MESSAGE_LIMIT = 4096  # Telegram's limit for one message, in visible characters
TITLE_LIMIT = 48
SUMMARY_LIMIT = 120
BUTTON_LIMIT = 32
_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")


class Strict(BaseModel):
    """Base of every raw file schema: unknown fields are errors, values are not coerced."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


_M = TypeVar("_M", bound=BaseModel)


class Report:
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


def read_yaml(path: Path, problems: list[ContentProblem]) -> tuple[bool, Any]:
    """Load a YAML file; on failure add its problems and return (False, None)."""
    try:
        return True, load_yaml(path)
    except ContentError as exc:
        problems.extend(exc.problems)
        return False, None


def clean(text: str) -> str:
    """Strip the text an author wrote in a YAML block scalar."""
    # YAML block scalars end in a newline the author did not mean to send.
    return text.strip()


def yaml_files(folder: Path, report_to: list[ContentProblem]) -> list[Path]:
    """The .yml files of a folder, in order; a .yaml file is reported as not read."""
    for wrong in sorted(folder.glob("*.yaml")):
        Report(wrong, report_to).add("is not read", None, hint="rename it to end in .yml")
    return sorted(folder.glob("*.yml"))


def missing_folder(folder: Path, problems: list[ContentProblem]) -> bool:
    """Report and return True when a content folder is missing."""
    if folder.is_dir():
        return False
    Report(folder, problems).add("folder is missing", None, hint="restore it from the repository")
    return True


def with_line(data: dict[str, Any], like: Any) -> LineDict:
    """A copy of data that keeps like's line, so later problems still point into the file."""
    return LineDict(data, line=line_of(like) or 0)
