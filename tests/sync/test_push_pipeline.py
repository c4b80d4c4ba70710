"""The outbox push overlaps the client's work with the hub's (`sync/push.py`), yet sends
batches strictly one after another and records every answer it waited for."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence

import pytest

from repdesk.domain.changes import Changes
from repdesk.domain.errors import Interrupted
from repdesk.domain.outbox import OutboxState
from repdesk.domain.qualification import BantAnswer, BantDimension
from repdesk.hub.db import models as m
from repdesk.protocol.schema import PushRequest, PushResponse
from repdesk.store.api import MutationOutcome
from repdesk.sync.http import HubClient
from tests.support import hub_rows as seed
from tests.support.hub_rows import count_rows
from tests.support.sync_fixtures import Client, ClientMaker
from tests.support.world import World
from tests.sync.rep_work import queue_notes


def test_many_batches_arrive_in_order_and_every_answer_is_recorded(
    live_world: World, make_client: ClientMaker
) -> None:
    ada = make_client("ada", push_batch=3)
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    ids = queue_notes(ada.store, live_world.ada.leads[0], 10)

    report = ada.engine.sync()

    assert (report.pushed, report.applied) == (10, 10)
    assert ada.store.outbox_counts().pending == 0
    assert {i.entity_id for i in ada.store.outbox([OutboxState.APPLIED])} >= set(ids)
    for note_id in ids:
        assert count_rows(live_world.hub.db, m.CallNote, id=note_id) == 1
    with live_world.hub.db.read() as s:  # the hub received them in the order they were made
        received = [
            s.get(m.ProcessedMutation, item.id).received_at  # type: ignore[union-attr]
            for item in sorted(ada.store.outbox([OutboxState.APPLIED]), key=lambda i: i.seq)
            if item.entity_id in ids
        ]
    assert received == sorted(received)


def test_cancel_while_a_batch_is_on_its_way_records_its_answer_and_sends_no_more(
    live_world: World, make_client: ClientMaker
) -> None:
    ada = make_client("ada", push_batch=2)
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    queue_notes(ada.store, live_world.ada.leads[0], 5)
    cancel = threading.Event()

    def progress(phase: str, done: int, total: int) -> None:
        if phase == "Sending your changes":
            cancel.set()  # pressed as the first batch leaves

    with pytest.raises(Interrupted):
        ada.engine.sync(progress=progress, cancel=cancel)

    assert count_rows(live_world.hub.db, m.CallNote) == 2
    assert ada.store.outbox_counts().pending == 3
    assert len(ada.store.outbox([OutboxState.APPLIED])) == 2
    assert ada.engine.sync().applied == 3


class _SecondAnswer:
    """Spies on the real client and store (no stand-ins): `answered` is set once the hub
    has answered the second push request of this sync."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.answered = threading.Event()
        self.requests = 0
        real_push = HubClient.push

        def push(client: HubClient, request: PushRequest) -> PushResponse:
            response = real_push(client, request)
            self.requests += 1
            if self.requests == 2:
                self.answered.set()
            return response

        monkeypatch.setattr(HubClient, "push", push)


def test_the_answer_to_one_batch_is_recorded_while_the_next_is_on_its_way(
    live_world: World, make_client: ClientMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = make_client("ada", push_batch=2)
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    ids = queue_notes(ada.store, live_world.ada.leads[0], 4)
    second = _SecondAnswer(monkeypatch)
    real_apply = ada.store.apply_outcomes
    seen_second_answer: list[bool] = []

    def apply_outcomes(outcomes: Sequence[MutationOutcome]) -> Changes:
        if not seen_second_answer:  # recording the first batch's answers
            seen_second_answer.append(second.answered.wait(timeout=10))
        return real_apply(outcomes)

    monkeypatch.setattr(ada.store, "apply_outcomes", apply_outcomes)

    report = ada.engine.sync()

    assert seen_second_answer == [True]  # batch 2 went out before batch 1 was recorded
    assert (report.pushed, report.applied) == (4, 4)
    assert ada.store.outbox_counts().pending == 0
    for note_id in ids:
        assert count_rows(live_world.hub.db, m.CallNote, id=note_id) == 1


def _sync_failing_to_record(ada: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    """One sync whose store fails to record the first batch's answers once the hub has
    answered the next batch too; the store's own `apply_outcomes` is back afterwards."""
    second = _SecondAnswer(monkeypatch)
    real_apply = ada.store.apply_outcomes

    def failing_apply(outcomes: Sequence[MutationOutcome]) -> Changes:
        second.answered.wait(timeout=10)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(ada.store, "apply_outcomes", failing_apply)
    with pytest.raises(Exception):  # noqa: B017 - whatever the engine makes of it
        ada.engine.sync()
    monkeypatch.setattr(ada.store, "apply_outcomes", real_apply)


def test_a_failure_recording_one_batch_while_the_next_is_applied_ends_exactly_once(
    live_world: World, make_client: ClientMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store's `apply_outcomes` is made to fail (a stand-in for a crash or a full disk
    at that exact point) after the hub answered the NEXT batch too: both batches stay
    pending, the next sync sends them again, the hub answers `duplicate`, and every note
    exists once on the hub and is applied once on the client."""
    ada = make_client("ada", push_batch=2)
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    ids = queue_notes(ada.store, live_world.ada.leads[0], 4)
    _sync_failing_to_record(ada, monkeypatch)
    assert ada.store.outbox_counts().pending == 4

    report = ada.engine.sync()

    assert (report.pushed, report.applied, report.rejected) == (4, 4, 0)
    assert ada.store.outbox_counts().pending == 0
    assert {i.entity_id for i in ada.store.outbox([OutboxState.APPLIED])} >= set(ids)
    for note_id in ids:
        assert count_rows(live_world.hub.db, m.CallNote, id=note_id) == 1
    assert count_rows(live_world.hub.db, m.ProcessedMutation) == 4


def test_a_conflict_replayed_after_such_a_failure_is_still_a_conflict(
    live_world: World, make_client: ClientMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As above (the store's `apply_outcomes` made to fail once, after the hub answered
    the next batch): the BANT answer the hub judged a conflict comes back as `duplicate`
    of that conflict, and the rep gets the conflict to resolve, not a silent success."""
    ada = make_client("ada", push_batch=2)
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    lead = live_world.ada.leads[1]
    seed.set_bant_as_marketing(live_world.hub.db, lead, "budget", "none")
    ada.store.update_bant(
        lead, {BantDimension.BUDGET: BantAnswer(BantDimension.BUDGET, "approved", "signed off")}
    )
    ids = queue_notes(ada.store, live_world.ada.leads[0], 3)
    _sync_failing_to_record(ada, monkeypatch)

    report = ada.engine.sync()

    assert (report.pushed, report.applied, report.conflicts) == (4, 3, 1)
    [conflict] = ada.store.conflicts()
    assert (conflict.field, conflict.mine, conflict.theirs) == ("budget", "approved", "none")
    for note_id in ids:
        assert count_rows(live_world.hub.db, m.CallNote, id=note_id) == 1
    with live_world.hub.db.read() as s:
        field = s.get(m.QualificationField, (lead, "budget"))
        assert field is not None and field.value == "none"
