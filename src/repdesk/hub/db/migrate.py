"""Applies the hub's Alembic migrations programmatically and refuses newer databases.

Several hub processes may start at once on one PostgreSQL database (`serve --workers N`
on several hosts): each upgrade holds a transaction-scoped advisory lock of its schema
while it runs, so the first migrates and the others then find the schema at head and do
nothing. Workers never migrate (`repdesk.hub.app.open_state(migrate=False)`).
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from repdesk.domain.errors import SchemaTooNewError
from repdesk.hub.db.engine import make_engine

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK_KEY = "hashtextextended(current_schema() || '/repdesk-migrate', 0)"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def at_head(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()


def upgrade_database(url: str, engine: Engine | None = None) -> str:
    """Bring the database at `url` to the newest schema; returns the revision it is at.

    Raises SchemaTooNewError when the database was written by a newer repdesk-hub.
    """
    own = engine is None
    eng = engine if engine is not None else make_engine(url)
    try:
        cfg = alembic_config(url)
        script = ScriptDirectory.from_config(cfg)
        current = current_revision(eng)
        if current is not None:
            try:
                script.get_revision(current)
            except Exception as exc:  # alembic raises several types for unknown ids
                raise SchemaTooNewError(
                    "This hub database was created by a newer repdesk-hub "
                    f"(schema {current}); upgrade repdesk-hub to use it."
                ) from exc
        with eng.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})"))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        revision = current_revision(eng)
        log.info("hub database at schema %s", revision)
        return revision or ""
    finally:
        if own:
            eng.dispose()


__all__ = [
    "MIGRATIONS_DIR",
    "at_head",
    "alembic_config",
    "current_revision",
    "head_revision",
    "upgrade_database",
]
