"""Alembic environment: migrations run on the connection handed over by ``store.migrate``."""

from __future__ import annotations

from alembic import context

from cadenza.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through cadenza.store.migrate (cadenza db upgrade)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
