"""Speed to lead end to end: marketing sets the SLA on a real hub, the rep's app syncs, the
store keeps it and the lead view's header counts down to the first call."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtWidgets import QWidget

from repdesk.domain.feedback import CallNote
from repdesk.domain.ids import ensure_utc, new_id, utcnow
from repdesk.gui.lead_view.view import LeadView
from repdesk.gui.sync_controller import SyncController
from repdesk.hub.admin.settings import set_sla_hours
from repdesk.hub.db import models as m
from tests.gui.test_offline_flow_support import (
    grab,
)
from tests.support import hub_rows as seed
from tests.support.hub_fixtures import PASSWORD
from tests.support.world import World


def _set_sla(live_world: World, hours: int) -> None:
    with live_world.hub.db.write() as session:
        set_sla_hours(session, hours)


def _hub_assigned_at(live_world: World, lead_id: str) -> Any:
    with live_world.hub.db.read() as session:
        lead = session.get(m.Lead, lead_id)
        assert lead is not None and lead.assigned_at is not None
        return lead.assigned_at


def test_the_sla_marketing_sets_reaches_the_lead_header(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, rep_store: Any
) -> None:
    fresh, late = live_world.ada.leads[0], live_world.ada.leads[1]
    _set_sla(live_world, 4)
    # Marketing assigned this one ten and a half hours ago.
    seed.update_lead(
        live_world.hub.db, late, assigned_at=utcnow() - timedelta(hours=10, minutes=30)
    )
    sync_engine.login(live_world.hub.url, live_world.ada.email, PASSWORD)
    window = QWidget()
    qtbot.addWidget(window)
    controller = SyncController(app_ctx, window, prompt_sign_in=False)
    with qtbot.waitSignal(controller.finished):
        controller.sync_now()

    assert rep_store.sla_hours() == 4
    got = rep_store.lead(fresh)
    assert got is not None and got.assigned_at is not None
    assert ensure_utc(got.assigned_at) == _hub_assigned_at(live_world, fresh)

    view = LeadView(app_ctx)
    qtbot.addWidget(view)
    view.resize(1000, 700)
    with qtbot.waitSignal(view.loaded):
        view.show_lead(fresh)
    assert view.header.first_call.text() == "First call due in 3 h (SLA 4 h)"

    # Marketing relaxes the SLA: the next sync brings it and the open lead shows it.
    _set_sla(live_world, 8)
    with qtbot.waitSignal(view.loaded), qtbot.waitSignal(controller.finished):
        controller.sync_now()
    assert rep_store.sla_hours() == 8
    assert view.header.first_call.text() == "First call due in 7 h (SLA 8 h)"

    with qtbot.waitSignal(view.loaded):
        view.show_lead(late)
    assert view.header.first_call.text() == "First call overdue by 2 h (SLA 8 h)"
    grab(view, "lead-first-call-overdue")

    # The rep calls: no first call is due any more.
    call = CallNote(new_id(), late, "Intro call: wants a demo", utcnow())
    with qtbot.waitSignal(view.loaded):
        app_ctx.events.emit_changes(rep_store.add_call_note(call))
    assert view.header.first_call.isHidden()
