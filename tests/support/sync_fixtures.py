"""Sync fixtures (a pytest plugin, registered in tests/conftest.py): the REAL hub on a
loopback port that can be stopped, restarted and moved (`live_hub`), seeded through its own
writers (`sync_world`), and desktop clients made of a real Store (SQLite file), keyring
credentials and a cache (`make_client`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from repdesk.domain.defaults import DEFAULT_OBJECTION_CATEGORIES, DEFAULT_RUBRIC
from repdesk.domain.ids import utcnow
from repdesk.hub.config import HubConfig
from repdesk.hub.db.engine import Database
from repdesk.hub.embedded import EmbeddedHub
from repdesk.hub.files import CollateralFiles
from repdesk.protocol.convert import rubric_to_data
from repdesk.store import Store
from repdesk.sync.collateral import CollateralCache
from repdesk.sync.credentials import Credentials
from repdesk.sync.engine import SyncEngine
from repdesk.sync.http import HubClient
from repdesk.sync.retry import RetryPolicy
from tests.support import hub_rows as seed
from tests.support.corpus import corpus_pdfs

PASSWORD = "correct horse battery staple"


class LiveHub:
    """The real hub app served by uvicorn on 127.0.0.1; can be stopped and restarted on
    the same port (the rep's machine going offline, then back)."""

    def __init__(self, home: Path, port: int = 0) -> None:
        self.config = HubConfig.resolve(home)
        self._hub = EmbeddedHub(self.config, port=port)
        self.url = self._hub.start()
        self.port = self._hub.port
        self.db: Database = self._hub.state.db
        self.files: CollateralFiles = self._hub.state.files

    def stop(self) -> None:
        self._hub.stop()

    def start(self) -> None:
        self._hub = EmbeddedHub(self.config, port=self.port)
        assert self._hub.start() == self.url
        self.db = self._hub.state.db
        self.files = self._hub.state.files

    def move(self) -> None:
        """Stop, then serve the same hub (home and database) on a NEW port, as the demo
        does on every run and a hub moved behind another proxy address would."""
        self.stop()
        self._hub = EmbeddedHub(self.config)
        self.url = self._hub.start()
        self.port = self._hub.port
        self.db = self._hub.state.db
        self.files = self._hub.state.files


@dataclass
class SyncWorld:
    """What `sync_world` seeded on `live_hub`, by rep."""

    hub: LiveHub
    ada: str
    bob: str
    leads: dict[str, list[str]] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)
    """Nurture events per lead."""
    collateral: dict[str, str] = field(default_factory=dict)
    """sha256 -> campaign name."""


def _pdfs() -> list[bytes]:
    return [p.read_bytes() for p in corpus_pdfs()[:3]]


@pytest.fixture
def live_hub(tmp_path: Path) -> Iterator[LiveHub]:
    """The real hub (SQLite) on loopback, empty."""
    live = LiveHub(tmp_path / "hub")
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture
def sync_world(live_hub: LiveHub) -> SyncWorld:
    """Reps ada and bob, their leads and nurture events, the default rubric and taxonomy,
    two campaigns and three corpus PDFs as collateral, on `live_hub`."""
    hub = live_hub
    db = hub.db
    ada = seed.add_rep(db, "ada@example.com", PASSWORD, "Ada Lovelace")
    bob = seed.add_rep(db, "bob@example.com", PASSWORD, "Bob Babbage")
    seed.set_rubric(db, rubric_to_data(DEFAULT_RUBRIC))
    for cat in DEFAULT_OBJECTION_CATEGORIES:
        seed.add_category(db, cat.code, cat.label, cat.description)
    spring = seed.add_campaign(db, "Spring webinar", channel="webinar")
    autumn = seed.add_campaign(db, "Autumn trade show", channel="event")
    w = SyncWorld(hub=hub, ada=ada, bob=bob)
    pdfs = _pdfs()
    for content, (campaign, name) in zip(
        pdfs, [(spring, "spring"), (spring, "spring"), (autumn, "autumn")], strict=False
    ):
        _cid, sha = seed.add_collateral(
            db, hub.files, content, f"{name} brochure", campaign_id=campaign
        )
        w.collateral[sha] = name
    start = utcnow() - timedelta(days=30)
    plan = {
        ada: [
            ("Grace", "Hopper", "Navy Systems", spring, 3),
            ("Alan", "Turing", "Bletchley", spring, 2),
            ("Edsger", "Dijkstra", "Structured Co", None, 1),
        ],
        bob: [
            ("Barbara", "Liskov", "Substitution Ltd", autumn, 2),
            ("Ken", "Thompson", "Unix Inc", None, 0),
        ],
    }
    for rep, rows in plan.items():
        w.leads[rep] = []
        for first, last, company, campaign, n_events in rows:
            lead_id = seed.add_lead(
                db,
                rep,
                first_name=first,
                last_name=last,
                company=company,
                email=f"{first.lower()}@example.com",
                source_campaign_id=campaign,
            )
            for i in range(n_events):
                seed.add_event(
                    db,
                    lead_id,
                    "web_visit" if i % 2 else "email_opened",
                    start + timedelta(days=i),
                    campaign_id=campaign,
                    asset=f"Page {i}",
                )
            w.leads[rep].append(lead_id)
            w.events[lead_id] = n_events
    return w


class NoSleep:
    """Backoff pauses recorded, not slept: tests never wait on the clock."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.sleeps.append(seconds)


@dataclass
class Client:
    """One rep's desktop installation."""

    store: Store
    engine: SyncEngine
    cache: CollateralCache
    credentials: Credentials
    sleeps: NoSleep


ClientMaker = Callable[..., Client]


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[ClientMaker]:
    opened: list[Store] = []
    engines: list[SyncEngine] = []

    def make(
        name: str = "ada",
        transport: httpx.BaseTransport | None = None,
        **engine_kw: object,
    ) -> Client:
        store = Store.open(tmp_path / f"client-{name}" / "data")
        opened.append(store)
        cache = CollateralCache(tmp_path / f"client-{name}" / "cache")
        creds = Credentials()
        sleeps = NoSleep()

        def factory(url: str, token: str | None) -> HubClient:
            return HubClient(url, token, transport=transport, timeout=10)

        engine = SyncEngine(
            store,
            creds,
            cache,
            factory,
            retry=RetryPolicy(max_attempts=3, sleep=sleeps),
            **engine_kw,  # type: ignore[arg-type]
        )
        engines.append(engine)
        return Client(store, engine, cache, creds, sleeps)

    yield make
    for engine in engines:
        engine.close()
    for store in opened:
        store.close()


def sign_in(client: Client, hub: LiveHub, email: str) -> None:
    client.engine.login(hub.url, email, PASSWORD)
