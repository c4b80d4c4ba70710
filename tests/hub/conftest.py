"""Hub fixtures: a hub database on SQLite AND PostgreSQL, a running EmbeddedHub on
loopback, a small seeded world (reps, leads, events, reference data) and signed-in
httpx clients. PostgreSQL tests skip visibly without REPDESK_TEST_PG_URL; each gets its
own schema, dropped afterwards. Tests marked `sqlite_only` (pure HTTP/validation
behaviour) run on SQLite only."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from tests.support import hub_rows as seed

from repdesk.hub import auth
from repdesk.hub.auth import hash_password
from repdesk.hub.config import HubConfig
from repdesk.hub.db.engine import sqlite_url
from repdesk.hub.embedded import EmbeddedHub
from repdesk.protocol.schema import RubricData

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


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with a small cost: the same code path, a fraction of the CPU (the real
    cost takes ~0.4 s per sign-in on the shared test machine)."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(auth, "_hasher", cheap)
    monkeypatch.setattr(auth, "_DUMMY_HASH", cheap.hash("dummy"))


@pytest.fixture
def password_hash(_cheap_argon2: None) -> str:
    return hash_password(PASSWORD)


def _pg_schema_url(base: str) -> Iterator[str]:
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
    yield from _pg_schema_url(pg_url)


@pytest.fixture
def hub_config(tmp_path: Path, hub_db_url: str) -> HubConfig:
    return HubConfig.resolve(tmp_path / "hub", database_url=hub_db_url)


@pytest.fixture
def hub(hub_config: HubConfig) -> Iterator[EmbeddedHub]:
    embedded = EmbeddedHub(hub_config)
    embedded.start()
    try:
        yield embedded
    finally:
        embedded.stop()


@dataclass
class World:
    """What `world` seeded; ids by role."""

    alice: str
    bob: str
    carol: str
    """Disabled."""
    campaign: str
    rubric: str
    alice_leads: list[str]
    bob_lead: str
    events: dict[str, list[str]] = field(default_factory=dict)
    collateral_id: str = ""
    collateral_sha: str = ""


RUBRIC = RubricData.model_validate(
    {
        "name": "Sales-ready v1",
        "dimensions": [
            {
                "dimension": dim,
                "title": dim.title(),
                "options": [
                    {"code": "yes", "label": "Yes", "qualifies": True, "key": "1"},
                    {"code": "no", "label": "No", "qualifies": False, "key": "2"},
                ],
            }
            for dim in ("budget", "authority", "need", "timeframe")
        ],
    }
)


@pytest.fixture
def world(hub: EmbeddedHub, password_hash: str) -> World:
    db, files = hub.state.db, hub.state.files
    alice = seed.add_rep(db, "alice@example.test", PASSWORD, "Alice", password_hash=password_hash)
    bob = seed.add_rep(db, "bob@example.test", PASSWORD, "Bob", password_hash=password_hash)
    carol = seed.add_rep(
        db, "carol@example.test", PASSWORD, "Carol", disabled=True, password_hash=password_hash
    )
    campaign = seed.add_campaign(db, "Spring webinar", channel="webinar")
    seed.add_category(db, "price", "Price", "Too expensive")
    seed.add_category(db, "timing", "Timing")
    rubric = seed.set_rubric(db, RUBRIC)
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    alice_leads = []
    events: dict[str, list[str]] = {}
    for i in range(3):
        lead = seed.add_lead(
            db,
            alice,
            first_name=f"Lead{i}",
            last_name="Alpha",
            company=f"Acme {i}",
            email=f"lead{i}@acme.test",
            external_id=f"EXT-{i}",
            source_campaign_id=campaign,
        )
        alice_leads.append(lead)
        events[lead] = [
            seed.add_event(
                db, lead, "email_opened", start + timedelta(days=d), campaign_id=campaign
            )
            for d in range(2)
        ]
    bob_lead = seed.add_lead(db, bob, first_name="Bea", last_name="Bravo", company="Bobco")
    events[bob_lead] = [seed.add_event(db, bob_lead, "web_visit", start)]
    coll_id, sha = seed.add_collateral(db, files, PDF_BYTES, "Pricing sheet", campaign_id=campaign)
    return World(
        alice=alice,
        bob=bob,
        carol=carol,
        campaign=campaign,
        rubric=rubric,
        alice_leads=alice_leads,
        bob_lead=bob_lead,
        events=events,
        collateral_id=coll_id,
        collateral_sha=sha,
    )


def login(base_url: str, email: str, password: str = PASSWORD) -> httpx.Client:
    """An httpx client signed in as `email` (raises on a failed sign-in)."""
    client = httpx.Client(base_url=base_url, timeout=30)
    response = client.post("/v1/auth/login", json={"email": email, "password": password})
    response.raise_for_status()
    client.headers["Authorization"] = f"Bearer {response.json()['token']}"
    return client


@pytest.fixture
def client_for(hub: EmbeddedHub) -> Iterator[Callable[[str], httpx.Client]]:
    made: list[httpx.Client] = []

    def make(email: str) -> httpx.Client:
        client = login(hub.base_url, email)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def anon(hub: EmbeddedHub) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=hub.base_url, timeout=30) as client:
        yield client
