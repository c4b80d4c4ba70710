"""Reference data and session state: taxonomy order, campaigns, the collateral catalogue."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from repdesk.domain.defaults import DEFAULT_OBJECTION_CATEGORIES
from repdesk.domain.leads import Campaign, Collateral
from repdesk.store import Store
from repdesk.store.api import SessionInfo
from tests.store.factories import lead, rm, up


def test_taxonomy_keeps_marketings_order_and_follows_removes(seeded: Store) -> None:
    codes = [c.code for c in seeded.objection_categories()]
    assert codes == [c.code for c in DEFAULT_OBJECTION_CATEGORIES]
    first = DEFAULT_OBJECTION_CATEGORIES[0]
    renamed = dataclasses.replace(first, label="Price")
    seeded.apply_pull_page([up("objection_category", renamed, 2)], "c0")
    assert seeded.objection_categories()[0] == renamed
    seeded.apply_pull_page([rm("objection_category", first.code, 5)], "c1")
    assert first.code not in [c.code for c in seeded.objection_categories()]


def test_campaigns_and_collateral_catalogue(store: Store) -> None:
    def doc(cid: str, title: str, campaign: str | None, *tags: str) -> Collateral:
        return Collateral(cid, title, "a" * 64, 100, "application/pdf", campaign, tags)

    changes = store.apply_pull_page(
        [
            up("campaign", Campaign("C2", "Webinar series", channel="webinar")),
            up("campaign", Campaign("C1", "Autumn launch")),
            up("collateral", doc("D1", "Pricing sheet", "C1", "pricing")),
            up("collateral", doc("D2", "Security whitepaper", "C2", "security", "it")),
            up("collateral", doc("D3", "ROI calculator", None, "pricing", "finance")),
        ],
        "c1",
    )
    assert changes.collateral and changes.reference
    assert [c.name for c in store.campaigns()] == ["Autumn launch", "Webinar series"]
    assert [c.id for c in store.collateral()] == ["D1", "D3", "D2"]
    assert [c.id for c in store.collateral(search="pricing")] == ["D1", "D3"]
    assert [c.id for c in store.collateral(search="SECURITY it")] == ["D2"]
    assert [c.id for c in store.collateral(campaign_id="C1")] == ["D1"]
    [d2] = store.collateral(campaign_id="C2")
    assert d2.tags == ("security", "it") and d2.sha256 == "a" * 64


def test_session_round_trip_and_sign_out(store: Store) -> None:
    client_id = store.sync_state().client_id
    session = SessionInfo("https://hub.example", "rep-1", "Sam Rep", "sam@example.com")
    assert store.set_session(session).session
    state = store.sync_state()
    assert state.session == session and state.client_id == client_id
    store.set_session(None)
    assert store.sync_state().session is None
    assert store.sync_state().client_id == client_id  # the installation id never changes


def test_the_sla_is_kept_as_the_hub_said_and_a_change_refreshes_views(store: Store) -> None:
    assert store.sla_hours() is None, "no hub has said yet"
    assert store.set_sla_hours(24).reference
    assert store.sla_hours() == 24
    assert store.set_sla_hours(24).empty, "the same value again changes nothing on screen"
    assert store.set_sla_hours(None).reference  # an older hub: unknown again
    assert store.sla_hours() is None
    store.set_sla_hours(8)
    store.close()
    with Store.open(store.data_dir) as again:
        assert again.sla_hours() == 8


def test_a_leads_assignment_time_arrives_and_follows_a_reassignment(store: Store) -> None:
    first = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
    store.apply_pull_page([up("lead", lead("L1", assigned_at=first), 1)], "c0")
    got = store.lead("L1")
    assert got is not None and got.assigned_at == first
    later = first + timedelta(days=2)
    store.apply_pull_page([up("lead", lead("L1", assigned_at=later), 2)], "c1")
    got = store.lead("L1")
    assert got is not None and got.assigned_at == later
    store.apply_pull_page([up("lead", lead("L2"), 1)], "c2")
    unknown = store.lead("L2")
    assert unknown is not None and unknown.assigned_at is None
