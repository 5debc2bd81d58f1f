"""A validated cache of loaded content: parse and check content/ once, not on every start.

`cached_load(loader, content_dir, cache_dir)` returns `loader(content_dir)`, and keeps the
result as a pickle named by a key: a SHA-256 of every file under the content directory
(recursively: path and bytes), of the Python version and of the bot's own source code. The
same key means the same bytes were loaded and checked by the same code before, so the
pickle is that check's result; any change to content or code gives a new key, and the loader
runs (and checks) again. A missing, unreadable or corrupt cache file is simply a miss, and a
cache directory that cannot be written to only costs the saving. Loading still raises
ContentError on bad content: failures are never cached.

Compiled regular expressions (the safety screen has a few hundred large ones) are stored with
their compiled program, so loading rebuilds them without running Python's regex parser and
compiler again (that was most of the time a cached start spent here). The program belongs to
this interpreter's regex engine, so the key includes the exact Python version and the engine's
magic number; a pattern that cannot be stored that way is stored as its source.

The cache is a thin wrapper around "load the content for a directory", so it does not care
what the loader returns or how the content directory is laid out. The cache directory holds
pickles the bot wrote itself: keep it as private as the database (it is created 0700).
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]
import copyreg
import hashlib
import logging
import os
import pickle
import re
import sys
import tempfile
from array import array
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

log = logging.getLogger(__name__)

_T = TypeVar("_T")
CODE_ROOT = Path(__file__).resolve().parents[1]
# Old entries are removed when a new one is written; a few are kept for a quick switch back.
KEEP = 4
PREFIX = "content-"


def read_only(mapping: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    """A read-only view of a dict (what a pickled mapping proxy is rebuilt with)."""
    return MappingProxyType(mapping)


def _reduce_mapping_proxy(proxy: MappingProxyType[Any, Any]) -> tuple[Any, ...]:
    return (read_only, (dict(proxy),))


# Frozen mappings in the loaded content are read-only views; pickle them as the dict they show.
copyreg.pickle(MappingProxyType, _reduce_mapping_proxy)


def _rebuild_pattern(
    pattern: str,
    flags: int,
    code: array[int],
    groups: int,
    names: dict[str, int],
    index: tuple[Any, ...],
) -> re.Pattern[str]:
    """A compiled regex from its stored program (see _reduce_pattern); its source if that
    fails."""
    try:
        compiled: re.Pattern[str] = _sre.compile(
            pattern, flags, code.tolist(), groups, names, index
        )
    except Exception:
        return re.compile(pattern, flags)
    return compiled


def _reduce_pattern(compiled: re.Pattern[Any]) -> tuple[Any, ...]:
    """Pickle a regex as its compiled program: what `re.compile` computes, done ahead."""
    pattern, flags = compiled.pattern, compiled.flags
    try:
        from re import _compiler, _parser  # type: ignore[attr-defined]

        if not isinstance(pattern, str):
            raise TypeError("bytes pattern")
        parsed = _parser.parse(pattern, flags)
        code = array("I", _compiler._code(parsed, flags))
        names = dict(parsed.state.groupdict)
        index: list[str | None] = [None] * parsed.state.groups
        for name, number in names.items():
            index[number] = name
        rebuilt = (pattern, flags | parsed.state.flags, code, parsed.state.groups - 1)
    except Exception:  # anything unusual: compile from source when loading
        return (re.compile, (pattern, flags))
    return (_rebuild_pattern, (*rebuilt, names, tuple(index)))


def _hash_tree(digest: Any, root: Path, suffixes: tuple[str, ...] | None = None) -> None:
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if suffixes is not None and path.suffix not in suffixes:
            continue
        if "__pycache__" in path.parts:
            continue
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")


def content_key(content_dir: Path) -> str:
    """The cache key for this content directory with this code and Python."""
    digest = hashlib.sha256()
    digest.update(f"{sys.version}|{pickle.HIGHEST_PROTOCOL}|{_sre.MAGIC}\0".encode())
    _hash_tree(digest, CODE_ROOT, (".py",))
    digest.update(b"content\0")
    _hash_tree(digest, content_dir)
    return digest.hexdigest()[:32]


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/secure-base, or ~/.cache/secure-base."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "secure-base"


def cached_load(loader: Callable[[Path], _T], content_dir: Path, cache_dir: Path | None) -> _T:
    """`loader(content_dir)`, from the cache when the same content was loaded before."""
    if cache_dir is None:
        return loader(content_dir)
    key = content_key(content_dir)
    path = cache_dir / f"{PREFIX}{key}.pickle"
    try:
        with path.open("rb") as file:
            value: _T = pickle.load(file)  # noqa: S301 - our own file, see the module doc
        return value
    except FileNotFoundError:
        pass
    except Exception as exc:  # a corrupt or outdated file is a miss
        log.info("content cache unreadable (%s); loading content", exc.__class__.__name__)
    value = loader(content_dir)
    _store(cache_dir, path, value)
    return value


def _store(cache_dir: Path, path: Path, value: object) -> None:
    temporary: Path | None = None
    try:
        cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cache_dir, delete=False, suffix=".tmp") as file:
            temporary = Path(file.name)
            pickler = pickle.Pickler(file, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.dispatch_table = copyreg.dispatch_table | {re.Pattern: _reduce_pattern}
            pickler.dump(value)
        # Atomic: a process starting at the same moment reads the old file or the new one.
        temporary.replace(path)
        temporary = None
        entries = sorted(cache_dir.glob(f"{PREFIX}*.pickle"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-KEEP]:
            old.unlink(missing_ok=True)
    except Exception as exc:  # a read-only disk only costs the saving
        log.info("content cache not written (%s)", exc.__class__.__name__)
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
