"""Push batches: one transaction per batch, one savepoint per mutation. A mutation that
fails after writing keeps nothing (not its rows, change-log or record); a failure that
ends the batch keeps none of it, and the resent batch applies whole."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from tests.hub.helpers import note, pull_all, push, state_of
from tests.support.world import World

from repdesk.hub.db import models as m
from repdesk.hub.embedded import EmbeddedHub
from repdesk.hub.sync import push_effects

Clients = Callable[[str], httpx.Client]


def counts(embedded_hub: EmbeddedHub) -> tuple[int, int, int]:
    with embedded_hub.state.db.read() as s:
        return tuple(  # type: ignore[return-value]
            int(s.scalar(select(func.count()).select_from(model)) or 0)
            for model in (m.CallNote, m.ProcessedMutation, m.ChangeLog)
        )


def fail_after_apply(
    monkeypatch: pytest.MonkeyPatch, mutation_id: str, exc: Callable[[], Exception]
) -> None:
    real = push_effects.apply_effect

    def apply_then_fail(session: Any, **kw: Any) -> Any:
        outcome = real(session, **kw)
        if kw["mutation"].id == mutation_id:
            session.flush()  # the effect is in the database, its change-log rows queued
            raise exc()
        return outcome

    monkeypatch.setattr(push_effects, "apply_effect", apply_then_fail)


def test_a_mutation_rejected_after_writing_keeps_nothing_and_the_rest_apply(
    world: World,
    embedded_hub: EmbeddedHub,
    client_for: Clients,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fault injected (mock): the middle mutation is rejected only AFTER its note and
    change-log rows were flushed, so only the savepoint can undo them."""
    ada = client_for(world.ada.email)
    lead = world.ada.leads[0]
    _, cursor = pull_all(ada)
    before = counts(embedded_hub)
    batch = [note(lead, "one"), note(lead, "two"), note(lead, "three")]
    fail_after_apply(
        monkeypatch, batch[1]["id"], lambda: push_effects.Rejected("boom", "Injected.")
    )
    statuses = [r["status"] for r in push(ada, *batch)]
    assert statuses == ["applied", "rejected", "applied"]
    notes, records, _ = counts(embedded_hub)
    assert (notes, records) == (before[0] + 2, before[1] + 2)
    got = state_of(pull_all(ada, cursor)[0])
    assert set(got) == {("call_note", batch[0]["entity_id"]), ("call_note", batch[2]["entity_id"])}
    with embedded_hub.state.db.read() as s:
        assert s.get(m.ProcessedMutation, batch[1]["id"]) is None
        assert s.get(m.CallNote, batch[1]["entity_id"]) is None
    monkeypatch.undo()
    # Not recorded, so the retry is judged afresh and applies.
    assert push(ada, batch[1])[0]["status"] == "applied"


def test_a_failure_that_ends_the_batch_keeps_none_of_it_and_a_resend_applies_it(
    world: World,
    embedded_hub: EmbeddedHub,
    client_for: Clients,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fault injected (mock): an unexpected error in the third mutation, like a crash
    before the batch's commit."""
    ada = client_for(world.ada.email)
    lead = world.ada.leads[1]
    before = counts(embedded_hub)
    batch = [note(lead, f"note {i}") for i in range(4)]
    fail_after_apply(monkeypatch, batch[2]["id"], lambda: RuntimeError("disk on fire"))
    doomed = client_for(world.ada.email)  # its connection may be dropped after the 500
    try:
        status = doomed.post(
            "/v1/sync/push", json={"client_id": "device-1", "mutations": batch}
        ).status_code
    except httpx.TransportError:  # the server may drop the connection after its 500
        status = 500
    assert status == 500
    assert counts(embedded_hub) == before
    monkeypatch.undo()
    assert [x["status"] for x in push(ada, *batch)] == ["applied"] * 4
    assert [x["status"] for x in push(ada, *batch)] == ["duplicate"] * 4


def test_the_same_mutation_twice_in_one_batch_applies_once(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    ada = client_for(world.ada.email)
    once = note(world.ada.leads[2], "only once")
    before = counts(embedded_hub)
    assert [x["status"] for x in push(ada, once, once)] == ["applied", "duplicate"]
    assert counts(embedded_hub)[0] == before[0] + 1
