"""Remember optional modules that are not installed, so asking for them again costs nothing.

httpcore (under httpx, under python-telegram-bot) runs `import sniffio` inside every request
to learn which async library it runs under, and falls back to asyncio when the import fails.
Recent anyio no longer installs sniffio, and Python does not remember a failed import: each
attempt searched every directory on sys.path again. In the bench_updates profile that was
about a tenth of the bot's CPU per update. A None in sys.modules makes the same import fail
at once, with the same ImportError, so behaviour is unchanged.
"""

from __future__ import annotations

import importlib.util
import sys

# Modules libraries on the request path try to import per call and can do without.
OPTIONAL = ("sniffio",)


def remember_missing(names: tuple[str, ...] = OPTIONAL) -> None:
    """Mark each module that is not installed as missing, once, for this process."""
    for name in names:
        if name not in sys.modules and importlib.util.find_spec(name) is None:
            sys.modules[name] = None  # type: ignore[assignment]
