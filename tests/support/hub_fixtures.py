"""Hub fixtures (a pytest plugin, registered in tests/conftest.py): a hub database on
SQLite AND PostgreSQL (`hub_db_url`), the real hub served on loopback (`embedded_hub`),
marketing's operations on a hub home (`hub_admin`, `hub_admin_each_db`), signed-in httpx
clients (`client_for`, `anon`) and the report databases (`hub_database`, `report_session`,
`empty_report_session`). The seeded hub is `world` (`tests/support/world.py`).

PostgreSQL variants skip visibly without REPDESK_TEST_PG_URL; each gets its own schema,
dropped afterwards. Tests marked `sqlite_only` (pure HTTP/validation behaviour) run on
SQLite only. `cheap_argon2` is used automatically by tests/hub and tests/workspace (their
conftest.py asks for it) and by any fixture here that hashes a password."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from repdesk.hub import admin, auth
from repdesk.hub.auth import hash_password
from repdesk.hub.config import HubConfig
from repdesk.hub.db.engine import Database, sqlite_url
from repdesk.hub.db.migrate import upgrade_database
from repdesk.hub.embedded import EmbeddedHub
from tests.support import report_world

PASSWORD = "correct horse battery staple"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only: HTTP / validation behaviour with no database logic of its own; its "
        "PostgreSQL run is deselected (each costs a schema + migration for nothing)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    dropped = [
        item
        for item in items
        if item.get_closest_marker("sqlite_only") and item.get_closest_marker("postgres")
    ]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]


PDF_BYTES = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


@pytest.fixture
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with a small cost: the same code path, a fraction of the CPU (the real
    cost takes ~0.4 s per sign-in on the shared test machine)."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(auth, "_hasher", cheap)
    monkeypatch.setattr(auth, "_DUMMY_HASH", cheap.hash("dummy"))


class HeldPasswordChecks:
    """Fault injection (a mock of `auth.verify_password`): from `hold()` on, every
    password check waits until `release` is set; `checking` is set once one has begun.
    `let_through()` puts the real check back for the calls made from then on."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.checking, self.release = threading.Event(), threading.Event()
        self._monkeypatch = monkeypatch
        self._real = auth.verify_password

    def hold(self) -> HeldPasswordChecks:
        real = self._real

        def held(password_hash: str, password: str) -> bool:
            self.checking.set()
            self.release.wait(60)
            return real(password_hash, password)

        self._monkeypatch.setattr(auth, "verify_password", held)
        return self

    def let_through(self) -> None:
        self._monkeypatch.setattr(auth, "verify_password", self._real)


@pytest.fixture
def held_password_checks(monkeypatch: pytest.MonkeyPatch) -> HeldPasswordChecks:
    """Password checks that wait until the test releases them (`HeldPasswordChecks`)."""
    return HeldPasswordChecks(monkeypatch)


@pytest.fixture
def password_hash(cheap_argon2: None) -> str:
    return hash_password(PASSWORD)


def pg_schema_url(base: str) -> Iterator[str]:
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def hub_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh hub database URL, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "hub" / "hub.db")
        return
    pg_url: str = request.getfixturevalue("pg_url")
    yield from pg_schema_url(pg_url)


@pytest.fixture
def hub_config(tmp_path: Path, hub_db_url: str) -> HubConfig:
    return HubConfig.resolve(tmp_path / "hub", database_url=hub_db_url)


@pytest.fixture
def embedded_hub(hub_config: HubConfig) -> Iterator[EmbeddedHub]:
    """The real hub app served by uvicorn on loopback, on SQLite and on PostgreSQL."""
    embedded = EmbeddedHub(hub_config)
    embedded.start()
    try:
        yield embedded
    finally:
        embedded.stop()


def login(base_url: str, email: str, password: str = PASSWORD) -> httpx.Client:
    """An httpx client signed in as `email` (raises on a failed sign-in)."""
    client = httpx.Client(base_url=base_url, timeout=30)
    response = client.post("/v1/auth/login", json={"email": email, "password": password})
    response.raise_for_status()
    client.headers["Authorization"] = f"Bearer {response.json()['token']}"
    return client


@pytest.fixture
def client_for(embedded_hub: EmbeddedHub) -> Iterator[Callable[[str], httpx.Client]]:
    made: list[httpx.Client] = []

    def make(email: str) -> httpx.Client:
        client = login(embedded_hub.base_url, email)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def anon(embedded_hub: EmbeddedHub) -> Iterator[httpx.Client]:
    """An httpx client with no token."""
    with httpx.Client(base_url=embedded_hub.base_url, timeout=30) as client:
        yield client


@contextmanager
def new_hub(config: HubConfig) -> Iterator[admin.Hub]:
    """An initialised hub home, opened for marketing's operations."""
    admin.init_hub(config)
    with admin.open_hub(config) as opened:
        yield opened


@pytest.fixture
def hub_admin(tmp_path: Path) -> Iterator[admin.Hub]:
    """Marketing's operations (`repdesk.hub.admin.Hub`) on an initialised hub home with
    the default SQLite database; no server."""
    with new_hub(HubConfig.resolve(tmp_path / "hub")) as opened:
        yield opened


@pytest.fixture
def hub_admin_each_db(hub_config: HubConfig) -> Iterator[admin.Hub]:
    """`hub_admin` once on SQLite and once on PostgreSQL."""
    with new_hub(hub_config) as opened:
        yield opened


@pytest.fixture
def hub_database(hub_db_url: str) -> Iterator[Database]:
    """A migrated, empty hub database (SQLite and PostgreSQL), no server."""
    upgrade_database(hub_db_url)
    db = Database(hub_db_url)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def empty_report_session(hub_database: Database) -> Iterator[Session]:
    """A read session over an empty hub database."""
    with hub_database.read() as session:
        yield session


@pytest.fixture
def report_session(hub_database: Database) -> Iterator[Session]:
    """A read session over the report world (`tests.support.report_world`)."""
    with hub_database.write() as writing:
        report_world.build(writing)
    with hub_database.read() as reading:
        yield reading
