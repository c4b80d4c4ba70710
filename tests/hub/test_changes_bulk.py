"""Bulk change-log writers: `touch_many` leaves exactly the log `touch` one by one would
(same keys, ops, versions, same relative order), and `reassign_leads` the same as
`reassign_lead` on each lead in turn."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from repdesk.domain.ids import utcnow
from repdesk.hub.db import models as m
from repdesk.hub.db.engine import Database, sqlite_url
from repdesk.hub.db.migrate import upgrade_database
from repdesk.hub.sync import changes
from repdesk.hub.sync.changes import Touch

touches = st.lists(
    st.builds(
        Touch,
        entity=st.sampled_from(("lead", "call_note")),
        entity_id=st.sampled_from(("a", "b", "c", "d")),
        audience=st.sampled_from(("r1", "r2", changes.ALL)),
        op=st.sampled_from(("upsert", "remove")),
        version=st.integers(0, 5),
    ),
    max_size=12,
)


def log_of(db: Database) -> list[tuple[str, str, str, str, int]]:
    with db.read() as s:
        rows = s.scalars(select(m.ChangeLog).order_by(m.ChangeLog.seq))
        return [(r.entity, r.entity_id, r.audience, r.op, r.version) for r in rows]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(first=touches, second=touches)
def test_touch_many_equals_touch_one_by_one(
    tmp_path_factory: pytest.TempPathFactory, first: list[Touch], second: list[Touch]
) -> None:
    logs = []
    for bulk in (False, True):
        path = tmp_path_factory.mktemp("log") / "hub.db"
        upgrade_database(sqlite_url(path))
        db = Database(sqlite_url(path))
        try:
            for batch in (first, second):
                with db.write() as s:
                    if bulk:
                        changes.touch_many(s, batch)
                    else:
                        for t in batch:
                            changes.touch(
                                s, t.entity, t.entity_id, t.audience, op=t.op, version=t.version
                            )
            logs.append(log_of(db))
        finally:
            db.dispose()
    assert logs[0] == logs[1]


def test_reassign_leads_equals_reassign_lead_in_turn(tmp_path: Path) -> None:
    results = []
    for bulk in (False, True):
        path = tmp_path / f"{bulk}.db"
        upgrade_database(sqlite_url(path))
        db = Database(sqlite_url(path))
        try:
            with db.write() as s:
                s.add_all(m.Rep(id=r, email=f"{r}@x.test", name=r, password_hash="x") for r in "ab")
                s.flush()
                leads = [m.Lead(id=f"L{i}", owner_rep_id="a" if i % 2 else None) for i in range(6)]
                s.add_all(leads)
                s.flush()
                for i, lead in enumerate(leads):
                    s.add(
                        m.NurtureEvent(
                            id=f"E{i}", lead_id=lead.id, type="web_visit", occurred_at=utcnow()
                        )
                    )
                s.add(m.Qualification(lead_id="L1", version=3))
            with db.write() as s:
                rows = [s.get(m.Lead, f"L{i}") for i in range(6)]
                picked = [lead for lead in rows if lead is not None]
                if bulk:
                    moved = changes.reassign_leads(s, picked, "b")
                else:
                    moved = sum(changes.reassign_lead(s, lead, "b") for lead in picked)
            results.append((moved, log_of(db)))
        finally:
            db.dispose()
    assert results[0] == results[1]
    moved, log = results[1]
    assert moved == 6
    assert ("qualification", "L1", "a", "remove", 3) in log
    assert ("qualification", "L1", "b", "upsert", 3) in log


def test_a_bulk_touch_inside_a_deferred_block_is_never_overtaken(tmp_path: Path) -> None:
    """A lead touched, then reassigned, in one deferred block: the old owner must end with
    the `remove`, not the earlier `upsert` (which used to be written last, at block end)."""
    path = tmp_path / "hub.db"
    upgrade_database(sqlite_url(path))
    db = Database(sqlite_url(path))
    try:
        with db.write() as s:
            s.add_all(m.Rep(id=r, email=f"{r}@x.test", name=r, password_hash="x") for r in "ab")
            s.flush()
            s.add(m.Lead(id="L1", owner_rep_id="a"))
        with db.write() as s, changes.deferred_touches(s):
            lead = s.get(m.Lead, "L1")
            assert lead is not None
            changes.touch_lead(s, lead)
            changes.reassign_leads(s, [lead], "b")
        by_audience = {(e, i, a): op for e, i, a, op, _v in log_of(db)}
        assert by_audience[("lead", "L1", "a")] == "remove"
        assert by_audience[("lead", "L1", "b")] == "upsert"
    finally:
        db.dispose()
