"""The outbox push overlaps the client's work with the hub's (`sync/push.py`), yet sends
batches strictly one after another and records every answer it waited for."""

from __future__ import annotations

import threading

import pytest

from repdesk.domain.errors import Interrupted
from repdesk.domain.outbox import OutboxState
from repdesk.hub.db import models as m
from tests.support.hub_rows import count_rows
from tests.support.sync_fixtures import ClientMaker
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
