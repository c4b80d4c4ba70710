"""Pull: what each rep sees, paging, cursors, replay, reassignment and expired cursors."""

from __future__ import annotations

import base64
from collections.abc import Callable

import httpx
import pytest
from tests.hub.helpers import assert_error, mutation, note, pull_all, push, state_of
from tests.support import hub_rows as seed
from tests.support.world import World

from repdesk.domain.defaults import DEFAULT_OBJECTION_CATEGORIES, DEFAULT_RUBRIC
from repdesk.hub.embedded import EmbeddedHub
from repdesk.protocol.convert import rubric_to_data
from repdesk.protocol.schema import (
    CampaignData,
    CollateralData,
    LeadData,
    NurtureEventData,
    ObjectionCategoryData,
    PullResponse,
    RubricData,
)

Clients = Callable[[str], httpx.Client]


def test_first_pull_gives_the_rep_their_leads_and_shared_data(
    world: World, client_for: Clients
) -> None:
    response = client_for(world.ada.email).get("/v1/sync/pull")
    page = PullResponse.model_validate(response.json())
    assert not page.has_more
    state = state_of([c.model_dump(mode="json") for c in page.changes])
    by_entity: dict[str, set[str]] = {}
    for entity, entity_id in state:
        by_entity.setdefault(entity, set()).add(entity_id)
    assert by_entity["lead"] == set(world.ada.leads)
    assert by_entity["nurture_event"] == {e for lid in world.ada.leads for e in world.events[lid]}
    assert by_entity["campaign"] == {world.spring, world.autumn}
    assert by_entity["rubric"] == {world.rubric}
    assert by_entity["objection_category"] == {c.code for c in DEFAULT_OBJECTION_CATEGORIES}
    assert by_entity["collateral"] == {c.id for c in world.collateral}
    lead = LeadData.model_validate(state[("lead", world.ada.leads[0])]["data"])
    assert (lead.first_name, lead.owner_rep_id, lead.external_id) == (
        "Grace",
        world.ada.id,
        "EXT-0",
    )
    assert lead.assigned_at is not None, "speed to lead counts from the assignment"
    event_id = world.events[world.ada.leads[0]][0]
    event = NurtureEventData.model_validate(state[("nurture_event", event_id)]["data"])
    assert event.lead_id == world.ada.leads[0] and event.type == "email_opened"
    assert CampaignData.model_validate(state[("campaign", world.spring)]["data"]).name
    assert RubricData.model_validate(state[("rubric", world.rubric)]["data"]) == rubric_to_data(
        DEFAULT_RUBRIC
    )
    assert ObjectionCategoryData.model_validate(state[("objection_category", "price")]["data"])
    coll = CollateralData.model_validate(state[("collateral", world.collateral[0].id)]["data"])
    assert coll.sha256 == world.collateral[0].sha256
    assert all(c.version >= 1 for c in page.changes)


def test_a_rep_never_sees_another_reps_leads(world: World, client_for: Clients) -> None:
    bob_changes, _ = pull_all(client_for(world.bob.email))
    bob_ids = {c["id"] for c in bob_changes}
    assert world.bob.leads[0] in bob_ids
    assert not bob_ids & set(world.ada.leads)
    assert not bob_ids & {e for lid in world.ada.leads for e in world.events[lid]}
    ada_changes, _ = pull_all(client_for(world.ada.email))
    assert world.bob.leads[0] not in {c["id"] for c in ada_changes}


def test_paging_follows_the_cursor_until_has_more_is_false(
    world: World, client_for: Clients
) -> None:
    ada = client_for(world.ada.email)
    whole = ada.get("/v1/sync/pull").json()
    pages = []
    cursor = None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = ada.get("/v1/sync/pull", params=params).json()
        assert len(page["changes"]) <= 2
        pages.append(page)
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert len(pages) == -(-len(whole["changes"]) // 2)
    assert [c for p in pages for c in p["changes"]] == whole["changes"]
    assert cursor == whole["cursor"]
    # Caught up: an empty page, and the cursor stays put.
    again = ada.get("/v1/sync/pull", params={"cursor": cursor}).json()
    assert again == {"changes": [], "cursor": cursor, "has_more": False}


def test_replaying_a_page_returns_the_same_changes(world: World, client_for: Clients) -> None:
    ada = client_for(world.ada.email)
    first = ada.get("/v1/sync/pull", params={"limit": 3}).json()
    second = ada.get("/v1/sync/pull", params={"limit": 3, "cursor": first["cursor"]}).json()
    replay = ada.get("/v1/sync/pull", params={"limit": 3, "cursor": first["cursor"]}).json()
    assert replay == second


def test_a_changed_lead_comes_once_more_with_a_higher_version(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    ada = client_for(world.ada.email)
    before, cursor = pull_all(ada)
    old_version = next(c["version"] for c in before if c["id"] == world.ada.leads[1])
    new_version = seed.update_lead(embedded_hub.state.db, world.ada.leads[1], score=42)
    assert new_version > old_version
    after, _ = pull_all(ada, cursor)
    assert [(c["entity"], c["id"], c["op"]) for c in after] == [
        ("lead", world.ada.leads[1], "upsert")
    ]
    assert after[0]["version"] == new_version and after[0]["data"]["score"] == 42
    # A fresh device sees the lead once, at its latest version.
    fresh, _ = pull_all(ada)
    versions = [c["version"] for c in fresh if c["id"] == world.ada.leads[1]]
    assert versions == [new_version]


def test_reassignment_moves_the_lead_with_its_full_history(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    ada, bob = client_for(world.ada.email), client_for(world.bob.email)
    lead = world.ada.leads[0]
    note_m = note(lead, "Budget is approved")
    qual_m = mutation(
        "qualification.update", lead, {"fields": {"budget": {"value": "yes"}}}, base_version=0
    )
    assert [r["status"] for r in push(ada, note_m, qual_m)] == ["applied", "applied"]
    _, ada_cursor = pull_all(ada)
    first, bob_cursor = pull_all(bob)
    assert ("lead", lead) not in state_of(first)
    ada_had = state_of(pull_all(ada)[0])[("lead", lead)]["data"]["assigned_at"]

    seed.reassign(embedded_hub.state.db, lead, world.bob.id)

    ada_after, _ = pull_all(ada, ada_cursor)
    removed = {(c["entity"], c["id"]) for c in ada_after if c["op"] == "remove"}
    assert removed == {
        ("lead", lead),
        *(("nurture_event", e) for e in world.events[lead]),
        ("call_note", note_m["entity_id"]),
        ("qualification", lead),
    }
    assert all(c["op"] == "remove" for c in ada_after)

    bob_after, _ = pull_all(bob, bob_cursor)
    got = state_of(bob_after)
    assert got[("lead", lead)]["data"]["owner_rep_id"] == world.bob.id
    # Bob's speed to lead counts from when he got it, not from Ada's assignment.
    assert got[("lead", lead)]["data"]["assigned_at"] > ada_had
    assert {("nurture_event", e) for e in world.events[lead]} <= set(got)
    assert got[("call_note", note_m["entity_id"])]["data"]["body"] == "Budget is approved"
    assert got[("qualification", lead)]["data"]["budget"]["value"] == "yes"
    # The lead comes before what hangs off it.
    order = [c["entity"] for c in bob_after]
    assert order[0] == "lead"

    # A fresh install of ada's never sees the lead again.
    ada_fresh, _ = pull_all(ada)
    assert ("lead", lead) not in state_of(ada_fresh)


def test_deleted_lead_is_removed(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    from repdesk.hub.db.models import Lead
    from repdesk.hub.sync import changes

    ada = client_for(world.ada.email)
    _, cursor = pull_all(ada)
    with embedded_hub.state.db.write() as s:
        row = s.get(Lead, world.ada.leads[2])
        assert row is not None
        changes.delete_lead(s, row)
    after, _ = pull_all(ada, cursor)
    assert {(c["entity"], c["op"]) for c in after} == {
        ("lead", "remove"),
        ("nurture_event", "remove"),
    }


def test_a_new_rubric_replaces_the_old(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    ada = client_for(world.ada.email)
    _, cursor = pull_all(ada)
    new_rubric = seed.set_rubric(
        embedded_hub.state.db, rubric_to_data(DEFAULT_RUBRIC).model_copy(update={"name": "v2"})
    )
    after, _ = pull_all(ada, cursor)
    assert [(c["id"], c["op"]) for c in after] == [
        (world.rubric, "remove"),
        (new_rubric, "upsert"),
    ]


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    ["garbage!!", "Zm9v", _cursor("other-epoch:3"), _cursor("x:y:-1"), "x" * 300, "\u00e9\u00e9"],
    ids=["not-base64", "no-colon", "other-epoch", "negative", "too-long", "non-ascii"],
)
def test_unusable_cursor_is_410(world: World, client_for: Clients, cursor: str) -> None:
    response = client_for(world.ada.email).get("/v1/sync/pull", params={"cursor": cursor})
    assert_error(response, 410, "cursor_expired")


def test_empty_cursor_means_from_the_beginning(world: World, client_for: Clients) -> None:
    ada = client_for(world.ada.email)
    assert ada.get("/v1/sync/pull", params={"cursor": ""}).json() == ada.get("/v1/sync/pull").json()


def test_cursor_ahead_of_the_database_is_410(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    ahead = _cursor(f"{embedded_hub.state.epoch}:999999")
    response = client_for(world.ada.email).get("/v1/sync/pull", params={"cursor": ahead})
    assert_error(response, 410, "cursor_expired")


@pytest.mark.parametrize("limit", ["0", "5001", "abc", "-1"])
def test_bad_limit_is_422(world: World, client_for: Clients, limit: str) -> None:
    response = client_for(world.ada.email).get("/v1/sync/pull", params={"limit": limit})
    assert_error(response, 422, "invalid_request")


def test_a_row_whose_stored_data_is_broken_is_left_out_not_a_500(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    from repdesk.hub.db.models import RubricRow

    with embedded_hub.state.db.write() as s:
        row = s.get(RubricRow, world.rubric)
        assert row is not None
        row.data = {"name": "broken", "dimensions": "not a list"}
    response = client_for(world.ada.email).get("/v1/sync/pull")
    assert response.status_code == 200
    entities = {c["entity"] for c in response.json()["changes"]}
    assert "rubric" not in entities
    assert {"lead", "campaign", "collateral"} <= entities


def test_a_rotated_epoch_expires_every_cursor(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    from repdesk.hub.embedded import EmbeddedHub as Hub
    from repdesk.hub.sync.cursor import rotate_epoch

    ada = client_for(world.ada.email)
    _, cursor = pull_all(ada)
    with embedded_hub.state.db.write() as s:
        rotate_epoch(s)
    embedded_hub.stop()
    restarted = Hub(embedded_hub.config)
    with restarted as base_url, httpx.Client(base_url=base_url, headers=ada.headers) as again:
        assert_error(again.get("/v1/sync/pull", params={"cursor": cursor}), 410, "cursor_expired")
        assert again.get("/v1/sync/pull").status_code == 200
