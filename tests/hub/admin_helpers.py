"""Helpers for the admin/CLI tests: a hub home, and what a rep's device would pull."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from repdesk.hub import admin
from repdesk.hub.db.models import Rep
from repdesk.hub.sync.pull import pull_page

DATA = Path(__file__).parent / "data"


def rep_id(hub: admin.Hub, email: str) -> str:
    with hub.db.read() as session:
        found = session.scalar(select(Rep.id).where(Rep.email == email))
        assert found is not None
        return found


def pulled(hub: admin.Hub, rep: str) -> dict[tuple[str, str], str]:
    """{(entity, id): op} a rep's device would end up with after pulling from scratch."""
    out: dict[tuple[str, str], str] = {}
    after = 0
    with hub.db.read() as session:
        while True:
            page = pull_page(session, rep, after, 5000)
            for change in page.changes:
                out[(change["entity"], change["id"])] = change["op"]
            after = page.last
            if not page.has_more:
                return out


def upserts(hub: admin.Hub, rep: str, entity: str) -> set[str]:
    return {i for (e, i), op in pulled(hub, rep).items() if e == entity and op == "upsert"}
