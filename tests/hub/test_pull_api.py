"""Pull: what each rep sees, paging, cursors, replay, reassignment and expired cursors."""

from __future__ import annotations

import base64
from collections.abc import Callable

import httpx
import pytest
from tests.hub.helpers import assert_error, mutation, note, pull_all, push, state_of
from tests.support import hub_rows as seed
from tests.support.hub_fixtures import RUBRIC, ApiWorld

from repdesk.hub.embedded import EmbeddedHub
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
    api_world: ApiWorld, client_for: Clients
) -> None:
    response = client_for("alice@example.test").get("/v1/sync/pull")
    page = PullResponse.model_validate(response.json())
    assert not page.has_more
    state = state_of([c.model_dump(mode="json") for c in page.changes])
    by_entity: dict[str, set[str]] = {}
    for entity, entity_id in state:
        by_entity.setdefault(entity, set()).add(entity_id)
    assert by_entity["lead"] == set(api_world.alice_leads)
    assert by_entity["nurture_event"] == {
        e for lid in api_world.alice_leads for e in api_world.events[lid]
    }
    assert by_entity["campaign"] == {api_world.campaign}
    assert by_entity["rubric"] == {api_world.rubric}
    assert by_entity["objection_category"] == {"price", "timing"}
    assert by_entity["collateral"] == {api_world.collateral_id}
    lead = LeadData.model_validate(state[("lead", api_world.alice_leads[0])]["data"])
    assert (lead.first_name, lead.owner_rep_id, lead.external_id) == (
        "Lead0",
        api_world.alice,
        "EXT-0",
    )
    assert lead.assigned_at is not None, "speed to lead counts from the assignment"
    event_id = api_world.events[api_world.alice_leads[0]][0]
    event = NurtureEventData.model_validate(state[("nurture_event", event_id)]["data"])
    assert event.lead_id == api_world.alice_leads[0] and event.type == "email_opened"
    assert CampaignData.model_validate(state[("campaign", api_world.campaign)]["data"]).name
    assert RubricData.model_validate(state[("rubric", api_world.rubric)]["data"]) == RUBRIC
    assert ObjectionCategoryData.model_validate(state[("objection_category", "price")]["data"])
    coll = CollateralData.model_validate(state[("collateral", api_world.collateral_id)]["data"])
    assert coll.sha256 == api_world.collateral_sha
    assert all(c.version >= 1 for c in page.changes)


def test_a_rep_never_sees_another_reps_leads(api_world: ApiWorld, client_for: Clients) -> None:
    bob_changes, _ = pull_all(client_for("bob@example.test"))
    bob_ids = {c["id"] for c in bob_changes}
    assert api_world.bob_lead in bob_ids
    assert not bob_ids & set(api_world.alice_leads)
    assert not bob_ids & {e for lid in api_world.alice_leads for e in api_world.events[lid]}
    alice_changes, _ = pull_all(client_for("alice@example.test"))
    assert api_world.bob_lead not in {c["id"] for c in alice_changes}


def test_paging_follows_the_cursor_until_has_more_is_false(
    api_world: ApiWorld, client_for: Clients
) -> None:
    alice = client_for("alice@example.test")
    whole = alice.get("/v1/sync/pull").json()
    pages = []
    cursor = None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = alice.get("/v1/sync/pull", params=params).json()
        assert len(page["changes"]) <= 2
        pages.append(page)
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert len(pages) == -(-len(whole["changes"]) // 2)
    assert [c for p in pages for c in p["changes"]] == whole["changes"]
    assert cursor == whole["cursor"]
    # Caught up: an empty page, and the cursor stays put.
    again = alice.get("/v1/sync/pull", params={"cursor": cursor}).json()
    assert again == {"changes": [], "cursor": cursor, "has_more": False}


def test_replaying_a_page_returns_the_same_changes(
    api_world: ApiWorld, client_for: Clients
) -> None:
    alice = client_for("alice@example.test")
    first = alice.get("/v1/sync/pull", params={"limit": 3}).json()
    second = alice.get("/v1/sync/pull", params={"limit": 3, "cursor": first["cursor"]}).json()
    replay = alice.get("/v1/sync/pull", params={"limit": 3, "cursor": first["cursor"]}).json()
    assert replay == second


def test_a_changed_lead_comes_once_more_with_a_higher_version(
    api_world: ApiWorld, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    alice = client_for("alice@example.test")
    before, cursor = pull_all(alice)
    old_version = next(c["version"] for c in before if c["id"] == api_world.alice_leads[1])
    new_version = seed.update_lead(embedded_hub.state.db, api_world.alice_leads[1], score=42)
    assert new_version > old_version
    after, _ = pull_all(alice, cursor)
    assert [(c["entity"], c["id"], c["op"]) for c in after] == [
        ("lead", api_world.alice_leads[1], "upsert")
    ]
    assert after[0]["version"] == new_version and after[0]["data"]["score"] == 42
    # A fresh device sees the lead once, at its latest version.
    fresh, _ = pull_all(alice)
    versions = [c["version"] for c in fresh if c["id"] == api_world.alice_leads[1]]
    assert versions == [new_version]


def test_reassignment_moves_the_lead_with_its_full_history(
    api_world: ApiWorld, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    alice, bob = client_for("alice@example.test"), client_for("bob@example.test")
    lead = api_world.alice_leads[0]
    note_m = note(lead, "Budget is approved")
    qual_m = mutation(
        "qualification.update", lead, {"fields": {"budget": {"value": "yes"}}}, base_version=0
    )
    assert [r["status"] for r in push(alice, note_m, qual_m)] == ["applied", "applied"]
    _, alice_cursor = pull_all(alice)
    first, bob_cursor = pull_all(bob)
    assert ("lead", lead) not in state_of(first)
    alice_had = state_of(pull_all(alice)[0])[("lead", lead)]["data"]["assigned_at"]

    seed.reassign(embedded_hub.state.db, lead, api_world.bob)

    alice_after, _ = pull_all(alice, alice_cursor)
    removed = {(c["entity"], c["id"]) for c in alice_after if c["op"] == "remove"}
    assert removed == {
        ("lead", lead),
        *(("nurture_event", e) for e in api_world.events[lead]),
        ("call_note", note_m["entity_id"]),
        ("qualification", lead),
    }
    assert all(c["op"] == "remove" for c in alice_after)

    bob_after, _ = pull_all(bob, bob_cursor)
    got = state_of(bob_after)
    assert got[("lead", lead)]["data"]["owner_rep_id"] == api_world.bob
    # Bob's speed to lead counts from when he got it, not from Alice's assignment.
    assert got[("lead", lead)]["data"]["assigned_at"] > alice_had
    assert {("nurture_event", e) for e in api_world.events[lead]} <= set(got)
    assert got[("call_note", note_m["entity_id"])]["data"]["body"] == "Budget is approved"
    assert got[("qualification", lead)]["data"]["budget"]["value"] == "yes"
    # The lead comes before what hangs off it.
    order = [c["entity"] for c in bob_after]
    assert order[0] == "lead"

    # A fresh install of alice's never sees the lead again.
    alice_fresh, _ = pull_all(alice)
    assert ("lead", lead) not in state_of(alice_fresh)


def test_deleted_lead_is_removed(
    api_world: ApiWorld, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    from repdesk.hub.db.models import Lead
    from repdesk.hub.sync import changes

    alice = client_for("alice@example.test")
    _, cursor = pull_all(alice)
    with embedded_hub.state.db.write() as s:
        row = s.get(Lead, api_world.alice_leads[2])
        assert row is not None
        changes.delete_lead(s, row)
    after, _ = pull_all(alice, cursor)
    assert {(c["entity"], c["op"]) for c in after} == {
        ("lead", "remove"),
        ("nurture_event", "remove"),
    }


def test_a_new_rubric_replaces_the_old(
    api_world: ApiWorld, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    alice = client_for("alice@example.test")
    _, cursor = pull_all(alice)
    new_rubric = seed.set_rubric(embedded_hub.state.db, RUBRIC.model_copy(update={"name": "v2"}))
    after, _ = pull_all(alice, cursor)
    assert [(c["id"], c["op"]) for c in after] == [
        (api_world.rubric, "remove"),
        (new_rubric, "upsert"),
    ]


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    ["garbage!!", "Zm9v", _cursor("other-epoch:3"), _cursor("x:y:-1"), "x" * 300, "\u00e9\u00e9"],
    ids=["not-base64", "no-colon", "other-epoch", "negative", "too-long", "non-ascii"],
)
def test_unusable_cursor_is_410(api_world: ApiWorld, client_for: Clients, cursor: str) -> None:
    response = client_for("alice@example.test").get("/v1/sync/pull", params={"cursor": cursor})
    assert_error(response, 410, "cursor_expired")


def test_empty_cursor_means_from_the_beginning(api_world: ApiWorld, client_for: Clients) -> None:
    alice = client_for("alice@example.test")
    assert (
        alice.get("/v1/sync/pull", params={"cursor": ""}).json()
        == alice.get("/v1/sync/pull").json()
    )


def test_cursor_ahead_of_the_database_is_410(
    api_world: ApiWorld, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    ahead = _cursor(f"{embedded_hub.state.epoch}:999999")
    response = client_for("alice@example.test").get("/v1/sync/pull", params={"cursor": ahead})
    assert_error(response, 410, "cursor_expired")


@pytest.mark.parametrize("limit", ["0", "5001", "abc", "-1"])
def test_bad_limit_is_422(api_world: ApiWorld, client_for: Clients, limit: str) -> None:
    response = client_for("alice@example.test").get("/v1/sync/pull", params={"limit": limit})
    assert_error(response, 422, "invalid_request")


def test_a_row_whose_stored_data_is_broken_is_left_out_not_a_500(
    api_world: ApiWorld, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    from repdesk.hub.db.models import RubricRow

    with embedded_hub.state.db.write() as s:
        row = s.get(RubricRow, api_world.rubric)
        assert row is not None
        row.data = {"name": "broken", "dimensions": "not a list"}
    response = client_for("alice@example.test").get("/v1/sync/pull")
    assert response.status_code == 200
    entities = {c["entity"] for c in response.json()["changes"]}
    assert "rubric" not in entities
    assert {"lead", "campaign", "collateral"} <= entities


def test_a_rotated_epoch_expires_every_cursor(
    api_world: ApiWorld, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    from repdesk.hub.embedded import EmbeddedHub as Hub
    from repdesk.hub.sync.cursor import rotate_epoch

    alice = client_for("alice@example.test")
    _, cursor = pull_all(alice)
    with embedded_hub.state.db.write() as s:
        rotate_epoch(s)
    embedded_hub.stop()
    restarted = Hub(embedded_hub.config)
    with restarted as base_url, httpx.Client(base_url=base_url, headers=alice.headers) as again:
        assert_error(again.get("/v1/sync/pull", params={"cursor": cursor}), 410, "cursor_expired")
        assert again.get("/v1/sync/pull").status_code == 200
