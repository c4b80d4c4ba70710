"""Follow-ups through the real engine and the real hub: offline work arrives once, other
devices get it, and a hub too old to know `followup.set` keeps it queued, never lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import field_validator
from sqlalchemy import func, select

from repdesk.domain.errors import NetworkError
from repdesk.domain.feedback import CallNote
from repdesk.domain.followups import FollowUpAction, FollowUpState, new_followup
from repdesk.domain.ids import new_id, utcnow
from repdesk.domain.outbox import MutationKind, OutboxState
from repdesk.hub.db import models as m
from repdesk.protocol import schema
from repdesk.sync.wire import HUB_TOO_OLD
from tests.support.sync_fixtures import ClientMaker
from tests.support.world import World


def hub_followups(live_world: World) -> list[tuple[str, str, int]]:
    with live_world.hub.db.read() as s:
        return [(r.id, r.state, r.version) for r in s.scalars(select(m.FollowUpRow))]


def processed(live_world: World, kind: str) -> int:
    with live_world.hub.db.read() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(m.ProcessedMutation)
                .where(m.ProcessedMutation.kind == kind)
            )
            or 0
        )


def test_offline_followups_arrive_once_and_reach_the_other_device(
    live_world: World, make_client: ClientMaker
) -> None:
    laptop, desktop = make_client("laptop"), make_client("desktop")
    for device in (laptop, desktop):
        live_world.sign_in(device, live_world.ada)
        device.engine.sync()
    lead = live_world.ada.leads[0]

    live_world.hub.stop()
    now = utcnow()
    f = new_followup(new_id(), lead, now + timedelta(hours=3), "Send the SOC 2 report", now)
    laptop.store.set_followup(f, FollowUpAction.CREATE)
    moved = f.after(
        FollowUpAction.UPDATE, now + timedelta(seconds=1), due_at=f.due_at + timedelta(days=1)
    )
    laptop.store.set_followup(moved, FollowUpAction.UPDATE)
    with pytest.raises(NetworkError):
        laptop.engine.sync()
    assert laptop.store.outbox_counts().pending == 2
    live_world.hub.start()

    report = laptop.engine.sync()
    assert (report.pushed, report.applied, report.waiting) == (2, 2, 0)
    laptop.engine.sync()  # nothing is sent twice
    assert hub_followups(live_world) == [(f.id, "open", 2)]
    assert processed(live_world, "followup.set") == 2

    desktop.engine.sync()
    there = desktop.store.followup(f.id)
    assert there is not None and there.due_at == moved.due_at and there.version == 2
    done = there.after(FollowUpAction.COMPLETE, now + timedelta(minutes=5))
    desktop.store.set_followup(done, FollowUpAction.COMPLETE)
    desktop.engine.sync()
    laptop.engine.sync()
    back = laptop.store.followup(f.id)
    assert back is not None and back.state is FollowUpState.DONE and back.version == 3
    assert hub_followups(live_world) == [(f.id, "done", 3)]


class _OldHubMutation(schema.Mutation):
    """The envelope as a hub from before follow-ups validates it: five kinds only (the
    same error, on `kind`, that pydantic gives such a hub for a value its enum lacks)."""

    @field_validator("kind")
    @classmethod
    def _kinds_of_before(cls, kind: MutationKind) -> MutationKind:
        if kind is MutationKind.FOLLOWUP_SET:
            raise ValueError("Input should be 'call_note.create', ... or 'collateral.used'")
        return kind


def test_a_hub_that_does_not_know_followups_keeps_them_queued_with_the_reason(
    live_world: World, make_client: ClientMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    from repdesk.hub.api import sync_routes

    laptop = make_client("laptop")
    live_world.sign_in(laptop, live_world.ada)
    laptop.engine.sync()
    lead = live_world.ada.leads[1]
    now = utcnow()
    f = new_followup(new_id(), lead, now + timedelta(hours=1), "Call back", now)
    laptop.store.set_followup(f, FollowUpAction.CREATE)
    note = CallNote(new_id(), lead, "Voicemail", now)
    laptop.store.add_call_note(note)

    monkeypatch.setattr(sync_routes, "Mutation", _OldHubMutation)
    report = laptop.engine.sync()
    assert (report.applied, report.rejected, report.waiting) == (1, 0, 1)
    assert "stay queued" in str(report)
    items = {i.kind: i for i in laptop.store.outbox()}
    queued = items[MutationKind.FOLLOWUP_SET]
    assert queued.state is OutboxState.PENDING and queued.detail == HUB_TOO_OLD
    assert items[MutationKind.CALL_NOTE_CREATE].state is OutboxState.APPLIED
    again = laptop.engine.sync()  # every sync offers it again; still kept
    assert again.waiting == 1 and laptop.store.outbox_counts().pending == 1
    assert hub_followups(live_world) == []

    monkeypatch.undo()  # marketing updated the hub
    report = laptop.engine.sync()
    assert (report.applied, report.waiting) == (1, 0)
    assert laptop.store.outbox_counts().pending == 0
    assert hub_followups(live_world) == [(f.id, "open", 1)]
    assert processed(live_world, "followup.set") == 1
