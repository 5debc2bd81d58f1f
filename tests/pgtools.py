"""A throwaway PostgreSQL database on the test server, for tests and benchmarks alike."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator


@contextlib.asynccontextmanager
async def temporary_database(server: str, *, prefix: str = "t") -> AsyncIterator[str]:
    """Create an empty database on `server` (a postgresql+asyncpg URL), yield its URL, drop it."""
    import asyncpg

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin_dsn = server.replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        connection = await asyncpg.connect(admin_dsn)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()
