"""Demo seeding into a real database, and the feedback export marketing reads."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.hub.admin_helpers import upserts
from tests.support.hub_fixtures import new_hub

from repdesk.domain.errors import ValidationError
from repdesk.hub import admin
from repdesk.hub.config import HubConfig
from repdesk.hub.db import models as m
from repdesk.hub.demo import DemoData, generate_demo
from repdesk.hub.demo.loader import seed_demo

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo(now=NOW)


@pytest.fixture
def seeded(tmp_path: Path, demo: DemoData) -> Iterator[admin.Hub]:
    with new_hub(HubConfig.resolve(tmp_path / "hub")) as hub:
        seed_demo(hub, demo)
        yield hub


def test_demo_seed_fills_the_hub_and_each_rep_pulls_exactly_their_book(
    seeded: admin.Hub, demo: DemoData
) -> None:
    with seeded.db.read() as session:
        assert session.scalar(select(func.count()).select_from(m.Lead)) == 360
        assert session.scalar(select(func.count()).select_from(m.NurtureEvent)) == len(demo.events)
        assert session.scalar(select(func.count()).select_from(m.Collateral)) == 12
    for f in demo.files:
        assert seeded.files.path_for(f.collateral.sha256).read_bytes() == f.content
    alex = demo.reps[0]
    own = {lead.id for lead in demo.leads if lead.owner_rep_id == alex.id}
    assert upserts(seeded, alex.id, "lead") == own
    own_events = {e.id for e in demo.events if e.lead_id in own}
    assert upserts(seeded, alex.id, "nurture_event") == own_events
    assert len(upserts(seeded, alex.id, "collateral")) == 12
    notes = {n.id for n in demo.activity.call_notes if n.lead_id in own}
    assert notes and upserts(seeded, alex.id, "call_note") == notes
    with pytest.raises(ValidationError, match="empty hub"):
        seed_demo(seeded, demo)


def _export(hub: admin.Hub, fmt: str, since: datetime | None = None) -> str:
    out = io.StringIO()
    admin.export_feedback(hub, out, since=since, fmt=fmt)
    return out.getvalue()


def test_feedback_export_has_every_kind_with_rep_lead_and_time(
    seeded: admin.Hub, demo: DemoData
) -> None:
    rows = list(csv.DictReader(io.StringIO(_export(seeded, "csv"))))
    kinds = Counter(r["kind"] for r in rows)
    act = demo.activity
    assert kinds["call_note"] == len(act.call_notes)
    assert kinds["objection"] == len(act.objections)
    assert kinds["disposition"] == len(act.dispositions)
    assert kinds["collateral_use"] == len(act.collateral_uses)
    assert kinds["bant"] > 0
    leads = {lead.id: lead for lead in demo.leads}
    reps = {r.id: r.email for r in demo.reps}
    for row in rows:
        lead = leads[row["lead_id"]]
        assert row["lead_external_id"] == lead.external_id
        assert row["rep_email"] == reps[lead.owner_rep_id or ""]
        assert datetime.fromisoformat(row["occurred_at"]) <= NOW
    note = next(r for r in rows if r["kind"] == "call_note")
    assert note["text"] and note["duration_seconds"]
    lines = _export(seeded, "jsonl").splitlines()
    assert len(lines) == len(rows)
    assert set(json.loads(lines[0])) == set(admin.FeedbackRow.__dataclass_fields__)
    cutoff = NOW - timedelta(days=7)
    recent = list(csv.DictReader(io.StringIO(_export(seeded, "csv", cutoff))))
    assert 0 < len(recent) < len(rows)
    assert all(datetime.fromisoformat(r["received_at"]) >= cutoff for r in recent)


def test_feedback_csv_keeps_formulas_as_text(seeded: admin.Hub, demo: DemoData) -> None:
    lead = next(lead for lead in demo.leads if lead.owner_rep_id)
    with seeded.db.write() as session:
        session.add(
            m.CallNote(
                id="n-1",
                lead_id=lead.id,
                rep_id=lead.owner_rep_id or "",
                mutation_id="mut-1",
                body='=HYPERLINK("http://evil","click")',
                created_at=NOW,
                received_at=NOW + timedelta(days=1),
            )
        )
    rows = list(csv.DictReader(io.StringIO(_export(seeded, "csv", NOW + timedelta(hours=1)))))
    assert [r["text"] for r in rows] == ['\'=HYPERLINK("http://evil","click")']
    raw = json.loads(_export(seeded, "jsonl", NOW + timedelta(hours=1)))
    assert raw["text"] == '=HYPERLINK("http://evil","click")'
    with pytest.raises(ValidationError, match="Unknown format"):
        admin.export_feedback(seeded, io.StringIO(), fmt="xlsx")
