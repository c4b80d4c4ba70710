"""Opening a hub for administration: config, migrated database, collateral store, defaults."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from repdesk.domain.errors import StoreError
from repdesk.hub.config import HubConfig
from repdesk.hub.db.engine import Database, describe_database, is_sqlite
from repdesk.hub.db.migrate import current_revision, upgrade_database
from repdesk.hub.file_store import COLLATERAL, FileStore, open_file_store

log = logging.getLogger(__name__)


class HubNotInitialisedError(StoreError):
    """No hub database at this home yet."""


@dataclass(frozen=True, slots=True)
class Hub:
    config: HubConfig
    db: Database
    files: FileStore


def describe(config: HubConfig) -> str:
    """Where this hub lives, for messages: its home folder, or PostgreSQL host/dbname."""
    if is_sqlite(config.database_url):
        return str(config.home)
    return describe_database(config.database_url)


def init_hub(config: HubConfig) -> bool:
    """Create or upgrade the hub at `config`; seed rubric and taxonomy. True if it was new."""
    from repdesk.hub.admin.reference import seed_defaults

    config.ensure_dirs()
    db = _database(config)
    try:
        new = current_revision(db.engine) is None
        upgrade_database(config.database_url, db.engine)
        with db.write() as session:
            seed_defaults(session)
    except SQLAlchemyError as exc:
        raise StoreError(
            f"Cannot set up the hub database at {describe(config)}: {_short(exc)}"
        ) from exc
    finally:
        db.dispose()
    log.info("hub %s at %s", "created" if new else "upgraded", describe(config))
    return new


@contextmanager
def open_hub(config: HubConfig, *, create: bool = False) -> Iterator[Hub]:
    """The hub at `config`, migrated to the newest schema; `create` makes it if missing."""
    if create:
        init_hub(config)
    elif _missing_sqlite_file(config):
        raise HubNotInitialisedError(
            f"There is no hub at {config.home} yet: run `repdesk-hub init` first."
        )
    db = _database(config)
    try:
        try:
            revision = current_revision(db.engine)
        except SQLAlchemyError as exc:
            raise StoreError(
                f"Cannot open the hub database at {describe(config)}: {_short(exc)}"
            ) from exc
        if revision is None:
            raise HubNotInitialisedError(
                f"There is no hub in {describe(config)} yet: run `repdesk-hub init` first."
            )
        upgrade_database(config.database_url, db.engine)
        config.ensure_dirs()
        files = open_file_store(config, COLLATERAL)
        files.check()
        yield Hub(config, db, files)
    finally:
        db.dispose()


def _missing_sqlite_file(config: HubConfig) -> bool:
    # Checked before connecting: SQLite would otherwise create an empty file.
    if not is_sqlite(config.database_url):
        return False
    database = make_url(config.database_url).database or ""
    return database not in ("", ":memory:") and not Path(database).exists()


def _database(config: HubConfig) -> Database:
    try:
        return Database(config.database_url)
    except (SQLAlchemyError, ValueError) as exc:
        raise StoreError(f"The hub database address is not usable: {_short(exc)}") from exc


def _short(exc: Exception) -> str:
    """The first line of a driver error, which is the part an operator can act on."""
    orig = exc.orig if isinstance(exc, OperationalError) else None
    text = str(orig if orig is not None else exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
