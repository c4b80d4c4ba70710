"""Shared set-up for the sync/outbox/collateral GUI tests: a real Store and an AppContext.

Import the fixture functions from here (`..._fixture`); pytest registers them by `name`.
Holds no tests of its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
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

REPO = Path(__file__).resolve().parents[2]
CORPUS = (REPO / ".." / "shared" / "collateral-corpus").resolve()
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
