"""Start and stop an Application the way run_polling would, for callers that drive it themselves
(webhook mode, the playground, tests): initialise, post_init, start; then the reverse."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from telegram.ext import Application

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


@contextlib.asynccontextmanager
async def running(app: AnyApplication) -> AsyncIterator[AnyApplication]:
    """Initialise, run post_init, start (job queue and update processing, no updater), and
    undo all of it in reverse order. Used by webhook mode, the playground and tests."""
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        try:
            yield app
        finally:
            if app.running:
                # Finishes pending updates and the running dispatch before returning.
                await app.stop()
            if app.post_stop is not None:
                await app.post_stop(app)
    finally:
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
