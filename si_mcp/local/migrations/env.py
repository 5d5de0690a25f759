"""Alembic environment: run on the connection handed over by :func:`si_mcp.local.db.migrate`."""

from __future__ import annotations

from alembic import context

from si_mcp.local.tables import metadata

connection = context.config.attributes["connection"]
# Batch mode lets later migrations alter SQLite tables (copy-and-move).
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
