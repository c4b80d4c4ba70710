"""Alembic migrations run at start-up on the store's connection; newer schemas are refused.

Alembic is imported only when the stored revision is not this code's `HEAD` (a new or
older database, or one from a newer repdesk): at a normal start the check is one query and
the import (over 100 ms) is skipped.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from repdesk.domain.errors import SchemaTooNewError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

HEAD = "0008"
"""The newest revision in `migrations/versions` (a test checks it is Alembic's head)."""


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def current_revision(connection: Connection) -> str | None:
    """The stored revision (None for a new database), read with plain SQL, as Alembic's
    `MigrationContext.get_current_revision` would (one `alembic_version` row)."""
    found = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).first()
    if found is None:
        return None
    rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    if len(rows) > 1:  # never written by repdesk (one line of history): let Alembic say
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(connection).get_current_revision()
    return str(rows[0][0]) if rows else None


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def upgrade(connection: Connection, db_path: Path) -> None:
    """Bring the database to this code's head, or refuse one written by a newer repdesk."""
    current = current_revision(connection)
    connection.commit()
    if current == HEAD:
        return
    from alembic import command
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    config = alembic_config(connection)
    script = ScriptDirectory.from_config(config)
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
