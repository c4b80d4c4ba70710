"""A pull page built from Core tuples and written by orjson is byte for byte the page the
ORM objects + pydantic models wrote (`serialize` and `PullResponse.model_dump_json`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text, update
from tests.support import hub_rows as seed
from tests.support.world import World

from repdesk.hub.db import models as m
from repdesk.hub.embedded import EmbeddedHub
from repdesk.hub.sync import page_rows
from repdesk.hub.sync import serialize as ser
from repdesk.protocol.schema import Change, PullResponse

Clients = Callable[[str], httpx.Client]


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


def test_a_page_is_byte_for_byte_what_pydantic_wrote(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    _seed_awkward_rows(embedded_hub, world.ada.id)
    alice = client_for(world.ada.email)
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
    assert {"lead", "nurture_event", "campaign", "rubric", "collateral"} <= seen


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
