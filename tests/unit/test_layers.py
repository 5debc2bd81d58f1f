"""Every import in bot/ points down the layers written once in ``bot.LAYERS``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot import LAYERS

BOT = Path(__file__).resolve().parents[2] / "bot"


def _module_name(path: Path) -> str:
    parts = path.relative_to(BOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer_of(module: str) -> int | None:
    for index, layer in enumerate(LAYERS):
        if any(module == name or module.startswith(name + ".") for name in layer):
            return index
    return None


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module imported from bot/ anywhere in the file (lazy imports included)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # "from bot.edge import callbacks" imports the module bot.edge.callbacks.
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return [(line, name) for line, name in found if name.startswith("bot.")]


SOURCES = sorted(p for p in BOT.rglob("*.py") if "migrations" not in p.parts)


def test_every_module_has_a_layer() -> None:
    unplaced = [
        _module_name(p)
        for p in SOURCES
        if p != BOT / "__init__.py" and _layer_of(_module_name(p)) is None
    ]
    assert unplaced == [], "add these modules' packages to bot.LAYERS"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(BOT.parent)))
def test_imports_point_down(path: Path) -> None:
    own = _layer_of(_module_name(path))
    if own is None:
        return  # bot/__init__.py itself
    upward = [
        f"{path.relative_to(BOT.parent)}:{line}: imports {name} ({', '.join(LAYERS[layer])}"
        f" is above {', '.join(LAYERS[own])})"
        for line, name in _imports(path)
        if (layer := _layer_of(name)) is not None and layer > own
    ]
    assert upward == []


def test_the_check_catches_an_upward_import(tmp_path: Path) -> None:
    """The rule itself: a core module importing a service would be reported."""
    source = tmp_path / "x.py"
    source.write_text("from bot.services.daily import x\nimport bot.content.html\n")
    names = [name for _, name in _imports(source)]
    assert names == ["bot.services.daily.x", "bot.content.html"]
    assert _layer_of("bot.services.daily.x") > _layer_of("bot.domain.prompts")  # type: ignore[operator]
