"""Alembic environment: runs on a connection handed over by Database.upgrade()."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import bot.db.models  # noqa: F401 - registers the tables

target_metadata = SQLModel.metadata


def run_migrations() -> None:
    """Run migrations on the connection in config.attributes (online mode only)."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations with `python -m bot db upgrade`")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
