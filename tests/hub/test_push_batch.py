"""Push batches: judged in memory from one read per table, written in bulk in one
savepoint, committed once. A rejected mutation keeps nothing; a batch answers and
leaves exactly what the same mutations sent one request each would; a failure that
ends the batch keeps none of it, and the resent batch applies whole."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, insert, select
from tests.hub.helpers import mutation, note, pull_all, push, state_of
from tests.support.world import World

from repdesk.hub.db import models as m
from repdesk.hub.embedded import EmbeddedHub
from repdesk.hub.sync import push_rows, push_writes
from repdesk.hub.sync.push import body_hash
from repdesk.protocol.schema import Mutation

Clients = Callable[[str], httpx.Client]


def counts(embedded_hub: EmbeddedHub) -> tuple[int, int, int]:
    with embedded_hub.state.db.read() as s:
        return tuple(  # type: ignore[return-value]
            int(s.scalar(select(func.count()).select_from(model)) or 0)
            for model in (m.CallNote, m.ProcessedMutation, m.ChangeLog)
        )


def test_a_rejected_mutation_keeps_nothing_and_the_rest_apply(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    alice = client_for(world.ada.email)
    lead = world.ada.leads[0]
    _, cursor = pull_all(alice)
    before = counts(embedded_hub)
    unknown = mutation("objection.create", lead, {"category_code": "legal", "verbatim": "NDA"})
    batch = [note(lead, "one"), unknown, note(lead, "three")]
    assert [r["status"] for r in push(alice, *batch)] == ["applied", "rejected", "applied"]
    notes, records, _ = counts(embedded_hub)
    assert (notes, records) == (before[0] + 2, before[1] + 2)
    got = state_of(pull_all(alice, cursor)[0])
    assert set(got) == {("call_note", batch[0]["entity_id"]), ("call_note", batch[2]["entity_id"])}
    with embedded_hub.state.db.read() as s:
        assert s.get(m.ProcessedMutation, unknown["id"]) is None
        assert s.get(m.ObjectionRow, unknown["entity_id"]) is None
    # Not recorded, so the retry is judged afresh: marketing added the category since.
    with embedded_hub.state.db.write() as s:
        s.add(m.ObjectionCategory(code="legal", label="Legal"))
    assert push(alice, unknown)[0]["status"] == "applied"


def scenario(lead: str, tag: str, collateral_id: str) -> list[dict[str, Any]]:
    """Mutations whose answers depend on the ones before them in the same batch."""

    def qual(fields: dict[str, Any], **kw: Any) -> dict[str, Any]:
        return mutation("qualification.update", lead, {"fields": fields}, base_version=0, **kw)

    def follow(action: str, at: str, fid: str = f"{tag}-f1") -> dict[str, Any]:
        state = {"complete": "done", "cancel": "cancelled"}.get(action, "open")
        payload = {"action": action, "due_at": at, "reason": f"{action} {at}", "state": state}
        return mutation(
            "followup.set", lead, payload, entity_id=fid, recorded_at=at, mutation_id=f"{tag}-{at}"
        )

    first = note(lead, "first", entity_id=f"{tag}-n1", mutation_id=f"{tag}-m1")
    return [
        first,
        note(lead, "same entity", entity_id=f"{tag}-n1", mutation_id=f"{tag}-m2"),
        qual({"budget": {"value": "no"}, "need": {"value": "yes"}}, mutation_id=f"{tag}-q1"),
        qual({"need": {"value": "no"}}, mutation_id=f"{tag}-q2"),
        follow("create", "2026-02-01T10:00:00Z"),
        follow("update", "2026-02-01T12:00:00Z"),
        follow("update", "2026-02-01T11:00:00Z"),
        follow("complete", "2026-02-01T13:00:00Z", fid=f"{tag}-f2"),
        mutation(
            "disposition.set",
            lead,
            {"kind": "return_to_nurture", "reason": "later"},
            entity_id=f"{tag}-d1",
            mutation_id=f"{tag}-d1",
        ),  # fmt: skip
        mutation(
            "disposition.set",
            lead,
            {"kind": "accept"},
            entity_id=f"{tag}-d2",
            mutation_id=f"{tag}-d2",
        ),  # fmt: skip
        mutation("disposition.set", lead, {"kind": "disqualify"}, mutation_id=f"{tag}-d3"),
        mutation(
            "objection.create",
            lead,
            {"category_code": "price"},
            entity_id=f"{tag}-o1",
            mutation_id=f"{tag}-o1",
        ),  # fmt: skip
        mutation("objection.create", lead, {"category_code": "nope"}, mutation_id=f"{tag}-o2"),
        mutation(
            "collateral.used",
            lead,
            {"collateral_id": collateral_id, "kind": "sent"},
            entity_id=f"{tag}-c1",
            mutation_id=f"{tag}-c1",
        ),  # fmt: skip
        first,
        {**first, "payload": {"body": "another body"}},
    ]


def test_a_batch_answers_and_leaves_what_one_request_each_would(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    """Each mutation is judged against what the ones before it in the same batch did."""
    alice = client_for(world.ada.email)
    one, each = world.ada.leads[0], world.ada.leads[1]
    for lead in (one, each):  # another device answered budget first: a conflict below
        budget = {"fields": {"budget": {"value": "yes"}}}
        push(alice, mutation("qualification.update", lead, budget), client_id="device-2")
    _, cursor = pull_all(alice)
    batched = push(alice, *scenario(one, "A", world.collateral[0].id))
    singly = [push(alice, mu)[0] for mu in scenario(each, "B", world.collateral[0].id)]

    def same(results: list[dict[str, Any]]) -> list[Any]:
        return [{k: v for k, v in r.items() if k != "id"} for r in results]

    assert same(batched) == same(singly)
    assert [r["status"] for r in batched] == [
        "applied", "rejected", "conflict", "applied", "applied", "applied", "applied",
        "rejected", "applied", "applied", "rejected", "applied", "rejected", "applied",
        "duplicate", "rejected",
    ]  # fmt: skip
    assert batched[6]["detail"] == {"superseded": True}

    def lead_state(lead: str, tag: str) -> str:
        changes = [
            c for c in pull_all(alice, cursor)[0]
            if c["id"] == lead or (c.get("data") or {}).get("lead_id") == lead
        ]  # fmt: skip

        def kept(entity: str, data: dict[str, Any]) -> dict[str, Any]:
            if entity == "lead":  # the two leads differ by name; pushes change the status
                return {"lead_status": data["lead_status"]}
            return {k: v for k, v in data.items()
                    if not k.endswith(("_at", "id")) or k in ("due_at", "recorded_at")}  # fmt: skip

        state = {
            "/".join(key): {"op": c["op"], "version": c["version"],
                            "data": kept(c["entity"], c.get("data") or {})}
            for key, c in state_of(changes).items()
        }  # fmt: skip
        return (
            json.dumps(state, sort_keys=True, default=str)
            .replace(lead, "LEAD")
            .replace(f"{tag}-", "T-")
        )

    left = lead_state(one, "A")
    assert left == lead_state(each, "B")
    for entity in ("lead", "call_note", "qualification", "followup", "disposition", "objection",
                   "collateral_use"):  # fmt: skip
        assert f'"{entity}/' in left


def test_a_failure_that_ends_the_batch_keeps_none_of_it_and_a_resend_applies_it(
    world: World,
    embedded_hub: EmbeddedHub,
    client_for: Clients,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fault injected (mock): an unexpected error after the batch's rows were written,
    like a crash before its commit."""
    alice = client_for(world.ada.email)
    lead = world.ada.leads[1]
    before = counts(embedded_hub)
    batch = [note(lead, f"note {i}") for i in range(4)]
    real = push_writes.write

    def write_then_fail(session: Any, *args: Any) -> None:
        real(session, *args)
        session.flush()
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(push_writes, "write", write_then_fail)
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
    assert [x["status"] for x in push(alice, *batch)] == ["applied"] * 4
    assert [x["status"] for x in push(alice, *batch)] == ["duplicate"] * 4


def test_a_row_the_reads_did_not_show_is_judged_again_from_fresh_reads(
    world: World,
    embedded_hub: EmbeddedHub,
    client_for: Clients,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fault injected (mock): between the batch's reads and its writes, the second
    mutation is applied and recorded by another writer (a replay of the batch racing
    it). The bulk write then meets that row; the batch is judged again from fresh reads
    and answers `duplicate` for it, applying nothing twice."""
    alice = client_for(world.ada.email)
    lead = world.ada.leads[2]
    batch = [note(lead, f"raced {i}") for i in range(3)]
    raced = Mutation.model_validate(batch[1])
    real = push_rows.load
    calls: list[int] = []

    def load_then_race(session: Any, rep_id: str, mutations: Any) -> Any:
        rows = real(session, rep_id, mutations)
        calls.append(len(calls))
        if len(calls) == 1:
            session.execute(insert(m.CallNote), [{
                "id": raced.entity_id, "lead_id": lead, "rep_id": rep_id,
                "mutation_id": raced.id, "body": "raced 1", "created_at": raced.recorded_at,
            }])  # fmt: skip
            session.execute(insert(m.ProcessedMutation), [{
                "mutation_id": raced.id, "client_id": "device-1", "rep_id": rep_id,
                "body_hash": body_hash(rep_id, raced), "kind": raced.kind.value,
                "lead_id": lead, "status": "applied", "server_version": 1, "detail": {},
            }])  # fmt: skip
        return rows

    monkeypatch.setattr(push_rows, "load", load_then_race)
    before = counts(embedded_hub)
    results = push(alice, *batch)
    assert [r["status"] for r in results] == ["applied", "duplicate", "applied"]
    assert results[1]["detail"] == {"original_status": "applied"}
    assert len(calls) == 2
    notes, records, _ = counts(embedded_hub)
    assert (notes, records) == (before[0] + 3, before[1] + 3)


def test_the_same_mutation_twice_in_one_batch_applies_once(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    alice = client_for(world.ada.email)
    once = note(world.ada.leads[2], "only once")
    before = counts(embedded_hub)
    assert [x["status"] for x in push(alice, once, once)] == ["applied", "duplicate"]
    assert counts(embedded_hub)[0] == before[0] + 1
