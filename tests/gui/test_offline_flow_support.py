"""Helpers for the sync/outbox/collateral GUI tests: leads, notes, screenshots, a closed
port. Holds no tests and no fixtures (those are in `tests/support/gui_fixtures.py`; the
World's hub restarts itself: `live_world.hub.start()`, `live_world.hub.move()`)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication, QWidget

from repdesk.domain.feedback import CallNote
from repdesk.domain.ids import new_id
from repdesk.domain.leads import Lead
from repdesk.store.api import RemoteUpsert

REPO = Path(__file__).resolve().parents[2]
SHOTS = Path(__file__).resolve().parents[2] / "build" / "gui-shots"


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


def closed_port_url() -> str:
    """A loopback URL nobody listens on (the port was just bound and released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
