"""A pull page built from Core tuples and written by orjson is byte for byte the page the
ORM objects + pydantic models wrote (`serialize` and `PullResponse.model_dump_json`):
leads, events and the rep's own lead items (call notes, objections, dispositions,
collateral uses, follow-ups)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text, update
from tests.support import hub_rows as seed
from tests.support.world import World

from repdesk.domain.ids import new_id
from repdesk.hub.db import models as m
from repdesk.hub.embedded import EmbeddedHub
from repdesk.hub.sync import page_rows
from repdesk.hub.sync import serialize as ser
from repdesk.protocol.schema import Change, PullResponse

Clients = Callable[[str], httpx.Client]

_LEAD_ITEMS: dict[str, tuple[type[m.Base], Callable[[Any], dict[str, Any]]]] = {
    "call_note": (m.CallNote, ser.call_note_data),
    "objection": (m.ObjectionRow, ser.objection_data),
    "disposition": (m.DispositionRow, ser.disposition_data),
    "collateral_use": (m.CollateralUseRow, ser.collateral_use_data),
    "followup": (m.FollowUpRow, ser.followup_data),
}


def _reference(hub: EmbeddedHub, body: dict[str, Any]) -> bytes:
    """The page the way the hub wrote it before: ORM rows, a pydantic model per row."""
    changes = []
    with hub.state.db.read() as s:
        for c in body["changes"]:
            data = c["data"]
            if c["op"] == "upsert" and c["entity"] == "lead":
                lead = s.get(m.Lead, c["id"])
                assert lead is not None
                data = ser.lead_data(lead)
            elif c["op"] == "upsert" and c["entity"] == "nurture_event":
                event = s.get(m.NurtureEvent, c["id"])
                assert event is not None
                data = ser.event_data(event)
            elif c["op"] == "upsert" and c["entity"] in _LEAD_ITEMS:
                model, to_data = _LEAD_ITEMS[c["entity"]]
                row = s.get(model, c["id"])
                assert row is not None
                data = to_data(row)
            changes.append(
                Change.model_construct(
                    entity=c["entity"], id=c["id"], op=c["op"], version=c["version"], data=data
                )
            )
    page = PullResponse.model_construct(
        changes=changes, cursor=body["cursor"], has_more=body["has_more"]
    )
    return page.model_dump_json().encode()


def _seed_awkward_rows(hub: EmbeddedHub, rep: str) -> None:
    """Values where two serialisers could differ: non-ASCII, control characters, NULLs,
    microseconds, a company size, an assignment time, a removed event."""
    db = hub.state.db
    lead = seed.add_lead(
        db,
        rep,
        first_name='Zoë \u2028 "quoted" \\ tab\t',
        last_name="Ñandú 🚀",
        company="Ä\x01GmbH",
        company_size=250,
        external_id=None,
        marketing_notes="line one\nline two",
    )
    seed.add_event(
        db,
        lead,
        "web_visit",
        datetime(2025, 3, 4, 5, 6, 7, 89, tzinfo=UTC),
        asset="Pricing — page",
        detail="ü",
        score_delta=-3,
    )
    seed.add_event(db, lead, "email_opened", datetime(2025, 3, 4, tzinfo=UTC))
    seed.update_lead(db, lead, score=77, assigned_at=datetime(2025, 1, 2, 3, 4, 5, 600000))


def _push_awkward_items(world: World, alice: httpx.Client) -> None:
    """One of each lead item the rep writes, through the push API, with values where two
    serialisers could differ (non-ASCII, control characters, microseconds, NULLs, bools)."""
    lead = world.ada.leads[0]
    at = "2025-03-04T05:06:07.000089Z"
    payloads: list[tuple[str, dict[str, Any]]] = [
        ("call_note.create", {"body": 'Zoë \u2028 "q" \\ \t 🚀\x01', "outcome": "ü"}),
        ("call_note.create", {"body": "timed", "call_started_at": at, "duration_seconds": 61}),
        ("objection.create", {"category_code": "price", "verbatim": "Ñ", "competitor": "X"}),
        ("disposition.set", {"kind": "return_to_nurture", "reason": "line\nbreak"}),
        ("collateral.used", {"collateral_id": world.collateral[0].id, "kind": "sent"}),
        ("followup.set", {"action": "create", "due_at": at, "reason": "é", "state": "open"}),
    ]
    mutations = [
        {
            "id": new_id(),
            "seq": i,
            "kind": kind,
            "entity_id": new_id(),
            "lead_id": lead,
            "recorded_at": "2025-03-04T00:00:00.5Z",
            "payload": payload,
        }  # fmt: skip
        for i, (kind, payload) in enumerate(payloads)
    ]
    r = alice.post("/v1/sync/push", json={"client_id": "bytes", "mutations": mutations})
    assert r.status_code == 200
    assert {x["status"] for x in r.json()["results"]} == {"applied"}


def test_a_page_is_byte_for_byte_what_pydantic_wrote(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    _seed_awkward_rows(embedded_hub, world.ada.id)
    alice = client_for(world.ada.email)
    _push_awkward_items(world, alice)
    cursor: str | None = None
    seen: set[str] = set()
    while True:
        params: dict[str, Any] = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        response = alice.get("/v1/sync/pull", params=params)
        assert response.status_code == 200
        body = json.loads(response.content)
        assert response.content == _reference(embedded_hub, body)
        seen.update(c["entity"] for c in body["changes"])
        cursor = body["cursor"]
        if not body["has_more"]:
            break
    assert {"lead", "nurture_event", "campaign", "rubric", "collateral", *_LEAD_ITEMS} <= seen


def test_a_lead_item_row_the_wire_model_refuses_is_left_out_and_the_page_still_served(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    """A call note's time some other writer stored as text that is not a time: the fast
    path does not vouch for it, the wire model refuses it, the rest of the page goes out.
    SQLite only: PostgreSQL refuses to store such a value at all."""
    if not embedded_hub.state.db.sqlite:
        pytest.skip("PostgreSQL cannot hold text in a timestamp column")
    alice = client_for(world.ada.email)
    _push_awkward_items(world, alice)
    with embedded_hub.state.db.read() as s:
        broken, kept = s.scalars(select(m.CallNote.id).order_by(m.CallNote.body)).all()
    with embedded_hub.state.db.write() as s:
        s.execute(
            text("UPDATE call_notes SET created_at = 'last tuesday' WHERE id = :id"),
            {"id": broken},
        )
    with embedded_hub.state.db.read() as s:
        found = page_rows.lead_items(s, world.ada.id, "call_note", [broken, kept])
    assert found[broken][1] is page_rows.UNSERVABLE
    assert found[kept][1]["body"] == "timed"
    response = alice.get("/v1/sync/pull", params={"limit": 5000})
    assert response.status_code == 200
    notes = {c["id"] for c in response.json()["changes"] if c["entity"] == "call_note"}
    assert broken not in notes and kept in notes


def test_another_reps_lead_items_are_never_in_a_page(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    """Lead items go out only while their lead is the rep's (owner checked per page)."""
    _push_awkward_items(world, client_for(world.ada.email))
    with embedded_hub.state.db.read() as s:
        ids = list(s.scalars(select(m.CallNote.id)))
        assert len(page_rows.lead_items(s, world.ada.id, "call_note", ids)) == 2
        assert page_rows.lead_items(s, world.bob.id, "call_note", ids) == {}


def test_a_lead_row_the_wire_model_refuses_is_left_out_and_the_page_still_served(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    """A score some other writer stored as text that is not a number: the fast path does
    not vouch for it, the wire model refuses it, the rest of the page goes out. SQLite
    only: PostgreSQL refuses to store such a value at all."""
    if not embedded_hub.state.db.sqlite:
        pytest.skip("PostgreSQL cannot hold text in an integer column")
    broken = world.ada.leads[0]
    with embedded_hub.state.db.write() as s:
        s.execute(update(m.Lead).where(m.Lead.id == broken).values(score="many"))
    with embedded_hub.state.db.read() as s:
        found = page_rows.leads(s, world.ada.id, [broken, world.ada.leads[1]])
    assert found[broken][1] is page_rows.UNSERVABLE
    assert found[world.ada.leads[1]][1]["first_name"]
    response = client_for(world.ada.email).get("/v1/sync/pull")
    assert response.status_code == 200
    leads = {c["id"] for c in response.json()["changes"] if c["entity"] == "lead"}
    assert broken not in leads and world.ada.leads[1] in leads


def test_an_event_whose_stored_time_is_not_a_time_is_left_out_and_the_page_still_served(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    """Text some other writer stored in `occurred_at`: the wire model refuses it, the rest
    of the page goes out (it used to fail the whole pull, reading the column as a time).
    SQLite only: PostgreSQL refuses to store such a value at all."""
    if not embedded_hub.state.db.sqlite:
        pytest.skip("PostgreSQL cannot hold text in a timestamp column")
    lead = world.ada.leads[0]
    broken = seed.add_event(embedded_hub.state.db, lead, "web_visit")
    kept = seed.add_event(embedded_hub.state.db, lead, "email_opened")
    with embedded_hub.state.db.write() as s:
        s.execute(
            text("UPDATE nurture_events SET occurred_at = 'last tuesday' WHERE id = :id"),
            {"id": broken},
        )
    response = client_for(world.ada.email).get("/v1/sync/pull", params={"limit": 5000})
    assert response.status_code == 200
    events = {c["id"] for c in response.json()["changes"] if c["entity"] == "nurture_event"}
    assert broken not in events and kept in events


def test_a_lead_whose_stored_time_is_not_a_time_is_left_out_and_the_page_still_served(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    """Text some other writer stored in a lead's `assigned_at`: the wire model refuses it,
    the rest of the page goes out (reading the column as a time failed the whole pull).
    SQLite only: PostgreSQL refuses to store such a value at all."""
    if not embedded_hub.state.db.sqlite:
        pytest.skip("PostgreSQL cannot hold text in a timestamp column")
    broken, kept = world.ada.leads[0], world.ada.leads[1]
    with embedded_hub.state.db.write() as s:
        s.execute(
            text("UPDATE leads SET assigned_at = 'last tuesday' WHERE id = :id"), {"id": broken}
        )
    response = client_for(world.ada.email).get("/v1/sync/pull", params={"limit": 5000})
    assert response.status_code == 200
    leads = {c["id"] for c in response.json()["changes"] if c["entity"] == "lead"}
    assert broken not in leads and kept in leads
