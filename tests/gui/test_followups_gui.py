"""Follow-ups from the keyboard: scheduled from any lead (Ctrl+Shift+F) or at the end of a
call, changed and ticked off in the lead's Follow-ups tab, each change queued for the hub."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from repdesk.domain.followups import FollowUpAction, FollowUpState, new_followup
from repdesk.domain.ids import new_id
from repdesk.domain.outbox import MutationKind
from repdesk.gui.clock import ManualClock
from repdesk.gui.context import AppContext
from repdesk.gui.disposition_dialog import DispositionDialog
from repdesk.gui.followup_dialog import FollowUpDialog
from repdesk.gui.lead_view.view import Tab
from repdesk.gui.main_window import MainWindow
from tests.gui.test_offline_flow_support import (
    grab,
)
from tests.support.lead_data import Seeded

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier
#: A Tuesday, 10:00 UTC (the test machine's zone is whatever it is: times are compared in UTC).
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


def focused() -> Any:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def open_window(qtbot: Any, ctx: AppContext, lead_id: str) -> MainWindow:
    ctx.clock = ManualClock(NOW, UTC)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    model = window.lead_list.model
    # The window opens the first lead once the list is in; only then pick ours.
    qtbot.waitUntil(lambda: not model.loading and window.lead_view.detail is not None)
    window.open_lead(lead_id)
    qtbot.waitUntil(lambda: window.lead_view.detail.lead.id == lead_id)  # type: ignore[union-attr]
    return window


def test_schedule_change_and_tick_off_a_call_back_from_the_keyboard(
    qtbot: Any,
    seeded_ctx: AppContext,
    seeded_leads: Seeded,
) -> None:
    local: Any = seeded_ctx.store
    lead_id = seeded_leads.rich_id
    window = open_window(qtbot, seeded_ctx, lead_id)

    qtbot.keyClick(focused(), Qt.Key.Key_F, CTRL | SHIFT)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), FollowUpDialog))
    dialog: Any = QApplication.activeModalWidget()
    qtbot.waitUntil(lambda: focused() is dialog.fields.when)
    # The default pick is tomorrow morning, 9:00 in the rep's zone (UTC here).
    assert dialog.fields.due_at() == datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
    qtbot.keyClick(focused(), Qt.Key.Key_F, ALT)  # "What &for"
    assert focused() is dialog.fields.reason
    qtbot.keyClicks(focused(), "Send pricing for 25 seats <b>now</b>")
    grab(dialog, "followup-dialog")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(local.followups(lead_id)))
    [f] = local.followups(lead_id)
    assert f.reason == "Send pricing for 25 seats <b>now</b>"
    assert f.due_at == datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
    [item] = [i for i in local.outbox() if i.kind is MutationKind.FOLLOWUP_SET]
    assert item.entity_id == f.id and item.payload["action"] == "create"

    # The lead's Follow-ups tab shows it as plain text; D ticks it off.
    view = window.lead_view
    view.tabs.setCurrentIndex(Tab.FOLLOWUPS)
    tab = view.followups
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert tab.model.index(0, 1).data() == "Send pricing for 25 seats <b>now</b>"
    assert tab.model.index(0, 2).data() == "Open"
    grab(window, "followups-tab")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    tab.table.setFocus()
    tab.table.selectRow(0)
    qtbot.waitUntil(tab.table.hasFocus)
    qtbot.keyClick(tab.table, Qt.Key.Key_D)
    qtbot.waitUntil(lambda: local.followup(f.id).state is FollowUpState.DONE)
    qtbot.waitUntil(lambda: tab.model.index(0, 2).data() == "Done")
    actions = [i.payload["action"] for i in local.outbox() if i.kind is MutationKind.FOLLOWUP_SET]
    assert actions == ["create", "complete"]
    assert not tab.done_button.isEnabled()


def test_the_end_of_call_dialog_ticks_off_the_due_call_back_and_schedules_the_next(
    qtbot: Any,
    seeded_ctx: AppContext,
    seeded_leads: Seeded,
) -> None:
    local: Any = seeded_ctx.store
    lead_id = seeded_leads.lead_ids[3]
    due = new_followup(new_id(), lead_id, NOW - timedelta(hours=1), "Call after their board", NOW)
    later = new_followup(new_id(), lead_id, NOW + timedelta(days=3), "Not today", NOW)
    for f in (due, later):
        local.set_followup(f, FollowUpAction.CREATE)
    window = open_window(qtbot, seeded_ctx, lead_id)
    console: Any = window.open_call_console(lead_id)
    qtbot.waitUntil(lambda: console.is_loaded)
    console.activateWindow()
    qtbot.waitUntil(console.isActiveWindow)
    qtbot.keyClicks(console.notes, "Voicemail again.")
    qtbot.keyClick(console.notes, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), DispositionDialog))
    dialog: Any = QApplication.activeModalWidget()
    [tick] = list(dialog.completes)
    assert tick.isChecked() and "Call after their board" in tick.text()
    assert not dialog.callback.isChecked()
    dialog.outcome.setCurrentIndex(dialog.outcome.findData("voicemail"))
    assert dialog.callback.isChecked(), "after a voicemail a call-back is the next step"
    assert dialog.callback_fields.isEnabled()
    dialog.callback_fields.reason.setText("Try the mobile")
    grab(dialog, "end-call-with-callback")
    ended: list[object] = []
    console.call_ended.connect(ended.append)
    qtbot.keyClick(focused(), Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: bool(ended))
    qtbot.waitUntil(lambda: seeded_ctx.ops.idle)

    states = {f.reason: f.state for f in local.followups(lead_id)}
    assert states == {
        "Call after their board": FollowUpState.DONE,
        "Not today": FollowUpState.OPEN,
        "Try the mobile": FollowUpState.OPEN,
    }
    kinds = [i.kind for i in local.outbox()][-3:]
    assert kinds == [
        MutationKind.CALL_NOTE_CREATE,
        MutationKind.FOLLOWUP_SET,
        MutationKind.FOLLOWUP_SET,
    ]


def test_a_time_in_the_past_is_refused_in_words(
    qtbot: Any,
    seeded_ctx: AppContext,
    seeded_leads: Seeded,
) -> None:
    seeded_ctx.clock = ManualClock(NOW, UTC)
    dialog = FollowUpDialog(seeded_ctx, seeded_leads.rich_id)
    qtbot.addWidget(dialog)
    dialog.fields.set_due(NOW - timedelta(hours=2))
    assert not dialog.ok_button.isEnabled()
    assert "passed" in dialog.hint.text()
    dialog.save()
    assert seeded_ctx.store.followups(seeded_leads.rich_id) == []
