"""Applies the hub's Alembic migrations programmatically and refuses newer databases."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from repdesk.domain.errors import SchemaTooNewError
from repdesk.hub.db.engine import make_engine

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


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
    "alembic_config",
    "current_revision",
    "head_revision",
    "upgrade_database",
]
