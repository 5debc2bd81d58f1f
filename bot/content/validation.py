"""Turn pydantic validation errors on loaded YAML into ContentProblems that point at a line.

Every content loader validates its file with a frozen pydantic model; when that fails the
author should see each problem with the line of the closest mapping and a readable location
such as `rules[3].level`, not a Python traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bot.content.errors import ContentError, ContentProblem
from bot.content.yamlio import line_of

_M = TypeVar("_M", bound=BaseModel)


def location(loc: Sequence[int | str]) -> str:
    """Render a pydantic location as `rules[3].level`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def line_at(raw: Any, loc: Sequence[int | str]) -> int | None:
    """Return the line of the deepest loaded mapping along a location, if known."""
    node, line = raw, line_of(raw)
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        line = line_of(node) or line
    return line


def validation_problems(
    path: Path, raw: Any, exc: ValidationError, *, prefix: str = ""
) -> list[ContentProblem]:
    """One ContentProblem per pydantic error, with its line, location and a hint."""
    return [
        ContentProblem(
            path,
            str(error["msg"]),
            line=line_at(raw, error["loc"]),
            where=prefix + (location(error["loc"]) or "file"),
            hint=_hint(error["type"], error.get("input")),
        )
        for error in exc.errors()
    ]


def validate(model: type[_M], raw: Any, path: Path) -> _M:
    """Validate loaded YAML with a model, raising a ContentError that lists every problem."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ContentError(validation_problems(path, raw, exc)) from exc


def _hint(error_type: str, given: object = None) -> str:
    if isinstance(given, bool):
        # YAML 1.1 reads no, yes, on and off (and NO, Norway's code) as booleans.
        return 'quote it: YAML reads NO, yes, on and off as true/false, so write "NO"'
    if error_type == "extra_forbidden":
        return "remove the key or check its spelling"
    if error_type == "missing":
        return "add the key"
    if error_type == "literal_error":
        return "use one of the listed values"
    return ""
