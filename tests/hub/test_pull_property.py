"""Property: whatever marketing and reps do, in any order, a device that pulls now and
then (any page sizes) ends up with exactly what its rep may see, at current versions,
the same as a fresh install. Runs at the service level on SQLite (fast); the HTTP tests
cover both databases."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from tests.support import hub_rows as seed

from repdesk.domain.ids import new_id, utcnow
from repdesk.hub.db import models as m
from repdesk.hub.db.engine import Database, sqlite_url
from repdesk.hub.db.migrate import upgrade_database
from repdesk.hub.sync import changes
from repdesk.hub.sync.pull import pull_page

REPS = ("r1", "r2")
Key = tuple[str, str]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "hub.db"
    upgrade_database(sqlite_url(path))
    return path


class Device:
    def __init__(self, rep: str) -> None:
        self.rep = rep
        self.cursor = 0
        self.state: dict[Key, int] = {}

    def pull(self, db: Database, limit: int, *, to_the_end: bool = False) -> None:
        while True:
            with db.read() as s:
                page = pull_page(s, self.rep, self.cursor, limit)
            for c in page.changes:
                key = (c["entity"], c["id"])
                if c["op"] == "remove":
                    self.state.pop(key, None)
                elif c["version"] >= self.state.get(key, -1):
                    self.state[key] = c["version"]
            self.cursor = page.last
            if not (to_the_end and page.has_more):
                return


def truth(db: Database, rep: str) -> dict[Key, int]:
    out: dict[Key, int] = {}
    with db.read() as s:
        for lead in s.scalars(
            select(m.Lead).where(m.Lead.owner_rep_id == rep, m.Lead.deleted.is_(False))
        ):
            out[("lead", lead.id)] = lead.version
            for ev in s.scalars(select(m.NurtureEvent).where(m.NurtureEvent.lead_id == lead.id)):
                out[("nurture_event", ev.id)] = ev.version
            for note in s.scalars(select(m.CallNote).where(m.CallNote.lead_id == lead.id)):
                out[("call_note", note.id)] = note.version
        for camp in s.scalars(select(m.Campaign)):
            out[("campaign", camp.id)] = camp.version
    return out


operations = st.lists(
    st.one_of(
        st.tuples(st.just("lead"), st.sampled_from((*REPS, None))),
        st.tuples(st.just("update"), st.integers(0, 3)),
        st.tuples(st.just("reassign"), st.integers(0, 3), st.sampled_from((*REPS, None))),
        st.tuples(
            st.just("bulk"), st.lists(st.integers(0, 5), max_size=4), st.sampled_from((*REPS, None))
        ),
        st.tuples(st.just("event"), st.integers(0, 3)),
        st.tuples(st.just("note"), st.integers(0, 3)),
        st.tuples(st.just("delete"), st.integers(0, 3)),
        st.tuples(st.just("campaign"), st.integers(0, 5)),
    ),
    min_size=3,
    max_size=25,
)
pulls = st.lists(st.tuples(st.booleans(), st.integers(1, 7)), min_size=25, max_size=25)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations, pulls=pulls)
def test_incremental_pulls_converge_on_what_the_rep_may_see(
    tmp_path_factory: pytest.TempPathFactory,
    template: Path,
    ops: list[tuple[object, ...]],
    pulls: list[tuple[bool, int]],
) -> None:
    """After each step, each device may pull one page (`pulls`: whether, and its size)."""
    path = tmp_path_factory.mktemp("prop") / "hub.db"
    shutil.copy(template, path)
    db = Database(sqlite_url(path))
    try:
        with db.write() as s:
            s.add_all(m.Rep(id=r, email=f"{r}@x.test", name=r, password_hash="x") for r in REPS)
        leads: list[str] = []
        campaigns: list[str] = []
        devices = {r: Device(r) for r in REPS}
        for step, op in enumerate(ops):
            kind = op[0]
            if kind == "lead":
                leads.append(seed.add_lead(db, op[1], first_name="L"))  # type: ignore[arg-type]
            elif kind == "campaign":
                if len(campaigns) <= op[1]:  # type: ignore[operator]
                    campaigns.append(seed.add_campaign(db, "C"))
                else:
                    with db.write() as s:
                        camp = s.get(m.Campaign, campaigns[op[1]])  # type: ignore[index]
                        assert camp is not None
                        camp.version += 1
                        changes.touch_global(s, "campaign", camp.id, camp.version)
            elif kind == "bulk" and leads:
                with db.write() as s:
                    picked = {leads[i % len(leads)] for i in op[1]}  # type: ignore[attr-defined]
                    chosen = [s.get(m.Lead, i) for i in sorted(picked)]
                    alive = [lead for lead in chosen if lead is not None and not lead.deleted]
                    changes.reassign_leads(s, alive, op[2])  # type: ignore[arg-type]
            elif leads:
                lead_id = leads[op[1] % len(leads)]  # type: ignore[operator]
                _apply(db, kind, lead_id, op)
            for offset, device in enumerate(devices.values()):
                pull_now, limit = pulls[(step + offset) % len(pulls)]
                if pull_now:
                    device.pull(db, limit)
        for rep, device in devices.items():
            device.pull(db, 3, to_the_end=True)
            fresh = Device(rep)
            fresh.pull(db, 1000, to_the_end=True)
            expected = truth(db, rep)
            assert device.state == expected
            assert fresh.state == expected
    finally:
        db.dispose()


def _apply(db: Database, kind: object, lead_id: str, op: tuple[object, ...]) -> None:
    with db.write() as s:
        lead = s.get(m.Lead, lead_id)
        assert lead is not None
        if kind == "update" and not lead.deleted:
            lead.score += 1
            lead.version += 1
            changes.touch_lead(s, lead)
        elif kind == "reassign" and not lead.deleted:
            changes.reassign_lead(s, lead, op[2])  # type: ignore[arg-type]
        elif kind == "event":
            ev = m.NurtureEvent(lead_id=lead_id, type="web_visit", occurred_at=utcnow())
            s.add(ev)
            s.flush()
            changes.touch_lead_item(s, "nurture_event", ev.id, lead, ev.version)
        elif kind == "note" and lead.owner_rep_id is not None:
            note = m.CallNote(
                id=new_id(),
                lead_id=lead_id,
                rep_id=lead.owner_rep_id,
                mutation_id=new_id(),
                body="n",
                created_at=utcnow(),
            )
            s.add(note)
            s.flush()
            changes.touch_lead_item(s, "call_note", note.id, lead, note.version)
        elif kind == "delete":
            changes.delete_lead(s, lead)
