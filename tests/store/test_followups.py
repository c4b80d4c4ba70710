"""Follow-ups in the store: the row and its `followup.set` in one transaction, pulls that
never undo an unsent change, reminders once per due time, and the Today list in SQL."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from repdesk.domain.errors import ValidationError
from repdesk.domain.feedback import CallNote, Disposition, DispositionKind
from repdesk.domain.followups import (
    FollowUp,
    FollowUpAction,
    FollowUpState,
    new_followup,
)
from repdesk.domain.ids import new_id
from repdesk.domain.leads import NurtureEvent, NurtureEventType
from repdesk.domain.outbox import MutationKind, OutboxState
from repdesk.domain.speed_to_lead import first_call_due
from repdesk.domain.today import SPIKE_LIMIT, TodayKind
from repdesk.protocol.schema import PAYLOAD_MODELS
from repdesk.store import Store, actions
from repdesk.store.api import MutationOutcome
from tests.store.factories import lead, up

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
DAY_END = datetime(2026, 3, 11, 0, 0, tzinfo=UTC)
DAY = "2026-03-10"


def ev(
    lead_id: str, hours_ago: float, asset: str, kind: NurtureEventType = NurtureEventType.WEB_VISIT
) -> NurtureEvent:
    return NurtureEvent(new_id(), lead_id, kind, NOW - timedelta(hours=hours_ago), asset=asset)


def _fu(lead_id: str = "L1", hours: float = 2, reason: str = "Send pricing") -> FollowUp:
    return new_followup(new_id(), lead_id, NOW + timedelta(hours=hours), reason, NOW)


def test_each_change_is_its_row_and_one_queued_followup_set(seeded: Store) -> None:
    f = _fu()
    changes = seeded.set_followup(f, FollowUpAction.CREATE)
    assert changes.followups and changes.outbox and changes.lead_ids == {"L1"}
    later = f.after(
        FollowUpAction.UPDATE, NOW + timedelta(minutes=5), due_at=f.due_at + timedelta(days=1)
    )
    seeded.set_followup(later, FollowUpAction.UPDATE)
    done = later.after(FollowUpAction.COMPLETE, NOW + timedelta(minutes=9))
    seeded.set_followup(done, FollowUpAction.COMPLETE)

    assert seeded.followup(f.id) == done
    assert seeded.followups("L1") == [done]
    items = seeded.outbox()
    assert [i.kind for i in items] == [MutationKind.FOLLOWUP_SET] * 3
    assert {i.entity_id for i in items} == {f.id}
    assert [i.payload["action"] for i in items] == ["create", "update", "complete"]
    assert [i.payload["state"] for i in items] == ["open", "open", "done"]
    assert items[2].recorded_at == NOW + timedelta(minutes=9)
    for item in items:
        PAYLOAD_MODELS[item.kind].model_validate(item.payload)  # the hub's own model
    assert seeded.lead_rows(["L1"])[0].unsent == 3


def test_a_failing_outbox_insert_leaves_no_followup(
    seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_a: object, **_k: object) -> None:
        raise OSError("injected outbox failure")

    monkeypatch.setattr(actions, "enqueue", broken)
    with pytest.raises(OSError, match="injected"):
        seeded.set_followup(_fu(), FollowUpAction.CREATE)
    monkeypatch.undo()
    assert seeded.followups("L1") == [] and seeded.outbox() == []


def test_refused_changes(seeded: Store) -> None:
    f = _fu()
    with pytest.raises(ValidationError, match="no longer exists"):
        seeded.set_followup(f, FollowUpAction.UPDATE)
    with pytest.raises(ValidationError, match="longer than"):
        seeded.set_followup(dataclasses.replace(f, reason="x" * 2001), FollowUpAction.CREATE)
    seeded.set_followup(f, FollowUpAction.CREATE)
    with pytest.raises(ValidationError, match="already exists"):
        seeded.set_followup(f, FollowUpAction.CREATE)
    assert len(seeded.outbox()) == 1


def test_pull_brings_other_devices_followups_but_never_undoes_an_unsent_change(
    seeded: Store,
) -> None:
    theirs = dataclasses.replace(_fu(reason="From the desktop"), version=1)
    changes = seeded.apply_pull_page([up("followup", theirs)], "c1")
    assert changes.followups
    assert seeded.followup(theirs.id) == theirs

    mine = _fu(reason="Mine")
    seeded.set_followup(mine, FollowUpAction.CREATE)
    [item] = seeded.outbox()
    seeded.apply_outcomes([MutationOutcome(item.id, OutboxState.APPLIED, 1)])
    done = mine.after(FollowUpAction.COMPLETE, NOW + timedelta(minutes=1))
    seeded.set_followup(done, FollowUpAction.COMPLETE)
    # The echo of the create comes back while "done" is still unsent: it must not reopen it.
    echo = dataclasses.replace(mine, version=1)
    seeded.apply_pull_page([up("followup", echo)], "c2")
    got = seeded.followup(mine.id)
    assert got is not None and got.state is FollowUpState.DONE
    # Once the hub took it, its state (and version) come through again.
    pending = [i for i in seeded.outbox() if i.state is OutboxState.PENDING]
    seeded.apply_outcomes([MutationOutcome(pending[0].id, OutboxState.APPLIED, 2)])
    hub_done = dataclasses.replace(done, version=2)
    seeded.apply_pull_page([up("followup", hub_done)], "c3")
    assert seeded.followup(mine.id) == hub_done


def test_reminders_once_per_due_time_and_the_next_due(seeded: Store) -> None:
    soon, later = _fu(hours=1), _fu(lead_id="L2", hours=3)
    for f in (soon, later):
        seeded.set_followup(f, FollowUpAction.CREATE)
    assert seeded.followups_to_remind(NOW) == []
    assert seeded.next_followup_due(NOW) == soon.due_at
    at = NOW + timedelta(hours=1)
    assert [f.id for f in seeded.followups_to_remind(at)] == [soon.id]
    seeded.mark_reminded([soon.id], at)
    assert seeded.followups_to_remind(at + timedelta(minutes=1)) == []
    assert seeded.next_followup_due(at) == later.due_at
    # Snoozed to a new time: reminded again at that time, not before.
    moved = soon.after(FollowUpAction.UPDATE, at, due_at=at + timedelta(hours=1))
    seeded.set_followup(moved, FollowUpAction.UPDATE)
    assert seeded.followups_to_remind(at + timedelta(minutes=30)) == []
    assert [f.id for f in seeded.followups_to_remind(at + timedelta(hours=1))] == [soon.id]
    # Done ones are never due.
    seeded.set_followup(moved.after(FollowUpAction.COMPLETE, at), FollowUpAction.COMPLETE)
    assert soon.id not in {f.id for f in seeded.followups_to_remind(at + timedelta(days=1))}


# --- Today --------------------------------------------------------------------------------


def _store_with_world(store: Store) -> Store:
    """Leads for every Today section, with the hub's SLA at 24 h."""
    store.set_sla_hours(24)
    leads = [
        lead("overdue", "Olga", "Over"),
        lead("due-today", "Dana", "Due"),
        lead("fresh", "Fred", "Fresh", assigned_at=NOW - timedelta(hours=20)),
        lead("fresher", "Fay", "Fresher", assigned_at=NOW - timedelta(hours=2)),
        lead("stale-sla", "Stan", "Late", assigned_at=NOW - timedelta(hours=30)),
        lead("called", "Cal", "Called", assigned_at=NOW - timedelta(hours=5)),
        lead("spike-form", "Fiona", "Form"),
        lead("spike-pricing", "Pia", "Pricing"),
        lead("spike-touches", "Tom", "Touches"),
        lead("quiet", "Quinn", "Quiet"),
        lead("spike-called", "Carl", "Called-since"),
    ]
    events = [
        ev("spike-form", 30, "Demo request", NurtureEventType.FORM_FILL),
        ev("spike-pricing", 10, "/pricing"),
        *(ev("spike-touches", h, "/blog") for h in (5, 20, 40)),
        *(ev("quiet", h, "/blog") for h in (5, 200)),  # 2 touches in 3 days: no spike
        ev("quiet", 1, "Newsletter", NurtureEventType.EMAIL_SENT),  # marketing's, not theirs
        *(ev("spike-called", h, "/pricing") for h in (3, 4)),  # called 2 h ago: done
    ]
    store.apply_pull_page(
        [*(up("lead", x) for x in leads), *(up("nurture_event", e) for e in events)], "c1"
    )
    store.add_call_note(CallNote(new_id(), "called", "Left a voicemail", NOW - timedelta(hours=1)))
    store.add_call_note(
        CallNote(new_id(), "spike-called", "Walked them through pricing", NOW - timedelta(hours=2))
    )
    for f in (
        new_followup("f-over", "overdue", NOW - timedelta(hours=3), "Call back after lunch", NOW),
        new_followup("f-today", "due-today", NOW + timedelta(hours=3), "Check the pilot", NOW),
        new_followup("f-tomorrow", "quiet", NOW + timedelta(days=1), "Later", NOW),
    ):
        store.set_followup(f, FollowUpAction.CREATE)
    return store


def test_today_lists_each_reason_in_order(store: Store) -> None:
    _store_with_world(store)
    items = store.today(NOW, DAY_END, DAY)
    assert [(i.lead_id, i.kind) for i in items] == [
        ("overdue", TodayKind.OVERDUE),
        ("fresh", TodayKind.FIRST_CALL),
        ("fresher", TodayKind.FIRST_CALL),
        ("due-today", TodayKind.DUE_TODAY),
        ("spike-form", TodayKind.WHY_NOW),
        ("spike-pricing", TodayKind.WHY_NOW),
        ("spike-touches", TodayKind.WHY_NOW),
    ]
    by_id = {i.lead_id: i for i in items}
    assert by_id["overdue"].reason == "Call back after lunch"
    assert by_id["overdue"].followup_id == "f-over"
    assert by_id["fresh"].at == NOW + timedelta(hours=4)
    assert by_id["fresh"].sla_hours == 24
    assert by_id["spike-form"].reason == "Filled in a form (Demo request)"
    assert by_id["spike-pricing"].reason == "Visited the pricing page"
    assert by_id["spike-touches"].reason == "3 touches in the last 3 days"


def test_skipping_hides_a_lead_for_that_day_only(store: Store) -> None:
    _store_with_world(store)
    changes = store.skip_today("fresh", DAY)
    assert changes.followups
    assert "fresh" not in {i.lead_id for i in store.today(NOW, DAY_END, DAY)}
    tomorrow = store.today(NOW + timedelta(hours=1), DAY_END + timedelta(days=1), "2026-03-11")
    assert "fresh" in {i.lead_id for i in tomorrow}


def test_a_scheduled_lead_is_listed_only_for_its_followup(store: Store) -> None:
    _store_with_world(store)
    f = new_followup("f-spike", "spike-pricing", NOW + timedelta(days=2), "Pilot", NOW)
    store.set_followup(f, FollowUpAction.CREATE)
    f2 = new_followup("f-sla", "fresher", NOW + timedelta(hours=1), "After their standup", NOW)
    store.set_followup(f2, FollowUpAction.CREATE)
    items = {i.lead_id: i.kind for i in store.today(NOW, DAY_END, DAY)}
    assert "spike-pricing" not in items
    assert items["fresher"] is TodayKind.DUE_TODAY


def test_the_first_call_section_agrees_with_the_domain_rule(store: Store) -> None:
    """The SQL is `first_call_due` for every lead inside its window, notes and decisions
    made before, at and after the assignment included."""
    store.set_sla_hours(10)
    cases = {
        "no-call": [],
        "call-before": [-2],
        "call-at": [0],
        "call-after": [3],
        "started-before-written-after": ["started-before"],
    }
    leads = [lead(name, assigned_at=NOW - timedelta(hours=5)) for name in cases]
    leads.append(lead("decided", assigned_at=NOW - timedelta(hours=5)))
    leads.append(lead("decided-before", assigned_at=NOW - timedelta(hours=5)))
    store.apply_pull_page([up("lead", x) for x in leads], "c1")
    assigned = NOW - timedelta(hours=5)
    for name, offsets in cases.items():
        for offset in offsets:
            if offset == "started-before":
                n = CallNote(new_id(), name, "x", assigned + timedelta(hours=1),
                             call_started_at=assigned - timedelta(minutes=5))  # fmt: skip
            else:
                n = CallNote(new_id(), name, "x", assigned + timedelta(hours=float(offset)))
            store.add_call_note(n)
    store.set_disposition(Disposition(new_id(), "decided", DispositionKind.ACCEPT, NOW))
    store.set_disposition(
        Disposition(
            new_id(), "decided-before", DispositionKind.ACCEPT, assigned - timedelta(hours=1)
        )
    )
    listed = {i.lead_id for i in store.today(NOW, DAY_END, DAY) if i.kind is TodayKind.FIRST_CALL}
    expected = {
        x.id
        for x in leads
        if first_call_due(
            store.lead(x.id),  # type: ignore[arg-type]
            10,
            store.notes(x.id),
            store.disposition(x.id),
        )
        is not None
    }
    assert (
        listed
        == expected
        == {"no-call", "call-before", "started-before-written-after", "decided-before"}
    )


def test_why_now_is_capped_and_uses_its_indexes(store: Store) -> None:
    many = [lead(f"s{n:03d}", f"S{n}", "Spike") for n in range(SPIKE_LIMIT + 10)]
    events = [ev(x.id, 1 + n / 60, "/pricing") for n, x in enumerate(many)]
    store.set_sla_hours(24)
    store.apply_pull_page(
        [*(up("lead", x) for x in many), *(up("nurture_event", e) for e in events)], "c1"
    )
    with _statements(store) as ran:
        items = store.today(NOW, DAY_END, DAY)
    assert len(items) == SPIKE_LIMIT
    assert [i.lead_id for i in items] == [x.id for x in many[:SPIKE_LIMIT]], "latest first"
    plans = {sql: _plan(store, sql, params) for sql, params in ran}

    def plan_of(marker: str) -> str:
        return next(plan for sql, plan in plans.items() if marker in sql)

    assert "ix_followups_state_due" in plan_of("FROM followups")
    assert "ix_leads_assigned" in plan_of("leads.assigned_at >")
    assert "COVERING INDEX ix_events_recent" in plan_of("GROUP BY nurture_events.lead_id")


@contextmanager
def _statements(store: Store) -> Iterator[list[tuple[str, Any]]]:
    """Every SQL statement (with its parameters) the store runs inside the block."""
    from sqlalchemy import event as sa_event

    ran: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, sql: str, params: Any, *_rest: Any) -> None:
        ran.append((sql, params))

    engine = store._engine
    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        yield ran
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)


def _plan(store: Store, sql: str, params: Any) -> str:
    """SQLite's EXPLAIN QUERY PLAN for one statement the store ran (a second reader)."""
    import sqlite3

    conn = sqlite3.connect(store.path)
    try:
        return " | ".join(str(r[-1]) for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))
    finally:
        conn.close()
