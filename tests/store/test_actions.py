"""Rep actions: domain row + outbox row in one transaction, wire-valid payloads, errors mapped."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from repdesk.domain.errors import DiskFullError, StoreError, ValidationError
from repdesk.domain.feedback import (
    CollateralUse,
    Disposition,
    DispositionKind,
    Objection,
    Severity,
    UseKind,
)
from repdesk.domain.ids import new_id
from repdesk.domain.outbox import MutationKind, OutboxState
from repdesk.domain.qualification import BantAnswer, BantDimension, Confidence
from repdesk.protocol.schema import PAYLOAD_MODELS, Mutation
from repdesk.store import Store, actions
from repdesk.store.api import TimelineKind
from tests.store.factories import at, note

B, A, N, T = (
    BantDimension.BUDGET,
    BantDimension.AUTHORITY,
    BantDimension.NEED,
    BantDimension.TIMEFRAME,
)


def _objection() -> Objection:
    return Objection(
        id=new_id(),
        lead_id="L1",
        category_code="price",
        verbatim="Too pricey for us this year",
        created_at=at(70),
        severity=Severity.HIGH,
        competitor="Acme",
    )


def _disposition() -> Disposition:
    return Disposition(
        id=new_id(),
        lead_id="L1",
        kind=DispositionKind.RETURN_TO_NURTURE,
        decided_at=at(80),
        reason="Budget next year",
    )


def _use() -> CollateralUse:
    return CollateralUse(
        id=new_id(), lead_id="L1", collateral_id="col-1", kind=UseKind.SENT, used_at=at(90)
    )


def _wire_valid(store: Store) -> None:
    """Every queued mutation is accepted by the protocol's own models."""
    client_id = store.sync_state().client_id
    for item in store.outbox():
        PAYLOAD_MODELS[item.kind].model_validate(item.payload)
        Mutation(
            id=item.id,
            seq=item.seq,
            kind=item.kind,
            entity_id=item.entity_id,
            lead_id=item.lead_id,
            recorded_at=item.recorded_at,
            base_version=item.base_version,
            payload=item.payload,
        )
        assert client_id


def test_each_action_writes_its_row_and_one_outbox_item(seeded: Store) -> None:
    n = note("L1", "Wants a pilot")
    changes = seeded.add_call_note(n)
    assert changes.outbox and changes.feedback and "L1" in changes.lead_ids
    seeded.add_objection(_objection())
    seeded.set_disposition(_disposition())
    seeded.record_collateral_use(_use())
    q = seeded.update_bant("L1", {N: BantAnswer(N, "critical", "It is on fire")})
    assert q.qualification and q.outbox

    assert [x.body for x in seeded.notes("L1")] == ["Wants a pilot"]
    assert seeded.objections("L1")[0].competitor == "Acme"
    disposition = seeded.disposition("L1")
    assert disposition is not None and disposition.reason == "Budget next year"
    assert [u.collateral_id for u in seeded.collateral_uses("L1")] == ["col-1"]
    need = seeded.bant("L1").need
    assert need is not None and need.value == "critical"

    items = seeded.pending_mutations(100)
    assert [i.kind for i in items] == [
        MutationKind.CALL_NOTE_CREATE,
        MutationKind.OBJECTION_CREATE,
        MutationKind.DISPOSITION_SET,
        MutationKind.COLLATERAL_USED,
        MutationKind.QUALIFICATION_UPDATE,
    ]
    assert [i.seq for i in items] == sorted({i.seq for i in items})
    assert items[0].entity_id == n.id
    assert items[4].payload == {
        "fields": {"need": {"value": "critical", "verbatim": "It is on fire", "confidence": 2}}
    }
    _wire_valid(seeded)
    [row] = seeded.lead_rows(["L1"])
    assert row.unsent == 5
    assert all(e.unsent for e in seeded.timeline("L1"))


def test_update_bant_sends_only_changes_and_uses_the_hub_version(seeded: Store) -> None:
    seeded.apply_pull_page(
        [
            _qualification("L1", 7, {B: BantAnswer(B, "approved", confidence=Confidence.HIGH)}),
        ],
        "c1",
    )
    same = seeded.update_bant("L1", {B: BantAnswer(B, "approved", confidence=Confidence.HIGH)})
    assert same.empty and seeded.outbox() == []
    seeded.update_bant("L1", {B: None, A: BantAnswer(A, "decision_maker")})
    [item] = seeded.outbox()
    assert item.base_version == 7
    assert item.payload == {
        "fields": {
            "budget": None,
            "authority": {"value": "decision_maker", "verbatim": "", "confidence": 2},
        }
    }
    assert seeded.bant("L1").budget is None
    history = seeded.bant_history("L1")
    assert {(h.dimension, h.value) for h in history} >= {(B, ""), (A, "decision_maker")}
    kinds = [e.kind for e in seeded.timeline("L1")]
    assert kinds.count(TimelineKind.QUALIFICATION) == len(history)
    _wire_valid(seeded)


def test_update_bant_recomputes_readiness(seeded: Store) -> None:
    [before] = seeded.lead_rows(["L1"])
    assert not before.ready and "Need" in before.missing
    seeded.update_bant(
        "L1",
        {
            A: BantAnswer(A, "decision_maker"),
            N: BantAnswer(N, "critical"),
            T: BantAnswer(T, "this_quarter"),
        },
    )
    [after] = seeded.lead_rows(["L1"])
    assert after.ready and after.missing == ""


def _qualification(lead_id: str, version: int, answers: dict[BantDimension, BantAnswer]) -> object:
    from repdesk.domain.qualification import Bant
    from repdesk.store.api import RemoteUpsert

    bant = Bant(lead_id=lead_id, **{d.value: a for d, a in answers.items()}, version=version)
    return RemoteUpsert("qualification", lead_id, version, bant)


ACTIONS: dict[str, Callable[[Store], object]] = {
    "note": lambda s: s.add_call_note(note("L1", "never saved")),
    "objection": lambda s: s.add_objection(_objection()),
    "disposition": lambda s: s.set_disposition(_disposition()),
    "collateral_use": lambda s: s.record_collateral_use(_use()),
    "bant": lambda s: s.update_bant("L1", {N: BantAnswer(N, "critical")}),
}


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_a_failing_outbox_insert_leaves_no_domain_row(
    seeded: Store, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Fault injected precisely: the outbox insert (actions.enqueue) is monkeypatched to raise
    AFTER the domain row was written; the whole transaction must roll back."""
    before_touch = seeded.lead_rows(["L1"])[0]

    def broken(*_a: object, **_k: object) -> None:
        raise OSError("injected outbox failure")

    monkeypatch.setattr(actions, "enqueue", broken)
    with pytest.raises(OSError, match="injected"):
        ACTIONS[name](seeded)
    monkeypatch.undo()

    assert seeded.outbox() == []
    assert seeded.notes("L1") == []
    assert seeded.objections("L1") == []
    assert seeded.disposition("L1") is None
    assert seeded.collateral_uses("L1") == []
    assert seeded.bant("L1").need is None and seeded.bant_history("L1") == []
    assert seeded.lead_rows(["L1"])[0] == before_touch
    assert seeded.search("never") == []
    # The store is still usable afterwards.
    ACTIONS[name](seeded)
    assert len(seeded.outbox()) == 1


def test_disk_full_is_reported_as_such_and_nothing_is_half_written(seeded: Store) -> None:
    """Fault injected precisely: PRAGMA max_page_count caps the file at its current size, so
    SQLite itself answers SQLITE_FULL ("database or disk is full") on the next growth."""
    conn = seeded._conn
    with seeded._lock:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
        conn.exec_driver_sql(f"PRAGMA max_page_count = {pages}")
        conn.commit()
    with pytest.raises(DiskFullError, match="disk is full") as info:
        seeded.add_call_note(note("L1", "x" * 200_000))
    assert "nothing you typed was lost" in str(info.value)
    assert seeded.notes("L1") == [] and seeded.outbox() == []
    with seeded._lock:
        conn.exec_driver_sql("PRAGMA max_page_count = 1073741823")
        conn.commit()
    seeded.add_call_note(note("L1", "fits now"))
    assert [n.body for n in seeded.notes("L1")] == ["fits now"]


def test_empty_note_and_uncategorised_objection_are_refused(seeded: Store) -> None:
    with pytest.raises(ValidationError, match="needs some text"):
        seeded.add_call_note(note("L1", "   "))
    with pytest.raises(ValidationError):
        seeded.add_objection(dataclasses.replace(_objection(), category_code=""))
    assert seeded.outbox() == [] and seeded.notes("L1") == []


def test_other_database_failures_become_store_errors(seeded: Store) -> None:
    n = note("L1")
    seeded.add_call_note(n)
    with pytest.raises(StoreError, match="could not read or write") as info:
        seeded.add_call_note(n)  # same id: a constraint violation
    assert not isinstance(info.value, DiskFullError)
    assert len(seeded.outbox()) == 1
    assert [i.state for i in seeded.outbox()] == [OutboxState.PENDING]
