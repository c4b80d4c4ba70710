"""Push: applied, duplicate, id reuse, per-mutation rejection, per-field conflicts, and
that each accepted write comes back to the rep's other devices through pull."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from tests.hub.helpers import mutation, note, pull_all, push, state_of
from tests.support import hub_rows as seed
from tests.support.world import World

from repdesk.hub.db import models as m
from repdesk.hub.embedded import EmbeddedHub

Clients = Callable[[str], httpx.Client]


def qual(lead: str, base: int | None, **fields: Any) -> dict[str, Any]:
    payload = {k: (None if v is None else {"value": v}) for k, v in fields.items()}
    return mutation("qualification.update", lead, {"fields": payload}, base_version=base)


def test_each_kind_applies_and_comes_back_to_another_device(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    laptop, desktop = client_for(world.ada.email), client_for(world.ada.email)
    _, cursor = pull_all(desktop)
    lead = world.ada.leads[0]
    batch = [
        note(lead, "Call went well"),
        qual(lead, 0, budget="yes", need="yes"),
        mutation("objection.create", lead, {"category_code": "price", "verbatim": "Too dear"}),
        mutation(
            "collateral.used", lead, {"collateral_id": world.collateral[0].id, "kind": "sent"}
        ),
        mutation("disposition.set", lead, {"kind": "accept"}),
    ]
    results = push(laptop, *batch)
    assert [r["status"] for r in results] == ["applied"] * 5
    assert results[1]["server_version"] == 1
    assert results[1]["detail"] == {"applied": ["budget", "need"]}

    got = state_of(pull_all(desktop, cursor)[0])
    assert got[("call_note", batch[0]["entity_id"])]["data"]["body"] == "Call went well"
    assert got[("call_note", batch[0]["entity_id"])]["data"]["author_rep_id"] == world.ada.id
    q = got[("qualification", lead)]
    assert q["version"] == 1 and q["data"]["budget"]["value"] == "yes"
    assert q["data"]["field_versions"] == {"budget": 1, "need": 1}
    assert q["data"]["authority"] is None
    assert got[("objection", batch[2]["entity_id"])]["data"]["verbatim"] == "Too dear"
    assert got[("collateral_use", batch[3]["entity_id"])]["data"]["kind"] == "sent"
    assert got[("disposition", batch[4]["entity_id"])]["data"]["kind"] == "accept"
    # Accepting the lead is reflected on the lead itself (marketing's reports read it).
    assert got[("lead", lead)]["data"]["lead_status"] == "qualified"


def test_resending_the_same_mutation_is_a_duplicate_and_changes_nothing(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    ada = client_for(world.ada.email)
    lead = world.ada.leads[0]
    batch = [note(lead), qual(lead, 0, budget="yes")]
    first = push(ada, *batch)
    _, cursor = pull_all(ada)
    notes_before = seed.count_rows(embedded_hub.state.db, m.CallNote)
    second = push(ada, *batch)
    assert [r["status"] for r in second] == ["duplicate", "duplicate"]
    assert [r["server_version"] for r in second] == [r["server_version"] for r in first]
    assert second[1]["detail"]["applied"] == ["budget"]
    assert second[1]["detail"]["original_status"] == "applied"
    assert seed.count_rows(embedded_hub.state.db, m.CallNote) == notes_before
    assert pull_all(ada, cursor)[0] == []  # nothing new for any device


def test_same_id_with_a_different_body_is_rejected(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    ada = client_for(world.ada.email)
    original = note(world.ada.leads[0], "first text")
    push(ada, original)
    changed = {**original, "payload": {"body": "second text"}}
    [result] = push(ada, changed)
    assert result["status"] == "rejected"
    assert result["detail"]["code"] == "id_reused"
    with embedded_hub.state.db.read() as s:
        assert s.get(m.CallNote, original["entity_id"]).body == "first text"  # type: ignore[union-attr]


def test_a_bad_mutation_is_rejected_alone(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    ada = client_for(world.ada.email)
    lead = world.ada.leads[1]
    good1, good2 = note(lead, "one"), note(lead, "two")
    bad_payload = mutation("call_note.create", lead, {"body": ""})
    wrong_types = mutation("objection.create", lead, {"category_code": 7, "severity": "high"})
    unknown_field = mutation("call_note.create", lead, {"body": "x", "colour": "red"})
    unknown_kind = {**note(lead), "kind": "lead.delete"}
    missing_reason = mutation("disposition.set", lead, {"kind": "disqualify"})
    unknown_category = mutation("objection.create", lead, {"category_code": "nope"})
    unknown_collateral = mutation("collateral.used", lead, {"collateral_id": "x", "kind": "shown"})
    results = push(
        ada,
        good1,
        bad_payload,
        wrong_types,
        unknown_field,
        unknown_kind,
        missing_reason,
        unknown_category,
        unknown_collateral,
        good2,
    )
    statuses = [r["status"] for r in results]
    assert statuses == ["applied"] + ["rejected"] * 7 + ["applied"]
    codes = [r["detail"]["code"] for r in results[1:-1]]
    assert codes == [
        "invalid_payload",
        "invalid_payload",
        "invalid_payload",
        "invalid_mutation",
        "reason_required",
        "unknown_category",
        "unknown_collateral",
    ]
    fields = {e["field"] for e in results[2]["detail"]["errors"]}
    assert fields == {"category_code", "severity"}
    assert all(r["detail"]["reason"] for r in results[1:-1])
    # Rejections are not recorded: the rep may fix and retry the same id.
    fixed = {**bad_payload, "payload": {"body": "now with text"}}
    assert push(ada, fixed)[0]["status"] == "applied"


def test_other_reps_lead_answers_exactly_like_a_missing_one(
    world: World, client_for: Clients
) -> None:
    ada = client_for(world.ada.email)
    for kind_mutation in (
        note(world.bob.leads[0]),
        qual(world.bob.leads[0], 0, budget="yes"),
        mutation("disposition.set", world.bob.leads[0], {"kind": "accept"}),
    ):
        missing = {**kind_mutation, "id": kind_mutation["id"] + "-m", "lead_id": "no-such-lead"}
        theirs, made_up = push(ada, kind_mutation, missing)
        assert theirs["status"] == made_up["status"] == "rejected"
        assert theirs["detail"] == made_up["detail"]
        assert theirs["detail"]["code"] == "not_found"


def test_qualification_conflict_reports_both_values_and_applies_the_rest(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    ada = client_for(world.ada.email)
    lead = world.ada.leads[2]
    assert push(ada, qual(lead, 0, budget="yes", need="yes"))[0]["server_version"] == 1
    # Marketing changes budget after the rep last synced (the rep saw version 1).
    theirs_version = seed.set_bant_as_marketing(embedded_hub.state.db, lead, "budget", "no")
    assert theirs_version == 2
    [result] = push(ada, qual(lead, 1, budget="maybe", authority="yes"))
    assert result["status"] == "conflict"
    assert result["server_version"] == 3
    detail = result["detail"]
    assert detail["applied"] == ["authority"]
    [conflict] = detail["conflicts"]
    assert (conflict["field"], conflict["mine"], conflict["theirs"]) == ("budget", "maybe", "no")
    got = state_of(pull_all(ada)[0])[("qualification", lead)]["data"]
    assert got["budget"]["value"] == "no"  # marketing's answer stands
    assert got["authority"]["value"] == "yes"
    assert got["need"]["value"] == "yes"
    assert got["field_versions"] == {"budget": 2, "need": 1, "authority": 3}
    # Having seen version 3, the rep may now overwrite marketing's answer.
    [again] = push(ada, qual(lead, 3, budget="maybe"))
    assert again["status"] == "applied" and again["server_version"] == 4


def test_a_devices_own_earlier_edit_is_not_a_conflict(world: World, client_for: Clients) -> None:
    ada = client_for(world.ada.email)
    lead = world.ada.leads[0]
    first, second = qual(lead, 0, budget="yes"), qual(lead, 0, budget="no")
    assert [r["status"] for r in push(ada, first, second)] == ["applied", "applied"]
    # ...but the same edit from another installation of hers is.
    [other] = push(ada, qual(lead, 0, budget="maybe"), client_id="device-2")
    assert other["status"] == "conflict"
    assert other["detail"]["conflicts"][0]["theirs"] == "no"


def test_clearing_a_field(world: World, client_for: Clients) -> None:
    ada = client_for(world.ada.email)
    lead = world.ada.leads[0]
    push(ada, qual(lead, 0, budget="yes"))
    [cleared] = push(ada, qual(lead, 1, budget=None))
    assert cleared["status"] == "applied"
    data = state_of(pull_all(ada)[0])[("qualification", lead)]["data"]
    assert data["budget"] is None and data["field_versions"]["budget"] == 2


def test_notes_about_a_lead_reassigned_meanwhile_still_arrive(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    ada, bob = client_for(world.ada.email), client_for(world.bob.email)
    lead = world.ada.leads[1]
    seed.reassign(embedded_hub.state.db, lead, world.bob.id)
    late_note = note(lead, "Written offline before the handover")
    late_qual = qual(lead, 0, budget="yes")
    results = push(ada, late_note, late_qual)
    assert results[0]["status"] == "applied"
    assert results[1]["status"] == "rejected"
    assert results[1]["detail"]["code"] == "not_assigned"
    bob_state = state_of(pull_all(bob)[0])
    assert ("call_note", late_note["entity_id"]) in bob_state
    assert ("call_note", late_note["entity_id"]) not in state_of(pull_all(ada)[0])


def test_entity_id_reuse_is_rejected(world: World, client_for: Clients) -> None:
    ada = client_for(world.ada.email)
    first = note(world.ada.leads[0])
    clash = note(world.ada.leads[0], entity_id=first["entity_id"])
    assert [r["status"] for r in push(ada, first, clash)] == ["applied", "rejected"]


def test_a_batch_answers_in_order_and_an_empty_batch_is_fine(
    world: World, client_for: Clients
) -> None:
    ada = client_for(world.ada.email)
    r = ada.post("/v1/sync/push", json={"client_id": "d", "mutations": []})
    assert r.status_code == 200 and r.json() == {"results": []}
    repeated = note(world.ada.leads[0])
    results = push(ada, repeated, repeated)  # the same mutation twice in one batch
    assert [x["status"] for x in results] == ["applied", "duplicate"]


def test_writes_about_a_deleted_lead(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    from repdesk.hub.sync import changes

    ada = client_for(world.ada.email)
    lead = world.ada.leads[2]
    with embedded_hub.state.db.write() as s:
        row = s.get(m.Lead, lead)
        assert row is not None
        changes.delete_lead(s, row)
    late_note, late_qual = note(lead, "Last call"), qual(lead, 0, need="yes")
    results = push(ada, late_note, late_qual)
    assert [r["status"] for r in results] == ["applied", "rejected"]
    assert results[1]["detail"]["code"] == "not_assigned"
    with embedded_hub.state.db.read() as s:
        assert s.get(m.CallNote, late_note["entity_id"]) is not None  # kept for reports
    assert ("call_note", late_note["entity_id"]) not in state_of(pull_all(ada)[0])
