"""Shared set-up for the sync/outbox/collateral GUI tests: a real Store and an AppContext.

Import the fixture functions from here (`..._fixture`); pytest registers them by `name`.
Holds no tests of its own.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication, QWidget

from repdesk.domain.feedback import CallNote
from repdesk.domain.ids import new_id
from repdesk.domain.leads import Collateral, Lead
from repdesk.gui.context import AppContext
from repdesk.store.api import RemoteUpsert
from repdesk.store.settings import SETTINGS_FILE_NAME, Settings
from tests.support.corpus import CORPUS

REPO = Path(__file__).resolve().parents[2]
SHOTS = Path(__file__).resolve().parents[2] / "build" / "gui-shots"


@pytest.fixture(name="local_store")
def local_store_fixture(tmp_path: Path) -> Iterator[Any]:
    from repdesk.store import Store

    opened = Store.open(tmp_path / "data")
    yield opened
    opened.close()


@pytest.fixture(name="app_ctx")
def app_ctx_fixture(qapp: Any, local_store: Any, tmp_path: Path) -> Iterator[AppContext]:
    settings = Settings.load(tmp_path / "config" / SETTINGS_FILE_NAME)
    ctx = AppContext.create(local_store, tmp_path / "data", settings=settings)
    yield ctx
    ctx.shutdown()


def lead(name: str, company: str = "Acme GmbH", lead_id: str | None = None) -> Lead:
    first, _, last = name.partition(" ")
    return Lead(
        id=lead_id or new_id(),
        first_name=first,
        last_name=last,
        company=company,
        email=f"{first.lower()}@example.com",
        version=1,
    )


def seed_leads(store: Any, *leads: Lead) -> None:
    changes = [RemoteUpsert("lead", x.id, x.version, x) for x in leads]
    store.apply_pull_page(changes, cursor="seed-1")


def add_note(store: Any, lead_id: str, body: str) -> CallNote:
    note = CallNote(id=new_id(), lead_id=lead_id, body=body, created_at=datetime.now(UTC))
    store.add_call_note(note)
    return note


def corpus_collateral(
    name: str, title: str, problem: str = "", tags: tuple[str, ...] = ()
) -> Collateral:
    data = (CORPUS / name).read_bytes()
    return Collateral(
        id=new_id(),
        title=title,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        media_type="application/pdf",
        tags=tags,
        problem=problem,
        version=1,
    )


def grab(widget: QWidget, name: str, size: QSize | None = None) -> Path:
    """Render `widget` offscreen to build/gui-shots/<name>.png (looked at by a human)."""
    if size is not None:
        widget.resize(size)
    # Let pending layout requests run so the picture shows what the rep would see.
    QApplication.sendPostedEvents()
    QApplication.processEvents()
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    assert widget.grab().save(str(path)), f"could not save {path}"
    return path


def grab_light_and_dark(widget: QWidget, name: str, size: QSize | None = None) -> None:
    """`grab` in the light and the dark palette: build/gui-shots/<name>-light/-dark.png.

    Restores the app's palette after, toned labels included (see `theme.apply_palette`).
    """
    from PySide6.QtGui import QGuiApplication

    from repdesk.gui.theme import apply_palette

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    original = QGuiApplication.palette()
    try:
        for dark in (False, True):
            apply_palette(app, dark)
            grab(widget, f"{name}-{'dark' if dark else 'light'}", size)
    finally:
        apply_palette(app, False)  # repaints toned labels for a light palette again
        app.setPalette(original)


# --- a real hub on loopback ------------------------------------------------------------------

PASSWORD = "correct horse battery staple"
EMAIL = "alice@example.test"


@dataclass
class HubWorld:
    hub: Any
    """The running `EmbeddedHub` (stop and restart it on the same port for offline tests)."""
    config: Any
    rep_id: str
    lead_ids: list[str]
    collateral_sha: str = ""

    @property
    def url(self) -> str:
        return str(self.hub.base_url)

    @property
    def db(self) -> Any:
        return self.hub.state.db


@functools.cache
def _password_hash() -> str:
    """Hashed once per run: argon2 is slow on purpose."""
    from repdesk.hub.auth import hash_password

    return hash_password(PASSWORD)


@pytest.fixture(name="hub_world")
def hub_world_fixture(tmp_path: Path) -> Iterator[HubWorld]:
    """A hub with one rep (EMAIL / PASSWORD), three of her leads, a rubric and a category."""
    from repdesk.domain.defaults import DEFAULT_RUBRIC
    from repdesk.hub.config import HubConfig
    from repdesk.hub.embedded import EmbeddedHub
    from repdesk.protocol.convert import rubric_to_data
    from tests.support import hub_rows as seed

    config = HubConfig.resolve(tmp_path / "hub")
    world: HubWorld | None = None
    hub = EmbeddedHub(config)
    hub.start()
    try:
        db = hub.state.db
        rep = seed.add_rep(db, EMAIL, PASSWORD, "Alice Example", password_hash=_password_hash())
        seed.add_category(db, "price", "Price", "Too expensive")
        seed.set_rubric(db, rubric_to_data(DEFAULT_RUBRIC))
        leads = [
            seed.add_lead(
                db, rep, first_name=first, last_name="Lovelace", company=f"Analytical {i}"
            )
            for i, first in enumerate(("Ada", "Byron", "Annabella"))
        ]
        _cid, sha = seed.add_collateral(
            db, hub.state.files, (CORPUS / "minimal-document.pdf").read_bytes(), "One-pager"
        )
        world = HubWorld(hub, config, rep, leads, sha)
        yield world
    finally:
        hub.stop()
        if world is not None:
            world.hub.stop()  # the restarted one, when a test restarted it


def restart_on_same_port(world: HubWorld) -> None:
    """Start the stopped hub again with the same home and port (the client's saved URL)."""
    from repdesk.hub.embedded import EmbeddedHub

    port = world.hub.port
    world.hub = EmbeddedHub(world.config, port=port)
    world.hub.start()


@pytest.fixture(name="engine")
def engine_fixture(app_ctx: AppContext, local_store: Any, tmp_path: Path) -> Any:
    """A real SyncEngine on the test's store; no retries so failures show at once."""
    from repdesk.sync.collateral import CollateralCache
    from repdesk.sync.credentials import Credentials
    from repdesk.sync.engine import SyncEngine
    from repdesk.sync.retry import NO_RETRY

    engine = SyncEngine(
        local_store, Credentials(), CollateralCache(tmp_path / "cache"), retry=NO_RETRY
    )
    app_ctx.sync = engine
    app_ctx.collateral = engine.cache
    return engine


def closed_port_url() -> str:
    """A loopback URL nobody listens on (the port was just bound and released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def restart_on_new_port(world: HubWorld) -> None:
    """Serve the same hub (home, database, hub id) on a NEW port, as `./dev demo` does on
    every run. The old port is left closed."""
    from repdesk.hub.embedded import EmbeddedHub

    world.hub.stop()
    world.hub = EmbeddedHub(world.config)
    world.hub.start()
