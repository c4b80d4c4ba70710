"""Desktop-client fixtures (a pytest plugin, registered in tests/conftest.py).

- `rep_store`: a real, empty `Store` in `tmp_path / "data"`.
- `app_ctx`: an `AppContext` over `rep_store` (settings in `tmp_path / "config"`).
- `sync_engine`: a real `SyncEngine` on `rep_store`, wired into `app_ctx`, no retries.
- `seeded_leads` / `seeded_ctx`: `rep_store` seeded by `tests.support.lead_data` and a
  context over it signed in as "rep-1" with collateral files on disk.
- `one_lead_store` / `one_lead_ctx`: a store holding one lead (`LEAD_ID`, first name
  `HOSTILE` markup), the rubric and the taxonomy, and a context over it.
- `library_items`: four corpus PDFs as collateral in `rep_store`, three in a real cache.
- `demo_hub`: the project's demo hub on loopback, plus a lead whose name is markup.

A real hub with a rep and her leads is `live_world` (`tests/support/world.py`).

Qt is imported inside the fixtures, so tests of the core never load it.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from repdesk.domain.defaults import DEFAULT_OBJECTION_CATEGORIES, DEFAULT_RUBRIC
from repdesk.domain.ids import new_id
from repdesk.domain.leads import Campaign, Collateral, Lead
from repdesk.store import Store
from repdesk.store.api import RemoteUpsert
from repdesk.sync.http import DownloadResult
from tests.support.cache_keys import TEST_CACHE_KEY
from tests.support.corpus import CORPUS, ENCRYPTED
from tests.support.lead_data import Seeded, seed, write_collateral_files

if TYPE_CHECKING:
    from repdesk.gui.context import AppContext
    from repdesk.sync.engine import SyncEngine

HOSTILE = "<b>x</b><img src=y>"
LEAD_ID = "lead-1"


# --- local stores and contexts ----------------------------------------------------------------


@pytest.fixture
def rep_store(tmp_path: Path) -> Iterator[Store]:
    """A real, empty store (SQLite file) in `tmp_path / "data"`."""
    opened = Store.open(tmp_path / "data", key=TEST_CACHE_KEY)
    yield opened
    opened.close()


@pytest.fixture
def app_ctx(qapp: Any, rep_store: Store, tmp_path: Path) -> Iterator[AppContext]:
    """The GUI's context over `rep_store`, with settings of its own; no rep signed in."""
    from repdesk.gui.context import AppContext
    from repdesk.store.settings import SETTINGS_FILE_NAME, Settings

    settings = Settings.load(tmp_path / "config" / SETTINGS_FILE_NAME)
    ctx = AppContext.create(rep_store, tmp_path / "data", settings=settings)
    yield ctx
    ctx.shutdown()


@pytest.fixture
def sync_engine(app_ctx: AppContext, rep_store: Store, tmp_path: Path) -> SyncEngine:
    """A real SyncEngine on `rep_store`, set as `app_ctx.sync`; no retries so failures
    show at once."""
    from repdesk.sync.collateral import CollateralCache
    from repdesk.sync.credentials import Credentials
    from repdesk.sync.engine import SyncEngine
    from repdesk.sync.retry import NO_RETRY

    engine = SyncEngine(
        rep_store, Credentials(), CollateralCache(tmp_path / "cache"), retry=NO_RETRY
    )
    app_ctx.sync = engine
    app_ctx.collateral = engine.cache
    return engine


@pytest.fixture
def seeded_leads(rep_store: Store) -> Seeded:
    """`rep_store` seeded with `tests.support.lead_data`'s leads, events and notes."""
    return seed(rep_store)


@pytest.fixture
def seeded_ctx(
    qtbot: Any, rep_store: Store, seeded_leads: Seeded, tmp_path: Path
) -> Iterator[AppContext]:
    """A context over the seeded store, signed in as "rep-1", with collateral files."""
    from repdesk.gui.context import AppContext
    from repdesk.store.settings import Settings

    ctx = AppContext.create(
        rep_store,
        rep_store.data_dir,
        settings=Settings(tmp_path / "config" / "settings.json"),
        collateral=write_collateral_files(tmp_path / "collateral"),
        rep_id="rep-1",
    )
    yield ctx
    # Let the views' last loads land before the workers stop (outcomes delivered after
    # shutdown could otherwise try to queue follow-up work on a stopped runner).
    qtbot.waitUntil(lambda: ctx.ops.idle)
    ctx.shutdown()


@pytest.fixture
def one_lead_store(tmp_path: Path) -> Iterator[Store]:
    """A real store with one lead (whose first name is markup), the rubric and taxonomy."""
    s = Store.open(tmp_path / "data", key=TEST_CACHE_KEY)
    changes = [
        RemoteUpsert(
            "lead",
            LEAD_ID,
            1,
            Lead(
                LEAD_ID,
                HOSTILE,
                "Doe",
                "Acme & Co",
                title="CFO",
                phone="+1 555 0100",
                source_campaign_id="camp-1",
            ),
        ),
        RemoteUpsert("rubric", "current", 1, DEFAULT_RUBRIC),
        RemoteUpsert("campaign", "camp-1", 1, Campaign("camp-1", "Spring webinar")),
    ] + [RemoteUpsert("objection_category", c.code, 1, c) for c in DEFAULT_OBJECTION_CATEGORIES]
    s.apply_pull_page(changes, "cursor-1")
    yield s
    s.close()


@pytest.fixture
def one_lead_ctx(qapp: object, one_lead_store: Store, tmp_path: Path) -> Iterator[AppContext]:
    """A context over `one_lead_store`, signed in as "rep-7"."""
    from repdesk.gui.context import AppContext

    context = AppContext.create(one_lead_store, tmp_path / "data", rep_id="rep-7")
    yield context
    context.shutdown()


# --- collateral from the corpus ---------------------------------------------------------------


def corpus_collateral(
    name: str, title: str, problem: str = "", tags: tuple[str, ...] = ()
) -> Collateral:
    """A collateral entry for the corpus file `name` (its real hash and size)."""
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


class _CorpusDownloader:
    """Hands the cache a corpus file as if it had come from the hub (same bytes, same hash)."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def download(
        self, sha256: str, dest_partial_path: Path, *, expected_size: int, **_: Any
    ) -> DownloadResult:
        shutil.copyfile(CORPUS / self.names[sha256], dest_partial_path)
        return DownloadResult(size=expected_size, resumed_from=0, validator=None)


@pytest.fixture
def library_items(rep_store: Store, app_ctx: AppContext, tmp_path: Path) -> dict[str, Collateral]:
    """Four collateral entries; all but the "not downloaded" one are in a real cache."""
    from repdesk.sync.collateral import CollateralCache

    items = {
        "four": corpus_collateral(
            "pdflatex-4-pages.pdf", "Pricing overview 2026", tags=("pricing",)
        ),
        "locked": corpus_collateral(
            ENCRYPTED, "Partner terms", problem="This PDF is password-protected."
        ),
        "minimal": corpus_collateral("minimal-document.pdf", "One-pager <b>bold</b>"),
        "remote": corpus_collateral("multicolumn.pdf", "Case study: Northwind"),
    }
    rep_store.apply_pull_page(
        [RemoteUpsert("collateral", c.id, c.version, c) for c in items.values()], "c-1"
    )
    cache = CollateralCache(tmp_path / "cache")
    names = {
        items[k].sha256: n
        for k, n in (
            ("four", "pdflatex-4-pages.pdf"),
            ("locked", ENCRYPTED),
            ("minimal", "minimal-document.pdf"),
        )
    }
    downloader = _CorpusDownloader(names)
    for key in ("four", "locked", "minimal"):
        cache.fetch(downloader, items[key])
    app_ctx.collateral = cache
    return items


# --- a real hub on loopback -------------------------------------------------------------------


@dataclass
class DemoHub:
    """The running demo hub (`server` is replaced when the test restarts it)."""

    server: Any
    url: str
    email: str
    password: str
    rep_id: str
    hostile_lead_id: str


@pytest.fixture
def demo_hub(tmp_path: Path) -> Iterator[DemoHub]:
    """The demo hub, plus a lead whose name is markup, injected before the first sync."""
    from sqlalchemy import select

    from repdesk.app.demo import start_demo_hub
    from repdesk.hub.db import models as m
    from tests.support import hub_rows

    hub = start_demo_hub(tmp_path / "demo")
    world: DemoHub | None = None
    try:
        db = hub.hub.state.db
        with db.session() as s:
            rep_id = s.scalar(select(m.Rep.id).where(m.Rep.email == hub.email))
        assert rep_id is not None
        hostile = hub_rows.add_lead(
            db, rep_id, first_name=HOSTILE, company="Markup & Sons", score=99
        )
        world = DemoHub(hub.hub, hub.url, hub.email, hub.password, rep_id, hostile)
        yield world
    finally:
        hub.stop()
        if world is not None:
            world.server.stop()  # the restarted one, when the test got that far
