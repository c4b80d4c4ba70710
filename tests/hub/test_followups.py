"""`followup.set`: a rep's call-backs kept by the hub, exactly once, the latest change
winning, pulled by the rep's other devices (and a new owner's), and in feedback export."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import func, select
from tests.hub.helpers import mutation, note, pull_all, push, state_of
from tests.support import hub_rows as seed
from tests.support.world import World

from repdesk.domain.ids import new_id
from repdesk.hub import admin
from repdesk.hub.db import models as m
from repdesk.hub.embedded import EmbeddedHub

Clients = Callable[[str], httpx.Client]
DUE = "2026-02-03T15:30:00Z"


def followup(
    lead: str,
    followup_id: str,
    action: str = "create",
    *,
    due: str = DUE,
    reason: str = "Send pricing for 25 seats",
    at: str = "2026-02-01T10:00:00Z",
    **kw: Any,
) -> dict[str, Any]:
    state = {"complete": "done", "cancel": "cancelled"}.get(action, "open")
    payload = {"action": action, "due_at": due, "reason": reason, "state": state}
    return mutation("followup.set", lead, payload, entity_id=followup_id, recorded_at=at, **kw)


def rows(embedded_hub: EmbeddedHub) -> list[m.FollowUpRow]:
    with embedded_hub.state.db.read() as s:
        found = list(s.scalars(select(m.FollowUpRow)))
        s.expunge_all()
        return found


def test_a_followup_is_kept_changed_and_pulled_by_the_other_device_once(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    laptop, desktop = client_for(world.ada.email), client_for(world.ada.email)
    _, cursor = pull_all(desktop)
    lead, fid = world.ada.leads[0], new_id()
    create = followup(lead, fid)
    moved = followup(lead, fid, "update", due="2026-02-04T09:00:00Z", at="2026-02-01T11:00:00Z")
    results = push(laptop, create, moved)
    assert [(r["status"], r["server_version"]) for r in results] == [("applied", 1), ("applied", 2)]

    got = state_of(pull_all(desktop, cursor)[0])
    data = got[("followup", fid)]
    assert data["version"] == 2
    assert data["data"]["due_at"].startswith("2026-02-04T09:00:00")
    assert data["data"]["state"] == "open"
    assert data["data"]["reason"] == "Send pricing for 25 seats"

    # The same mutations again (a retried push): nothing applies twice.
    again = push(laptop, create, moved)
    assert [r["status"] for r in again] == ["duplicate", "duplicate"]
    assert [r["server_version"] for r in again] == [1, 2]
    [row] = rows(embedded_hub)
    assert row.version == 2 and row.last_action == "update"
    with embedded_hub.state.db.read() as s:
        recorded = s.scalar(
            select(func.count())
            .select_from(m.ProcessedMutation)
            .where(m.ProcessedMutation.kind == "followup.set")
        )
    assert recorded == 2

    done = followup(lead, fid, "complete", due="2026-02-04T09:00:00Z", at="2026-02-04T09:20:00Z")
    [result] = push(desktop, done, client_id="device-2")
    assert (result["status"], result["server_version"]) == ("applied", 3)
    assert state_of(pull_all(laptop)[0])[("followup", fid)]["data"]["state"] == "done"


def test_the_change_the_rep_made_last_wins_whatever_order_devices_send(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    laptop, desktop = client_for(world.ada.email), client_for(world.ada.email)
    lead, fid = world.ada.leads[1], new_id()
    push(laptop, followup(lead, fid))
    # The desktop cancelled it at 12:00; the laptop had moved it at 11:00, and its pull
    # passed the cancel while that change was still waiting to go (the client keeps its
    # own unsent change over what it pulls).
    cancel = followup(lead, fid, "cancel", at="2026-02-01T12:00:00Z")
    push(desktop, cancel, client_id="device-2")
    _, laptop_cursor = pull_all(laptop)
    stale = followup(lead, fid, "update", due="2026-02-05T10:00:00Z", at="2026-02-01T11:00:00Z")
    [result] = push(laptop, stale)
    assert result["status"] == "applied"
    assert result["detail"] == {"superseded": True}
    assert result["server_version"] == 2
    [row] = rows(embedded_hub)
    assert row.state == "cancelled" and row.version == 2
    # The laptop pulls the state that won again, although its cursor is past the cancel:
    # the follow-up is logged again for it.
    changed = state_of(pull_all(laptop, laptop_cursor)[0])
    assert changed[("followup", fid)]["data"]["state"] == "cancelled"
    assert changed[("followup", fid)]["version"] == 2


def test_refusals_change_nothing(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    ada = client_for(world.ada.email)
    lead, fid = world.ada.leads[2], new_id()
    unknown = followup(lead, new_id(), "complete")
    mismatched = followup(lead, new_id())
    mismatched["payload"]["state"] = "done"
    too_long = followup(lead, new_id(), reason="x" * 2001)
    not_hers = followup(world.bob.leads[0], new_id())
    create = followup(lead, fid)
    create_again = followup(lead, fid)  # another mutation creating the same follow-up
    results = push(ada, unknown, mismatched, too_long, not_hers, create, create_again)
    assert [r["status"] for r in results] == ["rejected"] * 4 + ["applied", "rejected"]
    codes = [r["detail"].get("code") for r in results]
    assert codes == [
        "unknown_followup",
        "invalid_payload",
        "invalid_payload",
        "not_found",
        None,
        "duplicate_entity",
    ]
    assert all(isinstance(r["detail"].get("reason", ""), str) for r in results)
    assert [r.id for r in rows(embedded_hub)] == [fid]


def test_an_old_client_kind_name_is_refused_as_an_envelope_error(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    """What an OLDER hub answers to followup.set is an unknown kind: the client keys on
    exactly this shape (invalid_mutation on `kind`) to keep the change queued."""
    ada = client_for(world.ada.email)
    made_up = {**note(world.ada.leads[0]), "kind": "followup.snooze"}
    [result] = push(ada, made_up)
    assert result["status"] == "rejected"
    assert result["detail"]["code"] == "invalid_mutation"
    assert [e["field"] for e in result["detail"]["errors"]] == ["kind"]


def test_a_followup_goes_with_its_lead_to_the_new_owner(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    ada, bob = client_for(world.ada.email), client_for(world.bob.email)
    lead, fid = world.ada.leads[0], new_id()
    push(ada, followup(lead, fid))
    _, ada_cursor = pull_all(ada)
    _, bob_cursor = pull_all(bob)
    seed.reassign(embedded_hub.state.db, lead, world.bob.id)
    assert ("followup", fid) in state_of(pull_all(bob, bob_cursor)[0])
    removed = [c for c in pull_all(ada, ada_cursor)[0] if c["entity"] == "followup"]
    assert [(c["id"], c["op"]) for c in removed] == [(fid, "remove")]
    # Ada completed it offline before she knew: the promise's outcome still arrives.
    later = followup(lead, fid, "complete", at="2026-02-02T10:00:00Z")
    [result] = push(ada, later)
    assert result["status"] == "applied"
    assert state_of(pull_all(bob)[0])[("followup", fid)]["data"]["state"] == "done"


def test_feedback_export_has_each_followup_as_it_is_now(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    ada = client_for(world.ada.email)
    lead, fid = world.ada.leads[0], new_id()
    push(
        ada,
        followup(lead, fid, reason="first plan"),
        followup(lead, fid, "complete", at="2026-02-02T10:00:00Z"),
    )
    out = io.StringIO()
    admin.export_feedback(
        admin.Hub(embedded_hub.config, embedded_hub.state.db, embedded_hub.state.files),
        out,
        fmt="csv",
    )
    found = [r for r in csv.DictReader(io.StringIO(out.getvalue())) if r["kind"] == "followup"]
    assert len(found) == 1
    [row] = found
    assert row["category"] == "done"
    assert row["value"].startswith("2026-02-03T15:30:00")
    assert row["text"] == "Send pricing for 25 seats"
    assert row["rep_email"] == world.ada.email
    assert row["lead_external_id"] == "EXT-0"
    assert row["occurred_at"].startswith("2026-02-02T10:00:00")
