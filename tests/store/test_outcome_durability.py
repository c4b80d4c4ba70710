"""Recording the hub's answers to a push waits for no disk flush (issue 9: one fsync per
batch sat between the hub's answer and the next batch); everything else stays fully
durable.

A lost outcome is safe: after a power cut the item is pending again, is sent again, and
the hub answers `duplicate` (or its recorded conflict), so nothing applies twice. Every
other write (a rep's note, the outbox row beside it, `take_for_push`'s stamp) still
commits with `synchronous=FULL`.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from repdesk.domain.errors import StoreError
from repdesk.domain.outbox import OutboxState
from repdesk.store import Store
from repdesk.store.api import MutationOutcome
from tests.store.factories import note

FULL, NORMAL = 2, 1


def _synchronous(store: Store) -> int:
    driver = store._conn.connection.driver_connection  # white-box: the real connection
    assert driver is not None
    return int(driver.execute("PRAGMA synchronous").fetchone()[0])


def _levels_at_commit(store: Store) -> list[int]:
    """The `synchronous` level each commit of the store's connection runs with."""
    seen: list[int] = []

    def on_commit(_conn: Any) -> None:
        seen.append(_synchronous(store))

    event.listen(store._engine, "commit", on_commit)
    return seen


def test_outcomes_commit_without_a_flush_and_other_writes_stay_full(seeded: Store) -> None:
    seen = _levels_at_commit(seeded)
    seeded.add_call_note(note("L1", "first"))
    [item] = seeded.take_for_push(10)
    seeded.apply_outcomes([MutationOutcome(item.id, OutboxState.APPLIED, server_version=3)])
    seeded.add_call_note(note("L1", "second"))
    assert seen == [FULL, FULL, NORMAL, FULL]
    assert _synchronous(seeded) == FULL
    assert [i.state for i in seeded.outbox()] == [OutboxState.APPLIED, OutboxState.PENDING]


def test_a_failed_outcome_write_leaves_the_connection_fully_durable(
    seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fault injected precisely (the outcome write raises) to see the level restored."""
    seeded.add_call_note(note("L1", "first"))
    [item] = seeded.take_for_push(10)

    def broken(*_args: Any) -> None:
        raise StoreError("disk trouble")

    monkeypatch.setattr("repdesk.store.outbox.apply_outcomes", broken)
    with pytest.raises(StoreError):
        seeded.apply_outcomes([MutationOutcome(item.id, OutboxState.APPLIED)])
    assert _synchronous(seeded) == FULL
    assert [i.state for i in seeded.outbox()] == [OutboxState.PENDING]
