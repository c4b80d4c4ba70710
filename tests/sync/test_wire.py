"""Wire <-> store values: what the engine hands the store for each pulled change and result."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from repdesk.domain.errors import UntrustedServerError
from repdesk.domain.feedback import CallNote, Disposition, DispositionKind
from repdesk.domain.leads import Lead, LeadStatus, LifecycleStage, NurtureEvent, NurtureEventType
from repdesk.domain.outbox import OutboxState
from repdesk.domain.qualification import Bant
from repdesk.protocol.schema import Change, PullResponse, PushResult, PushStatus
from repdesk.store.api import (
    RemoteChange,
    RemoteEvents,
    RemoteLeads,
    RemoteRemove,
    RemoteUpsert,
)
from repdesk.sync.pages import PulledPage, decode_page
from repdesk.sync.pages import remote_changes as page_changes
from repdesk.sync.wire import outcome_of, remote_change

T = "2026-11-24T05:00:00Z"


def change(entity: str, data: dict[str, Any] | None, op: str = "upsert") -> Change:
    return Change.model_validate(
        {"entity": entity, "id": "x1", "op": op, "version": 7, "data": data}
    )


def test_lead_and_remove() -> None:
    up = remote_change(change("lead", {"first_name": "Ada", "company": "AE", "score": 40}))
    assert isinstance(up, RemoteUpsert) and isinstance(up.obj, Lead)
    assert (up.id, up.version, up.obj.first_name, up.obj.version) == ("x1", 7, "Ada", 7)
    gone = remote_change(change("lead", None, op="remove"))
    assert gone == RemoteRemove(entity="lead", id="x1", version=7)


def test_reps_own_writes_come_back_as_domain_objects() -> None:
    note = remote_change(change("call_note", {"lead_id": "l1", "body": "hi", "created_at": T}))
    assert isinstance(note, RemoteUpsert) and isinstance(note.obj, CallNote)
    disp = remote_change(
        change("disposition", {"lead_id": "l1", "kind": "disqualify", "decided_at": T,
                               "reason": "no budget"})
    )  # fmt: skip
    assert isinstance(disp, RemoteUpsert) and isinstance(disp.obj, Disposition)
    assert disp.obj.kind is DispositionKind.DISQUALIFY
    qual = remote_change(
        change(
            "qualification",
            {"lead_id": "l1", "budget": {"value": "approved"}, "field_versions": {"budget": 3}},
        )
    )
    assert isinstance(qual, RemoteUpsert) and isinstance(qual.obj, Bant)
    assert qual.obj.budget is not None and qual.obj.budget.value == "approved"
    assert qual.field_versions == {"budget": 3}


@pytest.mark.parametrize(
    ("entity", "data"),
    [
        ("nurture_event", {"lead_id": "l1", "type": "hologram_call", "occurred_at": T}),
        ("disposition", {"lead_id": "l1", "kind": "teleport", "decided_at": T}),
        ("disposition", {"lead_id": "l1", "kind": "disqualify", "decided_at": T, "reason": ""}),
        ("collateral_use", {"lead_id": "l1", "collateral_id": "c", "kind": "faxed",
                            "used_at": T}),
    ],
)  # fmt: skip
def test_values_a_newer_hub_may_send_are_skipped(entity: str, data: dict[str, Any]) -> None:
    assert remote_change(change(entity, data)) is None


@pytest.mark.parametrize(
    ("entity", "data"),
    [
        ("lead", None),
        ("lead", {"score": "lots"}),
        ("collateral", {"title": "x", "sha256": "../../etc/passwd", "size": 1, "media_type": "x"}),
        ("call_note", {"body": "no lead"}),
    ],
)
def test_protocol_breaking_data_is_untrusted(entity: str, data: dict[str, Any] | None) -> None:
    with pytest.raises(UntrustedServerError):
        remote_change(change(entity, data))


def test_push_results() -> None:
    def result(status: str, **detail: Any) -> PushResult:
        return PushResult(id="m1", status=PushStatus(status), server_version=5, detail=detail)

    assert outcome_of(result("applied")).state is OutboxState.APPLIED
    assert outcome_of(result("duplicate", original_status="applied")).state is OutboxState.APPLIED
    conflict = outcome_of(
        result("conflict", conflicts=[{"field": "budget", "mine": "approved", "theirs": "none"}])
    )
    assert conflict.state is OutboxState.CONFLICT
    assert [(c.field, c.mine, c.theirs) for c in conflict.conflicts] == [
        ("budget", "approved", "none")
    ]
    replayed = outcome_of(
        result("duplicate", original_status="conflict", conflicts=[{"field": "need"}])
    )
    assert replayed.state is OutboxState.CONFLICT and replayed.conflicts[0].field == "need"
    refused = outcome_of(
        result(
            "rejected",
            reason="Not valid\x07",
            errors=[{"field": "payload.body", "message": "too long"}],
        )
    )
    assert refused.state is OutboxState.REJECTED
    assert refused.detail == "Not valid ; payload.body: too long"
    assert outcome_of(result("rejected")).detail  # never an empty reason


def remote_changes(page: PulledPage) -> list[RemoteChange]:
    """The page's changes with each event or lead row as the `RemoteUpsert` it stands for
    (what the store takes either way), to compare with the change-by-change way."""
    found: list[RemoteChange] = []
    for remote in page_changes(page):
        if isinstance(remote, RemoteLeads):
            found.extend(_lead_upserts(remote))
            continue
        if not isinstance(remote, RemoteEvents):
            found.append(remote)
            continue
        for eid, version, lead, kind, when, campaign, asset, detail, delta in remote.rows:
            event = NurtureEvent(
                id=eid, lead_id=lead, type=NurtureEventType(kind), occurred_at=when,
                campaign_id=campaign, asset=asset, detail=detail, score_delta=delta,
                version=version,
            )  # fmt: skip
            found.append(RemoteUpsert("nurture_event", eid, version, event))
    return found


def _lead_upserts(remote: RemoteLeads) -> list[RemoteUpsert]:
    found = []
    for row in remote.rows:
        (lead_id, version, first, last, company, email, title, industry, size, phone, country,
         stage, status, score, campaign, owner, notes, external, created, updated, assigned,
         step) = row  # fmt: skip
        lead = Lead(
            id=lead_id, first_name=first, last_name=last, company=company, email=email,
            title=title, industry=industry, company_size=size, phone=phone, country=country,
            lifecycle_stage=LifecycleStage(stage), lead_status=LeadStatus(status), score=score,
            source_campaign_id=campaign, owner_rep_id=owner, marketing_notes=notes,
            external_id=external, created_at=created, updated_at=updated, next_step=step,
            version=version, assigned_at=assigned,
        )  # fmt: skip
        found.append(RemoteUpsert("lead", lead_id, version, lead))
    return found


def test_consecutive_events_come_as_one_run_of_rows() -> None:
    event = {"lead_id": "L1", "type": "web_visit", "occurred_at": T}
    body = _page(
        *({"entity": "nurture_event", "id": f"E{n}", "op": "upsert", "version": 1, "data": event}
          for n in range(3)),
        {"entity": "lead", "id": "L1", "op": "upsert", "version": 3, "data": {}},
        {"entity": "nurture_event", "id": "E9", "op": "upsert", "version": 2, "data": event},
    )  # fmt: skip
    remote = page_changes(decode_page(body))
    assert [type(r).__name__ for r in remote] == ["RemoteEvents", "RemoteLeads", "RemoteEvents"]
    first = remote[0]
    assert isinstance(first, RemoteEvents) and [row[0] for row in first.rows] == ["E0", "E1", "E2"]
    assert first.rows[0][1:4] == (1, "L1", "web_visit")


def _page(*changes: dict[str, Any]) -> bytes:
    return json.dumps({"changes": list(changes), "cursor": "c9", "has_more": False}).encode()


def test_a_page_with_entities_and_ops_from_a_newer_hub_applies_what_this_client_knows() -> None:
    body = _page(
        {"entity": "lead", "id": "L1", "op": "upsert", "version": 3, "data": {"first_name": "Åsa"}},
        {"entity": "hologram", "id": "H1", "op": "upsert", "version": 1, "data": {"x": [1]}},
        {"entity": "hologram", "id": "H2", "op": "remove", "version": 2},
        {"entity": "lead", "id": "L2", "op": "archive", "version": 4},
        {"entity": "nurture_event", "id": "E1", "op": "upsert", "version": 1,
         "data": {"lead_id": "L1", "type": "hologram_call", "occurred_at": T}},
        {"entity": "nurture_event", "id": "E2", "op": "upsert", "version": 1,
         "data": {"lead_id": "L1", "type": "web_visit", "occurred_at": T}},
        {"entity": "lead", "id": "L3", "op": "remove", "version": 5},
    )  # fmt: skip
    page = decode_page(body)
    assert page.cursor == "c9" and len(page.changes) == 7
    remote = remote_changes(page)
    assert [(type(r).__name__, r.entity, r.id) for r in remote] == [
        ("RemoteUpsert", "lead", "L1"),
        ("RemoteUpsert", "nurture_event", "E2"),
        ("RemoteRemove", "lead", "L3"),
    ]
    up = remote[0]
    assert isinstance(up, RemoteUpsert) and isinstance(up.obj, Lead)
    assert (up.obj.first_name, up.obj.version) == ("Åsa", 3)
    # The plain schema accepts the same page too (its `entity` and `op` are open).
    plain = PullResponse.model_validate_json(body)
    assert [remote_change(c) for c in plain.changes][1:4] == [None, None, None]


@pytest.mark.parametrize(
    ("entity", "data"),
    [
        ("lead", {"score": "lots"}),
        ("collateral", {"title": "x", "sha256": "../../etc/passwd", "size": 1, "media_type": "x"}),
        ("call_note", {"body": "no lead"}),
    ],
)
def test_a_known_entity_with_broken_data_still_stops_the_typed_page(
    entity: str, data: dict[str, Any]
) -> None:
    page = decode_page(
        _page({"entity": entity, "id": "x1", "op": "upsert", "version": 1, "data": data})
    )
    with pytest.raises(UntrustedServerError):
        remote_changes(page)


_text = st.text(max_size=8)
_when = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda d: d.isoformat())
_event_data = st.fixed_dictionaries(
    {
        "lead_id": _text,
        "type": st.sampled_from([*(t.value for t in NurtureEventType), "hologram_call"]),
        "occurred_at": _when,
    },
    optional={
        "campaign_id": st.none() | _text,
        "asset": _text,
        "detail": _text,
        "score_delta": st.none() | st.integers(-100, 100),
        "added_by_a_newer_hub": _text,
    },
)
_any_time = (
    st.none() | _when | st.sampled_from(["2026-11-24T05:00:00", "2026-11-24T07:00:00+02:00"])
)
_lead_data = st.fixed_dictionaries(
    {},
    optional={
        "first_name": _text,
        "last_name": _text,
        "company": _text,
        "email": _text,
        "title": _text,
        "phone": _text,
        "score": st.integers(0, 100) | st.sampled_from(["3", 2.0, True]),
        "company_size": st.none() | st.integers(1, 10**6),
        "lifecycle_stage": st.sampled_from(["sales_accepted_lead", "customer", "mystery"]),
        "lead_status": st.sampled_from(["new", "qualified", "archived_by_a_newer_hub"]),
        "source_campaign_id": st.none() | _text,
        "owner_rep_id": st.none() | _text,
        "marketing_notes": _text,
        "created_at": _any_time,
        "updated_at": _any_time,
        "assigned_at": _any_time,
        "added_by_a_newer_hub": _text,
    },
)


@settings(max_examples=60, deadline=None)
@given(
    items=st.lists(
        st.tuples(st.sampled_from(["lead", "nurture_event"]), _lead_data, _event_data),
        max_size=6,
    )
)
def test_the_one_pass_page_gives_exactly_what_change_by_change_gives(
    items: list[tuple[str, dict[str, Any], dict[str, Any]]],
) -> None:
    """The msgspec page (events and leads built directly) against PullResponse
    plus one model per change and the shared protocol converters."""
    changes = [
        {"entity": entity, "id": f"x{n}", "op": "upsert", "version": n,
         "data": lead if entity == "lead" else event}
        for n, (entity, lead, event) in enumerate(items)
    ]  # fmt: skip
    body = _page(*changes)
    fast = remote_changes(decode_page(body))
    slow = [remote_change(c) for c in PullResponse.model_validate_json(body).changes]
    assert fast == [r for r in slow if r is not None]


@pytest.mark.parametrize(
    "data",
    [
        {"lead_id": "L1", "type": "web_visit", "occurred_at": "2026-11-24T05:00:00"},  # naive
        {"lead_id": "L1", "type": "web_visit", "occurred_at": T, "score_delta": "3"},
        {"lead_id": "L1", "type": "web_visit", "occurred_at": 1700000000},
        {"lead_id": "L1", "type": "web_visit", "occurred_at": "2026-11-24T07:00:00+02:00"},
    ],
)
def test_an_event_msgspec_does_not_take_as_is_gets_the_wire_models_verdict(
    data: dict[str, Any],
) -> None:
    """The strict typed decoding hands what it refuses to pydantic, which coerces it as
    it always did: the same store value as change by change."""
    body = _page(
        {"entity": "nurture_event", "id": "E1", "op": "upsert", "version": 2, "data": data}
    )
    fast = remote_changes(decode_page(body))
    slow = [remote_change(c) for c in PullResponse.model_validate_json(body).changes]
    assert fast == slow and len(fast) == 1


@pytest.mark.parametrize("body", [b"", b"not json", b'{"changes": 3}', b'{"cursor": "c"}'])
def test_a_body_that_is_not_a_page_is_an_untrusted_answer(body: bytes) -> None:
    with pytest.raises(UntrustedServerError):
        decode_page(body)
