"""Hub database: migrations apply (and re-apply) cleanly, newer schemas are refused,
and the change log keeps one latest row per (entity, id, audience) with growing seqs."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from repdesk.domain.errors import SchemaTooNewError
from repdesk.hub.db.engine import Database, sqlite_url
from repdesk.hub.db.migrate import head_revision, upgrade_database
from repdesk.hub.db.models import ChangeLog, HubMeta, Lead, NurtureEvent, Rep
from repdesk.hub.sync import changes


def test_upgrade_is_idempotent_and_sets_an_epoch(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "hub.db")
    assert upgrade_database(url) == head_revision()
    assert upgrade_database(url) == head_revision()
    db = Database(url)
    with db.read() as s:
        epoch = s.get(HubMeta, "epoch")
        assert epoch is not None and len(epoch.value) == 36
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.dispose()


def test_database_from_a_newer_hub_is_refused(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "hub.db")
    upgrade_database(url)
    db = Database(url)
    with db.write() as s:
        s.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    db.dispose()
    with pytest.raises(SchemaTooNewError, match="newer repdesk-hub"):
        upgrade_database(url)


def test_change_log_keeps_latest_row_with_a_new_seq(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "hub.db")
    upgrade_database(url)
    db = Database(url)
    with db.write() as s:
        a = Rep(email="a@x.test", name="A", password_hash="x")
        b = Rep(email="b@x.test", name="B", password_hash="x")
        s.add_all([a, b])
        s.flush()
        lead = Lead(first_name="Ada", owner_rep_id=None)
        s.add(lead)
        s.flush()
        changes.reassign_lead(s, lead, a.id)
        ev = NurtureEvent(lead_id=lead.id, type="web_visit", occurred_at=lead.created_at)
        s.add(ev)
        s.flush()
        changes.touch_lead_item(s, "nurture_event", ev.id, lead, ev.version)
        first = s.scalar(select(func.max(ChangeLog.seq)))
        lead.score = 10
        lead.version += 1
        changes.touch_lead(s, lead)
        changes.reassign_lead(s, lead, b.id)
        a_id, b_id, lead_id = a.id, b.id, lead.id
    with db.read() as s:
        rows = s.scalars(select(ChangeLog).order_by(ChangeLog.seq)).all()
        assert all(r.seq > 0 for r in rows)
        by_audience = {(r.audience, r.entity): r.op for r in rows}
        assert by_audience == {
            (a_id, "lead"): "remove",
            (a_id, "nurture_event"): "remove",
            (b_id, "lead"): "upsert",
            (b_id, "nurture_event"): "upsert",
        }
        b_rows = [r for r in rows if r.audience == b_id]
        assert [r.entity for r in b_rows] == ["lead", "nurture_event"]  # lead first
        assert all(r.lead_id == lead_id for r in rows)
        assert min(r.seq for r in rows) > (first or 0)  # every row re-numbered after
    db.dispose()


def test_migrations_match_the_models(hub_db_url: str) -> None:
    """On SQLite and PostgreSQL: after upgrading, Alembic finds nothing left to generate."""
    from alembic import command

    from repdesk.hub.db.engine import make_engine
    from repdesk.hub.db.migrate import alembic_config

    upgrade_database(hub_db_url)
    engine = make_engine(hub_db_url)
    cfg = alembic_config(hub_db_url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.check(cfg)  # raises when models and migrations disagree
    engine.dispose()
