"""Reminders: one timer aimed at the next call-back, a notice when it falls due (offline,
plain text), a click opens the lead, and a restart does not remind of it again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import shiboken6

from repdesk.domain.followups import FollowUpAction, new_followup
from repdesk.domain.ids import new_id
from repdesk.gui.clock import ManualClock
from repdesk.gui.context import AppContext
from repdesk.gui.main_window import MainWindow
from repdesk.gui.notify import Notifier
from tests.gui.test_offline_flow_support import (
    grab,
)
from tests.support.gui_fixtures import HOSTILE
from tests.support.lead_data import Seeded

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


def window_at(qtbot: Any, ctx: AppContext, clock: ManualClock) -> MainWindow:
    ctx.clock = clock
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: ctx.ops.idle and window.lead_view.detail is not None)
    return window


def test_a_call_back_reminds_once_when_due_and_opens_its_lead(
    qtbot: Any,
    seeded_ctx: AppContext,
    seeded_leads: Seeded,
) -> None:
    local: Any = seeded_ctx.store
    lead_id = seeded_leads.hostile_id  # a lead whose name is markup: the notice shows it as text
    f = new_followup(new_id(), lead_id, NOW + timedelta(minutes=30), "Send <i>pricing</i>", NOW)
    local.set_followup(f, FollowUpAction.CREATE)
    clock = ManualClock(NOW, UTC)
    window = window_at(qtbot, seeded_ctx, clock)
    reminders = window.reminders
    qtbot.waitUntil(lambda: reminders.next_at == f.due_at)
    # One timer, aimed at the due time: no polling.
    assert reminders.timer_interval_ms == 30 * 60 * 1000
    banner: Any = window.banner
    assert not banner.isVisible()

    with qtbot.waitSignal(reminders.reminded) as shown:
        clock.advance(timedelta(minutes=31))
    [due] = shown.args[0]
    assert due.followup.id == f.id
    assert banner.isVisible()
    text = banner.text()
    assert HOSTILE in text and "Send <i>pricing</i>" in text
    assert banner._label.textFormat().name == "PlainText"
    qtbot.waitUntil(lambda: local.followups_to_remind(clock.now()) == [])
    assert reminders.next_at is None and reminders.timer_interval_ms is None
    grab(window, "reminder-banner")

    # Nothing more is due: another jump of the clock reminds of nothing.
    clock.advance(timedelta(minutes=5))
    qtbot.waitUntil(lambda: seeded_ctx.ops.idle)
    assert banner.isVisible()  # still the one notice, not a second

    action = banner.action_button
    assert action is not None and action.text() == "Open lead"
    action.click()
    qtbot.waitUntil(lambda: window.lead_view.lead_id == lead_id)
    qtbot.waitUntil(lambda: window.lead_view.detail.lead.id == lead_id)  # type: ignore[union-attr]
    assert not banner.isVisible()

    # A restart: the reminder was kept, so it does not come again.
    window.close()
    again = window_at(qtbot, seeded_ctx, ManualClock(clock.now(), UTC))
    told: list[object] = []
    again.reminders.reminded.connect(told.append)
    qtbot.waitUntil(lambda: seeded_ctx.ops.idle)
    assert told == [] and not again.banner.isVisible()  # type: ignore[union-attr]

    # Moved to a new time: it reminds again then.
    moved = local.followup(f.id).after(
        FollowUpAction.UPDATE, clock.now(), due_at=clock.now() + timedelta(hours=1)
    )
    local.set_followup(moved, FollowUpAction.UPDATE)
    again.reminders.check()
    qtbot.waitUntil(lambda: again.reminders.next_at == moved.due_at)
    with qtbot.waitSignal(again.reminders.reminded):
        again.ctx.clock.advance(timedelta(hours=1))


def test_several_due_at_once_make_one_notice_that_opens_today(
    qtbot: Any,
    seeded_ctx: AppContext,
    seeded_leads: Seeded,
) -> None:
    local: Any = seeded_ctx.store
    for lead_id in seeded_leads.lead_ids[2:5]:
        local.set_followup(
            new_followup(new_id(), lead_id, NOW - timedelta(hours=1), "Chase", NOW),
            FollowUpAction.CREATE,
        )
    clock = ManualClock(NOW, UTC)
    seeded_ctx.clock = clock
    window = MainWindow(seeded_ctx)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.reminders.reminded) as shown:
        window.show()
    assert len(shown.args[0]) == 3
    banner: Any = window.banner
    assert banner.text().startswith("3 call-backs are due")
    assert banner.action_button.text() == "Open Today"


def test_a_tray_message_click_runs_its_action(qtbot: Any, qapp: Any) -> None:
    notifier = Notifier(use_tray=True)
    opened: list[str] = []
    notifier.notify("Call back <b>Ada</b>", "Due now", on_click=lambda: opened.append("ada"))
    tray = notifier._tray_icon()
    tray.messageClicked.emit()  # what Qt emits when the rep clicks the desktop notification
    assert opened == ["ada"]
    tray.messageClicked.emit()  # a second click does nothing more
    assert opened == ["ada"]
    notifier.notify("Sync keeps failing", "…")  # a notice with nothing to open
    tray.messageClicked.emit()
    assert opened == ["ada"]
    tray.hide()
    shiboken6.delete(notifier)  # now, on this thread (not whenever and wherever GC runs)
