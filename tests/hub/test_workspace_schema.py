"""What the workspace's reports and editor rely on in the schema: when a lead was assigned,
and every published rubric kept as history."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from repdesk.domain.defaults import DEFAULT_RUBRIC
from repdesk.hub import admin
from repdesk.hub.db.models import Lead, RubricVersion
from repdesk.protocol.convert import rubric_to_data


def _lead(hub_admin: admin.Hub, **values: object) -> str:
    with hub_admin.db.write() as session:
        lead = Lead(email="p@example.com", first_name="Pat", country="Germany", **values)
        session.add(lead)
        session.flush()
        return lead.id


def test_assigning_stamps_the_time_and_unassigning_clears_it(hub_admin: admin.Hub) -> None:
    lead_id = _lead(hub_admin)
    admin.add_rep(hub_admin, "ann@example.com", "Ann", "a long enough password")
    admin.add_rep(hub_admin, "bob@example.com", "Bob", "a long enough password")
    admin.assign_by_rule(hub_admin, "ann@example.com", admin.parse_where(["country=Germany"]))
    with hub_admin.db.read() as session:
        first = session.get(Lead, lead_id)
        assert first is not None and first.assigned_at is not None
        first_at = first.assigned_at
    admin.assign_by_rule(
        hub_admin, "bob@example.com", admin.parse_where(["country=Germany"]), reassign=True
    )
    with hub_admin.db.read() as session:
        moved = session.get(Lead, lead_id)
        assert moved is not None and moved.assigned_at is not None
        assert moved.assigned_at >= first_at
    admin.unassign(hub_admin, where=admin.parse_where(["country=Germany"]))
    with hub_admin.db.read() as session:
        dropped = session.get(Lead, lead_id)
        assert dropped is not None and dropped.owner_rep_id is None and dropped.assigned_at is None


def test_each_published_rubric_is_kept_in_the_history(hub_admin: admin.Hub, tmp_path: Path) -> None:
    data = rubric_to_data(DEFAULT_RUBRIC).model_dump(mode="json")
    data["name"] = "Stricter"
    data["min_qualifying"] = 4
    path = tmp_path / "rubric.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    admin.set_rubric(hub_admin, path)
    with hub_admin.db.read() as session:
        history = session.scalars(select(RubricVersion).order_by(RubricVersion.version)).all()
    assert [(h.version, h.name) for h in history] == [(1, DEFAULT_RUBRIC.name), (2, "Stricter")]
    assert history[1].data["min_qualifying"] == 4
