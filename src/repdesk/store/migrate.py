"""Alembic migrations run at start-up on the store's connection; newer schemas are refused."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection

from repdesk.domain.errors import SchemaTooNewError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def upgrade(connection: Connection, db_path: Path) -> None:
    """Bring the database to this code's head, or refuse one written by a newer repdesk."""
    config = alembic_config(connection)
    script = ScriptDirectory.from_config(config)
    current = current_revision(connection)
    connection.commit()
    if current is not None:
        try:
            known = script.get_revision(current)
        except CommandError:
            known = None
        if known is None:
            raise SchemaTooNewError(
                f"This data was written by a newer version of repdesk (database {db_path}, "
                f"schema {current}). Install the newer version of repdesk to open it; "
                "your data has not been changed."
            )
    if current != script.get_current_head():
        log.info("migrating %s from %s to %s", db_path, current, script.get_current_head())
    command.upgrade(config, "head")
    connection.commit()
