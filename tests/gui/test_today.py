"""Today: the view the app opens on. Who to call next and why, in order, counting down on
the app's clock, worked from the keyboard (J/K, Enter, C, S, X)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu

from repdesk.domain.followups import FollowUpAction, FollowUpState, new_followup
from repdesk.domain.ids import new_id
from repdesk.domain.leads import NurtureEvent, NurtureEventType
from repdesk.gui.clock import ManualClock
from repdesk.gui.context import AppContext
from repdesk.gui.main_window import MainWindow
from repdesk.gui.theme import dark_palette
from repdesk.gui.today.model import Column
from repdesk.store.api import RemoteUpsert
from tests.gui.test_offline_flow_support import (
    grab,
    lead,
)
from tests.support.gui_fixtures import HOSTILE

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)  # a Tuesday


def seed_day(store: Any, assigned_hours_ago: float = 20) -> dict[str, str]:
    """One lead per Today reason, plus one with nothing to do."""
    people = {
        "overdue": lead("Olga Overdue", "Late Ltd"),
        "fresh": dataclasses.replace(
            lead("Fred Fresh", "New GmbH"), assigned_at=NOW - timedelta(hours=assigned_hours_ago)
        ),
        "later": lead("Dana Later", "Afternoon AG"),
        "spike": lead(HOSTILE, "Markup & Sons"),
        "quiet": lead("Quinn Quiet", "Nothing Inc"),
    }
    ids = {key: x.id for key, x in people.items()}
    pricing = NurtureEvent(
        new_id(),
        ids["spike"],
        NurtureEventType.WEB_VISIT,
        NOW - timedelta(hours=1),
        asset="/pricing",
    )
    store.apply_pull_page(
        [
            *(RemoteUpsert("lead", x.id, 1, x) for x in people.values()),
            RemoteUpsert("nurture_event", pricing.id, 1, pricing),
        ],
        "seed-1",
    )
    store.set_sla_hours(24)
    for key, hours, why in (("overdue", -2, "Promised the SOC 2 report"), ("later", 5, "Pilot")):
        store.set_followup(
            new_followup(new_id(), ids[key], NOW + timedelta(hours=hours), why, NOW),
            FollowUpAction.CREATE,
        )
    return ids


def open_on_today(qtbot: Any, ctx: AppContext, clock: ManualClock) -> MainWindow:
    ctx.clock = clock
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1400, 820)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.waitUntil(lambda: window.today.model.ever_loaded and ctx.ops.idle)
    return window


def rows(window: MainWindow) -> list[tuple[str, str, str]]:
    model = window.today.model
    return [
        tuple(str(model.index(r, c).data()) for c in Column)  # type: ignore[misc]
        for r in range(model.rowCount())
    ]


def test_today_opens_first_in_order_with_reasons_and_countdowns(
    qtbot: Any, qtmodeltester: Any, app_ctx: AppContext
) -> None:
    ids = seed_day(app_ctx.store)
    clock = ManualClock(NOW, UTC)
    window = open_on_today(qtbot, app_ctx, clock)
    today = window.today
    assert window.left_tabs.currentWidget() is today
    assert today.table.hasFocus(), "the keyboard starts on Today"
    model = today.model
    qtbot.waitUntil(lambda: "Loading…" not in str(rows(window)))
    assert [i.lead_id for i in model.items] == [
        ids["overdue"],
        ids["fresh"],
        ids["later"],
        ids["spike"],
    ]
    assert rows(window) == [
        ("Overdue 2 h", "Olga Overdue · Late Ltd", "Call-back: Promised the SOC 2 report"),
        (
            "First call in 4 h",
            "Fred Fresh · New GmbH",
            "New lead: first call within marketing's 24 h",
        ),
        ("Due 15:00", "Dana Later · Afternoon AG", "Call-back: Pilot"),
        ("Why now", f"{HOSTILE} · Markup & Sons", "Visited the pricing page"),
    ]
    qtmodeltester.check(model, force_py=True)
    # The first lead is on the right, ready to call.
    view = window.lead_view
    qtbot.waitUntil(lambda: view.detail is not None and view.detail.lead.id == ids["overdue"])
    qtbot.waitUntil(lambda: app_ctx.ops.idle)
    grab(window, "today")
    app: Any = QApplication.instance()
    previous = app.palette()
    app.setPalette(dark_palette())
    try:
        grab(window, "today-dark")
    finally:
        app.setPalette(previous)

    # The countdown follows the clock; the first call leaves Today when its window closes.
    clock.advance(timedelta(hours=2))
    qtbot.waitUntil(lambda: rows(window)[1][0] == "First call in 2 h")
    clock.advance(timedelta(hours=2, minutes=1))
    qtbot.waitUntil(lambda: ids["fresh"] not in [i.lead_id for i in model.items])


def test_the_keyboard_works_the_list(qtbot: Any, app_ctx: AppContext) -> None:
    local: Any = app_ctx.store
    ids = seed_day(local, assigned_hours_ago=2)  # its first call is due tomorrow 08:00
    clock = ManualClock(NOW, UTC)
    window = open_on_today(qtbot, app_ctx, clock)
    today, table = window.today, window.today.table
    qtbot.waitUntil(lambda: window.lead_view.lead_id == ids["overdue"])

    qtbot.keyClick(table, Qt.Key.Key_J)
    qtbot.waitUntil(lambda: window.lead_view.lead_id == ids["fresh"])
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_K)
    assert today.current_item().lead_id == ids["fresh"]  # type: ignore[union-attr]

    # C: the call console for that lead, its timer running.
    qtbot.keyClick(table, Qt.Key.Key_C)
    qtbot.waitUntil(lambda: ids["fresh"] in window.consoles)
    console: Any = window.consoles[ids["fresh"]]
    qtbot.waitUntil(lambda: console.is_loaded)
    assert console.timer.started_at is not None
    console.ended = True
    console.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    table.setFocus()

    # X: skipped for today; the next lead takes its row.
    qtbot.keyClick(table, Qt.Key.Key_X)
    qtbot.waitUntil(lambda: ids["fresh"] not in [i.lead_id for i in today.model.items])
    assert today.current_item().lead_id == ids["later"]  # type: ignore[union-attr]

    # S on a lead without a call-back: "later today" makes one, and it leaves the list.
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert today.current_item().lead_id == ids["spike"]  # type: ignore[union-attr]
    qtbot.keyClick(table, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    qtbot.keyClick(QApplication.activePopupWidget(), Qt.Key.Key_L)
    qtbot.waitUntil(lambda: bool(local.followups(ids["spike"])))
    [snoozed] = local.followups(ids["spike"])
    assert snoozed.due_at == NOW + timedelta(hours=2)
    assert snoozed.reason == "Snoozed from Today: Visited the pricing page"
    # ...and is listed as the call-back due at 12:00, before the one at 15:00.
    qtbot.waitUntil(
        lambda: (
            [(i.lead_id, i.kind.value) for i in today.model.items]
            == [
                (ids["overdue"], "overdue"),
                (ids["spike"], "due_today"),
                (ids["later"], "due_today"),
            ]
        )
    )

    # S on the overdue call-back moves it to tomorrow morning.
    table.setFocus()
    today.select_row(0)
    assert today.current_item().lead_id == ids["overdue"]  # type: ignore[union-attr]
    qtbot.keyClick(table, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    qtbot.keyClick(QApplication.activePopupWidget(), Qt.Key.Key_T)
    qtbot.waitUntil(lambda: ids["overdue"] not in [i.lead_id for i in today.model.items])
    [moved] = local.followups(ids["overdue"])
    assert moved.due_at == datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
    assert moved.state is FollowUpState.OPEN

    # Enter opens the lead and hands the keyboard to it.
    table.setFocus()
    today.select_row(0)
    lead_id = today.current_item().lead_id  # type: ignore[union-attr]
    with qtbot.waitSignal(today.lead_activated) as opened:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert opened.args == [lead_id]
    qtbot.waitUntil(lambda: window.lead_view.lead_id == lead_id)

    # Tomorrow the skipped lead's first call is back (still inside its window) along with
    # the call-back moved to 9:00.
    clock.set(datetime(2026, 3, 11, 5, 0, tzinfo=UTC))
    qtbot.waitUntil(lambda: ids["fresh"] in [i.lead_id for i in today.model.items])
    clock.set(datetime(2026, 3, 11, 9, 1, tzinfo=UTC))
    qtbot.waitUntil(
        lambda: (
            (ids["overdue"], "overdue") in [(i.lead_id, i.kind.value) for i in today.model.items]
        )
    )


def test_ctrl_1_and_ctrl_2_switch_between_today_and_all_leads(
    qtbot: Any, app_ctx: AppContext
) -> None:
    seed_day(app_ctx.store)
    window = open_on_today(qtbot, app_ctx, ManualClock(NOW, UTC))
    qtbot.keyClick(window.today.table, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.left_tabs.currentWidget() is window.lead_list
    qtbot.keyClick(window.lead_list.table, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.left_tabs.currentWidget() is window.today
    qtbot.keyClick(window.today.table, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.left_tabs.currentWidget() is window.lead_list
    qtbot.waitUntil(window.lead_list.filter_bar.search.hasFocus)


def test_an_empty_day_says_what_will_show_up(qtbot: Any, app_ctx: AppContext) -> None:
    window = open_on_today(qtbot, app_ctx, ManualClock(NOW, UTC))
    assert window.today.model.rowCount() == 0
    assert "Nobody to call right now" in window.today.empty.text()


def test_todays_own_first_row_never_moves_the_lead_view_later(
    qtbot: Any, app_ctx: AppContext
) -> None:
    """Issue 9 (the GUI benchmark's other flake): when Today's list arrived it selected
    its first row and previewed it after the preview delay, so a lead opened within that
    delay (the benchmark's rich lead, or the rep's quick click in All leads) was replaced
    by Today's. Today now shows its own selection at once, when its list arrives."""
    ids = seed_day(app_ctx.store)
    app_ctx.clock = ManualClock(NOW, UTC)
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    opened: list[str] = []

    def open_another() -> None:  # right after Today selected its row, within the delay
        if not opened and window.today.has_items:
            opened.append(ids["quiet"])
            window.lead_view.show_lead(ids["quiet"])

    window.today.model.loaded.connect(open_another)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: bool(opened))
    if window.today._preview.isActive():  # Today's preview delay runs out first
        with qtbot.waitSignal(window.today._preview.timeout):
            pass
    qtbot.waitUntil(lambda: app_ctx.ops.idle)
    assert window.lead_view.lead_id == ids["quiet"], "the view stays on the lead opened"
    detail = window.lead_view.detail
    assert detail is not None and detail.lead.id == ids["quiet"]
