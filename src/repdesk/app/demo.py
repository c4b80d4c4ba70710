"""Demo mode: a seeded hub on a loopback port, in its own folder, never mixed with real data."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from repdesk.hub.admin.hub import open_hub
from repdesk.hub.config import HubConfig
from repdesk.hub.db import models as m
from repdesk.hub.db.engine import sqlite_url
from repdesk.hub.demo import DEMO_PASSWORD, DEMO_REPS, workspace_hint
from repdesk.hub.demo.loader import seed_demo
from repdesk.hub.embedded import EmbeddedHub

log = logging.getLogger(__name__)


@dataclass(slots=True)
class DemoHub:
    hub: EmbeddedHub
    url: str
    email: str
    password: str

    @property
    def workspace_line(self) -> str:
        """Where a person opens marketing's workspace on this demo hub, and as whom."""
        return workspace_hint(self.url)

    def stop(self) -> None:
        self.hub.stop()


def demo_root(data_dir: Path) -> Path:
    """The demo lives beside, not inside, the rep's real data."""
    return data_dir / "demo"


def start_demo_hub(root: Path) -> DemoHub:
    """Seed the demo hub on first use (a few seconds), then serve it on 127.0.0.1."""
    home = root / "hub"
    # Always SQLite in the demo folder, whatever REPDESK_HUB_DATABASE_URL says.
    config = HubConfig.resolve(home, database_url=sqlite_url(home / "hub.db"))
    with open_hub(config, create=True) as admin:
        # The hub itself says whether it was seeded (seeding is one transaction), so a
        # crash half-way through a first run never leaves a demo that refuses to start.
        with admin.db.read() as session:
            empty = not session.scalar(select(func.count()).select_from(m.Rep))
        if empty:
            seed_demo(admin)
    server = EmbeddedHub(config)
    url = server.start()
    return DemoHub(hub=server, url=url, email=DEMO_REPS[0].email, password=DEMO_PASSWORD)
