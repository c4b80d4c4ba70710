"""`lead_facts` (migration 0007), the per-lead facts the reports aggregate, stays equal to
the same facts recomputed from `leads`, `call_notes`, `dispositions` and
`qualification_fields` after every kind of write: pushes over the reps' API (a real hub on
loopback), a re-push of the same batch, reassignment, soft deletion, a leads import, and
the migration's backfill of a hub that had data before it. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from alembic import command
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.hub.helpers import mutation, push
from tests.support import hub_rows as seed
from tests.support.world import World

from repdesk.hub import admin
from repdesk.hub.db import models as m
from repdesk.hub.db.engine import Database, make_engine
from repdesk.hub.db.migrate import alembic_config, head_revision, upgrade_database
from repdesk.hub.embedded import EmbeddedHub
from repdesk.hub.sync import changes

Clients = Callable[[str], httpx.Client]


T = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
BANT = ("budget", "authority", "need", "timeframe")


def call(lead_id: str, at: datetime) -> dict[str, Any]:
    """A call note whose call started at `at`."""
    return mutation(
        "call_note.create", lead_id, {"body": "Call", "call_started_at": at.isoformat()}
    )


def recomputed(session: Session) -> dict[str, dict[str, Any]]:
    """Every lead's facts worked out in Python from the source tables (the oracle)."""
    out: dict[str, dict[str, Any]] = {}
    for lead in session.scalars(select(m.Lead)):
        calls = [
            c.call_started_at or c.created_at
            for c in session.scalars(select(m.CallNote).where(m.CallNote.lead_id == lead.id))
        ]
        after = [at for at in calls if lead.assigned_at is not None and at >= lead.assigned_at]
        verdicts = sorted(
            session.scalars(select(m.DispositionRow).where(m.DispositionRow.lead_id == lead.id)),
            key=lambda d: (d.decided_at, d.id),
        )
        fields = {
            f.dimension: f
            for f in session.scalars(
                select(m.QualificationField).where(m.QualificationField.lead_id == lead.id)
            )
        }
        latest = verdicts[-1] if verdicts else None
        out[lead.id] = {
            "source_campaign_id": lead.source_campaign_id,
            "owner_rep_id": lead.owner_rep_id,
            "assigned_at": lead.assigned_at,
            "deleted": lead.deleted,
            "worked": bool(calls),
            "first_call_at": min(after) if after else None,
            "verdict_kind": latest.kind if latest else None,
            "verdict_reason": latest.reason if latest else None,
            "verdict_id": latest.id if latest else None,
            **{f"{d}_value": fields[d].value if d in fields else None for d in BANT},
            **{f"{d}_confidence": fields[d].confidence if d in fields else None for d in BANT},
        }
    return out


def stored(session: Session) -> dict[str, dict[str, Any]]:
    rows = session.scalars(select(m.LeadFacts)).all()
    keys = next(iter(recomputed(session).values()), {}).keys()
    return {row.lead_id: {k: getattr(row, k) for k in keys} for row in rows}


def assert_facts_current(db: Database) -> dict[str, dict[str, Any]]:
    with db.read() as session:
        expected = recomputed(session)
        assert stored(session) == expected
        return expected


def test_pushes_and_a_repeated_push_keep_the_facts_current(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    db = embedded_hub.state.db
    ada = client_for(world.ada.email)
    lead = world.ada.leads[0]
    with db.read() as session:
        assigned = session.get(m.Lead, lead)
        assert assigned is not None and assigned.assigned_at is not None
        assigned_at = assigned.assigned_at
    first_call = assigned_at + timedelta(milliseconds=1)
    batch = [
        call(lead, first_call + timedelta(milliseconds=1)),
        call(lead, first_call),
        call(lead, assigned_at - timedelta(hours=1)),  # before the assignment: not first
        mutation(
            "qualification.update",
            lead,
            {"fields": {"budget": {"value": "yes", "confidence": 3}, "need": {"value": "no"}}},
            base_version=0,
        ),
        mutation("disposition.set", lead, {"kind": "disqualify", "reason": "student"}),
    ]
    assert [r["status"] for r in push(ada, *batch)] == ["applied"] * 5
    later = mutation(
        "disposition.set", lead, {"kind": "accept"}, recorded_at="2026-02-02T10:00:00Z"
    )
    assert push(ada, later)[0]["status"] == "applied"

    facts = assert_facts_current(db)[lead]
    assert facts["worked"] is True
    assert facts["first_call_at"] == first_call
    assert (facts["verdict_kind"], facts["verdict_id"]) == ("accept", later["entity_id"])
    assert (facts["budget_value"], facts["budget_confidence"]) == ("yes", 3)
    assert facts["need_value"] == "no"
    untouched = assert_facts_current(db)[world.ada.leads[1]]
    assert (untouched["worked"], untouched["verdict_kind"]) == (False, None)

    # The same batch again (a client retrying): all duplicates, facts unchanged.
    assert {r["status"] for r in push(ada, *batch, later)} == {"duplicate"}
    assert assert_facts_current(db)[lead] == facts


def test_edits_moves_and_deletions_of_the_source_rows_keep_the_facts_current(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    """The triggers update only the columns a write can change (a new note only the call
    columns, a new disposition only the verdict when it is the latest, an answer only its
    dimension): every other kind of write, made in the database directly, still leaves
    the facts equal to the recomputed ones."""
    db = embedded_hub.state.db
    ada = client_for(world.ada.email)
    lead, other = world.ada.leads[0], world.ada.leads[1]
    with db.read() as session:
        assigned = session.get(m.Lead, lead)
        assert assigned is not None and assigned.assigned_at is not None
        at = assigned.assigned_at
    batch = [
        call(lead, at + timedelta(minutes=5)),
        call(lead, at + timedelta(minutes=1)),
        call(other, at + timedelta(hours=2)),
        mutation("disposition.set", lead, {"kind": "disqualify", "reason": "student"}),
        mutation("disposition.set", lead, {"kind": "accept"}, recorded_at="2026-02-02T10:00:00Z"),
        mutation(
            "qualification.update",
            lead,
            {"fields": {"budget": {"value": "yes", "confidence": 3}, "need": {"value": "no"}}},
            base_version=0,
        ),
    ]
    assert [r["status"] for r in push(ada, *batch)] == ["applied"] * len(batch)
    assert_facts_current(db)
    first = sa.select(m.CallNote.id).where(m.CallNote.lead_id == lead)
    first = first.order_by(m.CallNote.call_started_at).limit(1)
    latest = sa.select(m.DispositionRow.id).where(m.DispositionRow.lead_id == lead)
    latest = latest.order_by(m.DispositionRow.decided_at.desc()).limit(1)
    notes, verdicts, answers = m.CallNote, m.DispositionRow, m.QualificationField
    budget = (answers.lead_id == lead) & (answers.dimension == "budget")
    writes = [
        sa.update(notes).where(notes.id == first.scalar_subquery()).values(body="edited"),
        sa.update(notes)
        .where(notes.id == first.scalar_subquery())
        .values(call_started_at=at + timedelta(minutes=9)),
        sa.update(notes).where(notes.id == first.scalar_subquery()).values(lead_id=other),
        sa.delete(notes).where(notes.lead_id == lead),
        sa.update(verdicts)
        .where(verdicts.id == latest.scalar_subquery())
        .values(decided_at=T - timedelta(days=400)),
        sa.update(verdicts).where(verdicts.lead_id == lead).values(reason="changed"),
        sa.delete(verdicts).where(verdicts.id == latest.scalar_subquery()),
        sa.update(verdicts).where(verdicts.lead_id == lead).values(lead_id=other),
        sa.update(answers).where(budget).values(value="no", confidence=1),
        sa.update(answers).where(budget).values(dimension="timeframe"),
        sa.delete(answers).where((answers.lead_id == lead) & (answers.dimension == "need")),
    ]
    for statement in writes:
        with db.write() as session:
            session.execute(statement)
        assert_facts_current(db)


def test_reassignment_and_deletion_update_the_scope_and_first_call(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    db = embedded_hub.state.db
    lead = world.ada.leads[1]
    called = datetime.now(UTC)  # after ada's assignment
    push(client_for(world.ada.email), call(lead, called))
    before = assert_facts_current(db)[lead]
    assert before["first_call_at"] == called and before["owner_rep_id"] == world.ada.id

    seed.reassign(db, lead, world.bob.id)  # after the call: bob has not called yet
    after = assert_facts_current(db)[lead]
    assert after["owner_rep_id"] == world.bob.id
    assert after["assigned_at"] is not None and after["assigned_at"] > called
    assert (after["worked"], after["first_call_at"]) == (True, None)

    seed.reassign(db, lead, None)
    assert assert_facts_current(db)[lead]["assigned_at"] is None

    with db.write() as session:
        row = session.get(m.Lead, world.ada.leads[2])
        assert row is not None
        changes.delete_lead(session, row)
    assert assert_facts_current(db)[world.ada.leads[2]]["deleted"] is True


def test_an_import_and_assignment_by_rule_fill_the_facts(
    world: World, embedded_hub: EmbeddedHub, tmp_path: Path
) -> None:
    state = embedded_hub.state
    operations = admin.Hub(state.config, state.db, state.files)
    path = tmp_path / "leads.jsonl"
    records = [
        {"external_id": f"imp-{i}", "email": f"imp{i}@example.test", "company": f"Imp {i}"}
        for i in range(3)
    ]
    records[0]["owner"] = world.ada.email
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert admin.import_leads(operations, path).created == 3
    facts = assert_facts_current(state.db)
    world_leads = len(world.ada.leads) + len(world.bob.leads)
    assert len(facts) == world_leads + 3  # the world's leads and the imported ones

    report = admin.assign_by_rule(operations, world.bob.email, [("company", "Imp 1")])
    assert report.assigned == 1
    facts = assert_facts_current(state.db)
    with state.db.read() as session:
        moved = session.scalar(select(m.Lead.id).where(m.Lead.external_id == "imp-1"))
    assert moved is not None and facts[moved]["owner_rep_id"] == world.bob.id

    # An import writes new leads' facts itself on SQLite, without the insert trigger (it
    # is dropped inside the import's transaction): the trigger is back after a real
    # import and a dry run, and a later write outside an import keeps the facts current.
    path.write_text(json.dumps({"external_id": "imp-9", "email": "i9@x.test"}) + "\n")
    assert admin.import_leads(operations, path, dry_run=True).created == 1
    triggers = sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    with state.db.read() as session:
        if session.get_bind().dialect.name == "sqlite":
            names = set(session.scalars(triggers))
            assert "tr_lead_facts_leads_insert" in names
    with state.db.write() as session:
        lead = m.Lead(id="after-import", email="after@x.test", first_name="A", last_name="B")
        lead.company = lead.title = lead.industry = lead.phone = lead.country = ""
        lead.lifecycle_stage, lead.lead_status, lead.score = "mql", "new", 0
        lead.marketing_notes, lead.version = "", 1
        session.add(lead)
    facts = assert_facts_current(state.db)
    assert "after-import" in facts


def test_the_migration_fills_the_facts_of_a_hub_with_data(hub_db_url: str) -> None:
    """The hub is built at revision 0006, given leads and feedback, then upgraded."""
    engine = make_engine(hub_db_url)
    try:
        with engine.begin() as conn:
            cfg = alembic_config(hub_db_url)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0006")
        db = Database(hub_db_url)
        try:
            with db.write() as s:
                rep = m.Rep(email="r@example.test", name="R", password_hash="x")
                s.add(rep)
                s.flush()
                leads = [m.Lead(email=f"l{i}@example.test") for i in range(3)]
                leads[0].owner_rep_id, leads[0].assigned_at = rep.id, T
                leads[1].owner_rep_id, leads[1].assigned_at = rep.id, T
                s.add_all(leads)
                s.flush()
                s.add(m.Qualification(lead_id=leads[0].id))
                s.flush()
                s.add(m.QualificationField(lead_id=leads[0].id, dimension="need", value="yes"))
                for i, at in enumerate((T - timedelta(hours=1), T + timedelta(hours=4))):
                    s.add(
                        m.CallNote(id=f"c{i}", lead_id=leads[0].id, rep_id=rep.id,
                                   mutation_id=f"m{i}", body="", created_at=at)
                    )  # fmt: skip
                s.add(
                    m.DispositionRow(id="d1", lead_id=leads[0].id, rep_id=rep.id,
                                     mutation_id="m3", kind="accept", decided_at=T)
                )  # fmt: skip
            upgrade_database(hub_db_url, engine)
            facts = assert_facts_current(db)
            assert facts[leads[0].id]["first_call_at"] == T + timedelta(hours=4)
            assert facts[leads[0].id]["verdict_kind"] == "accept"
            assert facts[leads[0].id]["need_value"] == "yes"
            assert facts[leads[2].id]["assigned_at"] is None
        finally:
            db.dispose()
    finally:
        engine.dispose()


def test_the_migration_downgrades_and_upgrades_again(hub_db_url: str) -> None:
    """0007 down to 0006 removes its table, triggers and function; up again restores them."""
    engine = make_engine(hub_db_url)
    try:
        upgrade_database(hub_db_url, engine)
        with engine.begin() as conn:
            cfg = alembic_config(hub_db_url)
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0006")
        with engine.connect() as conn:
            assert "lead_facts" not in sa.inspect(conn).get_table_names()
        assert upgrade_database(hub_db_url, engine) == head_revision()
    finally:
        engine.dispose()
