"""Sync fixtures (a pytest plugin, registered in tests/conftest.py): the REAL hub on a
loopback port that can be stopped, restarted and moved (`live_hub`; seeded, it is
`live_world` in `tests/support/world.py`), and desktop clients made of a real Store (SQLite
file), keyring credentials and a cache (`make_client`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from repdesk.hub.config import HubConfig
from repdesk.hub.db.engine import Database
from repdesk.hub.embedded import EmbeddedHub
from repdesk.hub.file_store import FileStore
from repdesk.store import Store
from repdesk.sync.collateral import CollateralCache
from repdesk.sync.credentials import Credentials
from repdesk.sync.engine import SyncEngine
from repdesk.sync.http import HubClient
from repdesk.sync.retry import RetryPolicy


class LiveHub:
    """The real hub app served by uvicorn on 127.0.0.1; can be stopped and restarted on
    the same port (the rep's machine going offline, then back)."""

    def __init__(self, home: Path, port: int = 0) -> None:
        self._serve(EmbeddedHub(HubConfig.resolve(home), port=port))

    @classmethod
    def around(cls, running: EmbeddedHub) -> LiveHub:
        """A LiveHub over a hub already served (its owner still stops it at the end)."""
        live = cls.__new__(cls)
        live._serve(running)
        return live

    def _serve(self, hub: EmbeddedHub) -> None:
        self._hub = hub
        self.config = hub.config
        self.url = hub.start()  # the address it already has when it is running
        self.port = hub.port
        self.db: Database = hub.state.db
        self.files: FileStore = hub.state.files

    def stop(self) -> None:
        self._hub.stop()

    def start(self) -> None:
        url = self.url
        self._serve(EmbeddedHub(self.config, port=self.port))
        assert self.url == url

    def move(self) -> None:
        """Stop, then serve the same hub (home and database) on a NEW port, as the demo
        does on every run and a hub moved behind another proxy address would."""
        self.stop()
        self._serve(EmbeddedHub(self.config))


@pytest.fixture
def live_hub(tmp_path: Path) -> Iterator[LiveHub]:
    """The real hub (SQLite) on loopback, empty."""
    live = LiveHub(tmp_path / "hub")
    try:
        yield live
    finally:
        live.stop()


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
