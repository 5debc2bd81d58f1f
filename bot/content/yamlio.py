"""Strict YAML loading: duplicate keys are errors, and every mapping remembers its line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.content.errors import ContentError, ContentProblem


class LineDict(dict[str, Any]):
    """A mapping loaded from YAML that knows the line it started on (1-based)."""

    __slots__ = ("line",)

    def __init__(self, *args: Any, line: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line = line


# libyaml's parser when PyYAML was built with it (several times faster), else pure Python.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_Base):  # type: ignore[valid-type,misc]
    """SafeLoader that rejects duplicate keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict(line=node.start_mark.line + 1)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (the first one is kept by most tools, so remove one)",
                key_node.start_mark,
            )
        result[key] = loader.construct_object(value_node, deep=True)
    return result


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: Path) -> Any:
    """Load one YAML file strictly, turning syntax errors into a ContentError with a line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContentError([ContentProblem(path, f"cannot read file: {exc.strerror}")]) from exc
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        message = f"{exc.problem or 'invalid YAML'}"
        raise ContentError(
            [ContentProblem(path, message, line=line, hint="check indentation and quoting")]
        ) from exc
    except yaml.YAMLError as exc:
        raise ContentError([ContentProblem(path, f"invalid YAML: {exc}")]) from exc


def line_of(node: Any) -> int | None:
    """Return the line a loaded mapping started on, if it is known."""
    return node.line if isinstance(node, LineDict) and node.line else None
