"""A rep's day with call-backs, whole, against the real demo hub:

Today's queue -> a call started from the lead's `tel:` link (the system dialer stood in by
`QDesktopServices.setUrlHandler`, Qt's own seam) -> a call-back scheduled at the end of the
call -> the app restarted offline (hub stopped; a new Store, engine, AppContext and window
on the same data folder) -> the reminder fires when the clock reaches the call-back (the
app's clock moved forward, nothing waits for real time) -> the call-back call logged ->
back online: every change on the hub exactly once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

from repdesk.domain.followups import FollowUpState
from repdesk.domain.ids import utcnow
from repdesk.domain.outbox import MutationKind
from repdesk.gui.clock import ManualClock
from repdesk.gui.context import AppContext
from repdesk.gui.disposition_dialog import DispositionDialog
from repdesk.gui.handoff import dial_string
from repdesk.gui.main_window import MainWindow
from repdesk.store.settings import Settings
from tests.gui.test_offline_flow_support import (
    grab,
)
from tests.gui.test_rep_day import (
    activate,
    focused,
    press,
    sign_in_from_the_keyboard,
    sync_with_f5,
    type_text,
)
from tests.support.gui_fixtures import DemoHub

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
FIRST_CALL = "Reached their assistant: the VP is travelling, call back tomorrow."
CALL_BACK_FOR = "VP back from travel: walk through pricing"
SECOND_CALL = "Spoke with the VP: pricing for 25 seats, sends the security review."


class Dialer(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.called: list[str] = []

    @Slot(QUrl)
    def dial(self, url: QUrl) -> None:
        self.called.append(url.toString())


@pytest.fixture
def dialer(qapp: Any) -> Iterator[Dialer]:
    handler = Dialer()
    QDesktopServices.setUrlHandler("tel", handler, "dial")
    yield handler
    QDesktopServices.unsetUrlHandler("tel")


@dataclass
class Device:
    """The rep's computer: one data folder, opened (and reopened) like the app does."""

    root: Path
    contexts: list[AppContext] = field(default_factory=list)

    def start(self, clock: ManualClock) -> AppContext:
        from repdesk.store import Store
        from repdesk.sync.collateral import CollateralCache
        from repdesk.sync.credentials import Credentials
        from repdesk.sync.engine import SyncEngine
        from repdesk.sync.retry import NO_RETRY

        store = Store.open(self.root / "data")
        engine = SyncEngine(
            store, Credentials(), CollateralCache(self.root / "cache"), retry=NO_RETRY
        )
        session = store.sync_state().session
        ctx = AppContext.create(
            store,
            self.root / "data",
            settings=Settings(self.root / "config" / "settings.json"),
            sync=engine,
            collateral=engine.cache,
            rep_id=session.rep_id if session else "",
        )
        ctx.clock = clock
        self.contexts.append(ctx)
        return ctx

    def stop(self, ctx: AppContext) -> None:
        ctx.shutdown()
        ctx.store.close()


@pytest.fixture
def device(qapp: Any, tmp_path: Path) -> Iterator[Device]:
    computer = Device(tmp_path / "laptop")
    yield computer
    for ctx in computer.contexts:
        computer.stop(ctx)


def open_window(qtbot: Any, ctx: AppContext) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1500, 900)
    window.show()
    qtbot.waitExposed(window)
    activate(qtbot, window)
    return window


def end_call_with(qtbot: Any, console: Any, *, outcome: str, call_back: str = "") -> None:
    """Ctrl+Enter, pick the outcome, (schedule the call-back,) Enter; all by keyboard."""
    ended: list[object] = []
    console.call_ended.connect(ended.append)
    press(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), DispositionDialog))
    dialog: Any = QApplication.activeModalWidget()
    qtbot.waitUntil(lambda: focused() is dialog.outcome)
    dialog.outcome.setCurrentIndex(dialog.outcome.findData(outcome))
    if call_back:
        assert dialog.callback.isChecked(), "asked to call back: the call-back is pre-ticked"
        press(qtbot, Qt.Key.Key_F, ALT)  # "What &for"
        assert focused() is dialog.callback_fields.reason
        type_text(qtbot, call_back)
    grab(dialog, f"day-end-call-{outcome}")
    press(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: ended != [])
    qtbot.waitUntil(lambda: console.ctx.ops.idle if shiboken6.isValid(console) else True)


def test_a_day_of_call_backs_online_offline_restarted_and_back(
    qtbot: Any,
    demo_hub: DemoHub,
    device: Device,
    dialer: Dialer,
) -> None:
    morning = utcnow()
    clock = ManualClock(morning, UTC)
    ctx = device.start(clock)
    store: Any = ctx.store
    sign_in_from_the_keyboard(qtbot, ctx, demo_hub)
    window = open_window(qtbot, ctx)
    sync_with_f5(qtbot, window)

    # Morning: Today lists who to call; the keyboard is on it.
    today = window.today
    qtbot.waitUntil(lambda: today.model.ever_loaded and today.model.rowCount() > 0)
    assert window.left_tabs.currentWidget() is today
    activate(qtbot, window)
    today.focus_list()
    qtbot.waitUntil(today.table.hasFocus)
    # J down the list to the first lead with a phone number.
    target = None
    for _ in range(today.model.rowCount()):
        item = today.current_item()
        assert item is not None
        lead = store.lead(item.lead_id)
        if lead is not None and dial_string(lead.phone):
            target = lead
            break
        press(qtbot, Qt.Key.Key_J)
    assert target is not None, "the demo has leads with phone numbers on Today"
    view = window.lead_view
    qtbot.waitUntil(lambda: view.detail is not None and view.detail.lead.id == target.id)
    grab(window, "day-today")

    # The phone number is a tel: link: the dialer gets it, the console opens, timer running.
    qtbot.mouseClick(view.header.phone, Qt.MouseButton.LeftButton)
    assert dialer.called == [f"tel:{dial_string(target.phone)}"]
    qtbot.waitUntil(lambda: target.id in window.consoles)
    console: Any = window.consoles[target.id]
    qtbot.waitExposed(console)
    activate(qtbot, console)
    qtbot.waitUntil(lambda: console.is_loaded and focused() is console.notes)
    assert console.timer.started_at is not None
    type_text(qtbot, FIRST_CALL)
    end_call_with(qtbot, console, outcome="call_back", call_back=CALL_BACK_FOR)
    [callback] = [f for f in store.followups(target.id) if f.reason == CALL_BACK_FOR]
    tomorrow_nine = datetime.combine(
        (morning + timedelta(days=1)).date(), datetime.min.time(), tzinfo=UTC
    ) + timedelta(hours=9)
    assert callback.due_at == tomorrow_nine and callback.is_open
    sync_with_f5(qtbot, window)  # the call and the call-back reach the hub
    assert store.outbox_counts().pending == 0

    # Evening: the laptop goes offline and repdesk is closed.
    port = demo_hub.server.port
    demo_hub.server.stop()
    window.close()
    device.stop(ctx)
    device.contexts.remove(ctx)

    # Next morning, on the train: repdesk starts again on the same data folder, offline.
    clock = ManualClock(tomorrow_nine - timedelta(minutes=30), UTC)
    ctx = device.start(clock)
    store = ctx.store
    window = open_window(qtbot, ctx)
    reminders = window.reminders
    qtbot.waitUntil(lambda: reminders.next_at == callback.due_at)
    with qtbot.waitSignal(reminders.reminded) as shown:
        clock.advance(timedelta(minutes=31))  # 9:01: the call-back is due
    [due] = shown.args[0]
    assert due.followup.id == callback.id
    banner: Any = window.banner
    assert CALL_BACK_FOR in banner.text() and target.full_name in banner.text()
    grab(window, "day-reminder")
    banner.action_button.click()  # opens the lead
    qtbot.waitUntil(lambda: view_of(window) == target.id)

    # The call-back call, logged offline; the end-of-call dialog ticks the call-back off.
    activate(qtbot, window)
    today = window.today
    qtbot.waitUntil(lambda: today.model.row_of(target.id) is not None)
    today.select_row(today.model.row_of(target.id))  # type: ignore[arg-type]
    today.focus_list()
    qtbot.waitUntil(today.table.hasFocus)
    press(qtbot, Qt.Key.Key_C)
    qtbot.waitUntil(lambda: target.id in window.consoles)
    console = window.consoles[target.id]
    qtbot.waitExposed(console)
    activate(qtbot, console)
    qtbot.waitUntil(lambda: console.is_loaded and focused() is console.notes)
    type_text(qtbot, SECOND_CALL)
    end_call_with(qtbot, console, outcome="connected")
    done = store.followup(callback.id)
    assert done is not None and done.state is FollowUpState.DONE
    sync_with_f5(qtbot, window)
    assert "Offline" in window.status_widget.online_label.text()  # type: ignore[union-attr]
    unsent = [i for i in store.outbox() if outbox_state(i) == "pending"]
    assert {i.kind for i in unsent} == {MutationKind.CALL_NOTE_CREATE, MutationKind.FOLLOWUP_SET}

    # Back in the office: the hub again, same port; F5 sends everything once.
    from repdesk.hub.embedded import EmbeddedHub

    demo_hub.server = EmbeddedHub(demo_hub.server.config, port=port)
    demo_hub.server.start()
    sync_with_f5(qtbot, window)
    assert store.outbox_counts().pending == 0
    sync_with_f5(qtbot, window)  # and again: nothing twice
    assert_hub_has_the_day_once(demo_hub, target.id, callback.id, [i.id for i in store.outbox()])


def view_of(window: MainWindow) -> str | None:
    detail = window.lead_view.detail
    return detail.lead.id if detail is not None else None


def outbox_state(item: Any) -> str:
    return str(item.state.value)


def assert_hub_has_the_day_once(
    demo_hub: DemoHub,
    lead_id: str,
    followup_id: str,
    mutation_ids: list[str],
) -> None:
    from sqlalchemy import select

    from repdesk.hub.db import models as m

    with demo_hub.server.state.db.session() as s:
        processed = s.scalars(
            select(m.ProcessedMutation.mutation_id).where(
                m.ProcessedMutation.mutation_id.in_(mutation_ids)
            )
        ).all()
        assert sorted(processed) == sorted(mutation_ids), "every change arrived exactly once"
        kinds = s.scalars(
            select(m.ProcessedMutation.kind).where(
                m.ProcessedMutation.mutation_id.in_(mutation_ids)
            )
        ).all()
        assert sorted(kinds) == sorted(
            ["call_note.create", "call_note.create", "followup.set", "followup.set"]
        )
        notes = s.scalars(select(m.CallNote.body).where(m.CallNote.lead_id == lead_id)).all()
        assert notes.count(FIRST_CALL) == 1 and notes.count(SECOND_CALL) == 1
        followups = s.scalars(select(m.FollowUpRow).where(m.FollowUpRow.lead_id == lead_id)).all()
        assert [(f.id, f.state, f.reason, f.version) for f in followups] == [
            (followup_id, "done", CALL_BACK_FOR, 2)
        ]
