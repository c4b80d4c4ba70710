"""Alembic environment for the hub: runs on the connection `upgrade_database` hands it."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from repdesk.hub.db.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from repdesk.hub.db.engine import make_engine

        engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.begin() as conn:
            _run(conn)
        engine.dispose()
        return
    _run(connection)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("the hub's migrations run online only (repdesk-hub migrate)")
run_migrations_online()
