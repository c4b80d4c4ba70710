"""Alembic environment: runs on the store's own connection (never opens a second one)."""

from __future__ import annotations

from alembic import context

from repdesk.store.models import METADATA

FTS_TABLES = ("leads_fts", "events_fts", "notes_fts")


def _include_object(obj, name, type_, reflected, compare_to):  # noqa: ARG001 - alembic's hook
    # FTS5 virtual tables and their shadow tables are created by hand in the migrations.
    return not (type_ == "table" and name is not None and name.startswith(FTS_TABLES))


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=METADATA,
    render_as_batch=True,
    include_object=_include_object,
)
with context.begin_transaction():
    context.run_migrations()
