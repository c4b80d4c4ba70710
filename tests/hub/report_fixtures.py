"""Fixtures of the report tests (import the `*_fixture` functions into a test module): a
migrated hub database on SQLite and PostgreSQL (`hub_db_url`), empty or holding
`tests.support.report_world`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session
from tests.support import report_world

from repdesk.hub.db.engine import Database
from repdesk.hub.db.migrate import upgrade_database


@pytest.fixture(name="hub_database")
def hub_database_fixture(hub_db_url: str) -> Iterator[Database]:
    upgrade_database(hub_db_url)
    db = Database(hub_db_url)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture(name="empty_session")
def empty_session_fixture(hub_database: Database) -> Iterator[Session]:
    with hub_database.read() as session:
        yield session


@pytest.fixture(name="session")
def session_fixture(hub_database: Database) -> Iterator[Session]:
    """A read session over the report world."""
    with hub_database.write() as writing:
        report_world.build(writing)
    with hub_database.read() as reading:
        yield reading
