"""Hub writers without a global lock, on real PostgreSQL: pushes of different reps run at
the same time, pulls stay gap-free and ordered when a transaction commits late, and one
rep's concurrent pushes still see each other (version and conflict checks).

Skipped, visibly, without REPDESK_TEST_PG_URL (CI sets it)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from tests.hub.helpers import mutation, note
from tests.support import hub_rows
from tests.support.hub_fixtures import PASSWORD, new_hub, pg_schema_url

from repdesk.hub.config import HubConfig
from repdesk.hub.db import models as m
from repdesk.hub.db.engine import IDLE_IN_TRANSACTION_TIMEOUT, Database
from repdesk.hub.sync import changes
from repdesk.hub.sync.cursor import START, Position
from repdesk.hub.sync.pull import pull_page
from repdesk.hub.sync.push import push_batch
from repdesk.protocol.schema import Mutation, PushStatus

GUARD = 60.0
"""Seconds a thread may take before the test fails instead of hanging (never a pacing)."""


class CommitsLate(Database):
    """A precise fault: this Database's writing transactions do all their work (the
    writers lock, the xid, the rows), then wait for `release` before committing, so a
    transaction that began first commits after later ones."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.written = threading.Event()
        self.release = threading.Event()

    @contextmanager
    def write(self, **kw: Any) -> Iterator[Session]:
        with super().write(**kw) as session:
            yield session
            session.flush()
            self.written.set()
            assert self.release.wait(GUARD), "the test never released the held transaction"


@dataclass
class Puller:
    """A device of `rep` pulling from its cursor: what it got, in order."""

    db: Database
    rep: str
    cursor: Position = START
    got: list[tuple[str, str]] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)

    def pull(self) -> None:
        while True:
            with self.db.read() as s:
                page = pull_page(s, self.rep, self.cursor, 7)
            self.got += [(c["entity"], c["id"]) for c in page.changes]
            if page.changes:
                assert page.last > self.cursor
                self.positions.append(page.last)
            self.cursor = page.last
            if not page.has_more:
                return


def _push(db: Database, rep: str, device: str, *bodies: dict[str, Any]) -> list[str]:
    mutations = [Mutation.model_validate(b) for b in bodies]
    return [r.status.value for r in push_batch(db, rep, device, mutations)]


def _in_thread(target: Any, *args: Any) -> tuple[threading.Thread, list[Any]]:
    out: list[Any] = []

    def run() -> None:
        out.append(target(*args))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def _waits_for_a_lock(db: Database, thread: threading.Thread) -> bool:
    """Whether a connection of this process comes to wait for a lock while `thread` runs
    (polled: the state is in pg_stat_activity, and the thread ends if it never waits)."""
    mine = f"repdesk-hub pid {os.getpid()}"
    deadline = time.monotonic() + GUARD
    while thread.is_alive() and time.monotonic() < deadline:
        with db.read() as s:
            found = s.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND application_name = :me"
                ),
                {"me": mine},
            )
        if found:
            return True
        thread.join(0.01)  # paces the polling; returns at once if the thread ended
    return False


@pytest.fixture
def pg_db(pg_url: str, tmp_path: Path, password_hash: str) -> Iterator[tuple[Database, str]]:
    for url in pg_schema_url(pg_url):
        with new_hub(HubConfig.resolve(tmp_path / "hub", database_url=url)) as hub:
            yield hub.db, url


def test_a_late_commit_is_pulled_once_in_order_while_other_reps_push_in_parallel(
    pg_db: tuple[Database, str], password_hash: str
) -> None:
    db, url = pg_db
    reps = {
        name: hub_rows.add_rep(db, f"{name}@example.test", PASSWORD, password_hash=password_hash)
        for name in ("ann", "ben", "cal", "dee")
    }
    leads = {name: [hub_rows.add_lead(db, rep) for _ in range(3)] for name, rep in reps.items()}
    # Dee owned this lead, then it went to Ann: Dee's notes about it still reach the hub
    # and are Ann's to pull.
    handed_over = hub_rows.add_lead(db, reps["dee"])
    hub_rows.reassign(db, handed_over, reps["ann"])
    pullers = {name: Puller(db, reps[name]) for name in ("ann", "ben", "cal")}
    for puller in pullers.values():
        puller.pull()

    held = CommitsLate(url)
    try:
        late_note = note(handed_over, "Written first, committed last")
        late, late_status = _in_thread(_push, held, reps["dee"], "dee-laptop", late_note)
        assert held.written.wait(GUARD)  # Dee's transaction holds its xid and its rows

        # Other reps push while Dee's transaction is open: on one global writer lock they
        # would wait for it; here each commits.
        sent: dict[str, list[str]] = {"ann": [], "ben": [], "cal": []}
        writers = []
        for name in sent:
            bodies = [note(lead, f"{name} {i}") for i, lead in enumerate(leads[name])]
            sent[name] = [b["entity_id"] for b in bodies]
            writers.append(_in_thread(_push, db, reps[name], f"{name}-pc", *bodies))
        for thread, statuses in writers:
            thread.join(GUARD)
            assert not thread.is_alive(), "a push waited for another rep's transaction"
            assert statuses == [["applied"] * 3]
        assert late.is_alive()  # still open: the pushes above overlapped it
        with db.read() as s:
            committed = set(s.scalars(select(m.CallNote.id)))
        assert set(sent["ann"] + sent["ben"] + sent["cal"]) <= committed
        assert late_note["entity_id"] not in committed

        # While it is open, no puller moves past it (Ann's later notes wait too).
        for puller in pullers.values():
            puller.pull()
        assert not any(e == "call_note" for e, _ in pullers["ann"].got)
    finally:
        held.release.set()
        late.join(GUARD)
        held.dispose()
    assert late_status == [["applied"]]

    for puller in pullers.values():
        puller.pull()
    ann_notes = [i for e, i in pullers["ann"].got if e == "call_note"]
    # Every change exactly once, the late one first (its transaction began first).
    assert ann_notes == [late_note["entity_id"], *sent["ann"]]
    for name in ("ben", "cal"):
        assert [i for e, i in pullers[name].got if e == "call_note"] == sent[name]
    for puller in pullers.values():
        assert len(puller.got) == len(set(puller.got))
        assert puller.positions == sorted(puller.positions)


def test_two_pushes_of_one_lead_at_once_give_one_conflict_and_lose_nothing(
    pg_db: tuple[Database, str], password_hash: str
) -> None:
    db, _url = pg_db
    rep = hub_rows.add_rep(db, "ann@example.test", PASSWORD, password_hash=password_hash)
    lead = hub_rows.add_lead(db, rep)
    barrier = threading.Barrier(2)

    def answer(value: str) -> list[str]:
        body = mutation(
            "qualification.update", lead, {"fields": {"budget": {"value": value}}}, base_version=0
        )
        barrier.wait(GUARD)
        return _push(db, rep, f"device-{value}", body)

    threads = [_in_thread(answer, value) for value in ("yes", "no")]
    for thread, _ in threads:
        thread.join(GUARD)
        assert not thread.is_alive()
    statuses = sorted(out[0][0] for _, out in threads)
    assert statuses == [PushStatus.APPLIED.value, PushStatus.CONFLICT.value]
    winner = next(
        v for (_, out), v in zip(threads, ("yes", "no"), strict=True) if out[0] == ["applied"]
    )
    with db.read() as s:
        qualification = s.get(m.Qualification, lead)
        fields = s.scalars(select(m.QualificationField).where(m.QualificationField.lead_id == lead))
        values = {f.dimension: f.value for f in fields}
    assert qualification is not None and qualification.version == 1
    assert values == {"budget": winner}


def test_a_transaction_left_open_elsewhere_on_the_server_does_not_hold_pulls_back(
    pg_db: tuple[Database, str], pg_url: str, password_hash: str
) -> None:
    """Another hub's schema (or anything else on the server) with a writing transaction
    open: this hub's pulls still get what was committed here since (the horizon counts
    only this schema's writers, not the server-wide oldest transaction)."""
    db, _url = pg_db
    rep = hub_rows.add_rep(db, "ann@example.test", PASSWORD, password_hash=password_hash)
    puller = Puller(db, rep)
    puller.pull()
    for other_url in pg_schema_url(pg_url):
        other = Database(other_url)
        try:
            with other.write() as elsewhere:
                elsewhere.execute(text("CREATE TABLE busy (x int)"))
                elsewhere.execute(text("INSERT INTO busy VALUES (1)"))  # holds an xid
                lead = hub_rows.add_lead(db, rep)
                puller.pull()
                assert ("lead", lead) in puller.got
        finally:
            other.dispose()


def test_a_puller_looping_beside_four_writers_gets_every_change_once_in_order(
    pg_db: tuple[Database, str], password_hash: str
) -> None:
    """Ann's audience is written by two writers at once (Ann, and Dee, the ex-owner of
    some of Ann's leads, pushing feedback about them), next to Ben and Cal; a puller
    loops on Ann's cursor the whole time."""
    db, _url = pg_db
    reps = {
        name: hub_rows.add_rep(db, f"{name}@example.test", PASSWORD, password_hash=password_hash)
        for name in ("ann", "ben", "cal", "dee")
    }
    leads = {name: [hub_rows.add_lead(db, rep) for _ in range(3)] for name, rep in reps.items()}
    for lead in leads["dee"]:
        hub_rows.reassign(db, lead, reps["ann"])
    puller = Puller(db, reps["ann"])
    puller.pull()
    stop = threading.Event()
    sent: dict[str, list[str]] = {name: [] for name in reps}

    def write(name: str) -> None:
        for batch in range(6):
            bodies = [note(lead, f"{name} {batch}.{i}") for i, lead in enumerate(leads[name])]
            sent[name] += [b["entity_id"] for b in bodies]
            assert _push(db, reps[name], f"{name}-pc", *bodies) == ["applied"] * len(bodies)

    def follow() -> None:
        while not stop.is_set():
            puller.pull()

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()
    writers = [_in_thread(write, name) for name in reps]
    for thread, _ in writers:
        thread.join(GUARD)
        assert not thread.is_alive()
    stop.set()
    follower.join(GUARD)
    puller.pull()
    notes = [i for e, i in puller.got if e == "call_note"]
    assert sorted(notes) == sorted(sent["ann"] + sent["dee"])  # every one, once
    assert puller.positions == sorted(puller.positions)
    # Each writer's own changes arrive in the order it committed them.
    for name in ("ann", "dee"):
        assert [i for i in notes if i in set(sent[name])] == sent[name]


def test_a_hub_transaction_left_idle_is_ended_by_the_server_in_the_end(
    pg_db: tuple[Database, str],
) -> None:
    """A stuck writer cannot hold pulls back for ever: the server ends a hub transaction
    idle for IDLE_IN_TRANSACTION_TIMEOUT."""
    db, _url = pg_db
    with db.read() as s:
        timeout = s.scalar(text("SHOW idle_in_transaction_session_timeout"))
    assert timeout == IDLE_IN_TRANSACTION_TIMEOUT


def test_two_transactions_logging_one_key_at_once_take_turns_and_leave_the_later(
    pg_db: tuple[Database, str], password_hash: str
) -> None:
    """The change log keeps one row per key: two writers logging the same key at once
    (here under two rep locks, so nothing else orders them) must not fail on the unique
    key, as a delete + insert each would; the second waits for the first's row."""
    db, url = pg_db
    rep = hub_rows.add_rep(db, "ann@example.test", PASSWORD, password_hash=password_hash)
    lead = hub_rows.add_lead(db, rep)
    puller = Puller(db, rep)
    puller.pull()
    held = CommitsLate(url)

    def log(database: Database, writer: str, version: int) -> None:
        with database.write(rep_id=writer) as s:
            changes.touch(s, "lead", lead, rep, version=version, lead_id=lead)

    try:
        first, _ = _in_thread(log, held, "writer-1", 7)
        assert held.written.wait(GUARD)
        second, done = _in_thread(log, db, "writer-2", 8)
        waiting = _waits_for_a_lock(db, second)
    finally:
        held.release.set()
        first.join(GUARD)
        held.dispose()
    second.join(GUARD)
    assert waiting and done == [None]  # it waited, then logged without an error
    with db.read() as s:
        rows = s.execute(
            select(m.ChangeLog.version).where(
                m.ChangeLog.entity == "lead", m.ChangeLog.entity_id == lead
            )
        ).all()
    assert [r.version for r in rows] == [8]
    puller.pull()
    assert puller.got.count(("lead", lead)) == 2  # once at first, once for the new row
