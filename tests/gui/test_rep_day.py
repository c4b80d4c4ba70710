"""A rep's whole day, from the keyboard, against the real demo hub: online, offline, online.

Everything is real: the demo hub (`repdesk.app.demo.start_demo_hub`) seeded with the
project's demo data and served on loopback, stopped and restarted on the same port (so the
saved session URL stays valid); the SyncEngine; a Store in tmp_path; the SignInDialog and
the MainWindow with its call console, dialogs, outbox and status bar. Every wait is on a
signal or a condition.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from repdesk.domain.outbox import MutationKind
from repdesk.domain.qualification import BantDimension
from repdesk.gui.context import AppContext
from repdesk.gui.disposition_dialog import DispositionDialog
from repdesk.gui.lead_list.model import Column
from repdesk.gui.main_window import MainWindow
from repdesk.gui.objection_dialog import ObjectionDialog
from repdesk.gui.outbox_model import OutboxModel
from repdesk.gui.signin import SignInDialog
from repdesk.store.api import LeadQuery
from repdesk.store.settings import Settings
from tests.support.gui_fixtures import DemoHub

HOSTILE = "<b>x</b><img src=y>"
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
FIRST_NOTE = "Talked budget and timing with the VP. Sending the security overview."
OFFLINE_NOTE = "Called back from the train: no signal, so this waits in the outbox."
OBJECTION_WORDS = "Your competitor quoted us 20% less."


# --- the world: a demo hub and a fresh client --------------------------------------------


@pytest.fixture
def client(qapp: Any, tmp_path: Path) -> Iterator[AppContext]:
    from repdesk.store import Store
    from repdesk.sync.collateral import CollateralCache
    from repdesk.sync.credentials import Credentials
    from repdesk.sync.engine import SyncEngine
    from repdesk.sync.retry import NO_RETRY

    store = Store.open(tmp_path / "client")
    # No retries: "offline" shows at the first failure instead of after a backoff.
    engine = SyncEngine(store, Credentials(), CollateralCache(tmp_path / "cache"), retry=NO_RETRY)
    ctx = AppContext.create(
        store,
        tmp_path / "client",
        settings=Settings(tmp_path / "config" / "settings.json"),
        sync=engine,
        collateral=engine.cache,
    )
    yield ctx
    ctx.shutdown()
    store.close()


@pytest.fixture
def outbox_modeltester(qapp: Any, pytestconfig: pytest.Config) -> Iterator[Any]:
    """A second model tester: pytest-qt's `qtmodeltester` watches one model at a time."""
    from pytestqt.modeltest import ModelTester

    tester = ModelTester(pytestconfig)
    yield tester
    tester._cleanup()  # what pytest-qt's own fixture does at teardown


# --- keyboard helpers ---------------------------------------------------------------------


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "something must have keyboard focus"
    return widget


NO_MOD = Qt.KeyboardModifier.NoModifier


def press(qtbot: Any, key: Qt.Key, mod: Qt.KeyboardModifier = NO_MOD) -> None:
    qtbot.keyClick(focused(), key, mod)


def type_text(qtbot: Any, text: str) -> None:
    qtbot.keyClicks(focused(), text)


def activate(qtbot: Any, window: QWidget) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def sync_with_f5(qtbot: Any, window: MainWindow) -> None:
    activate(qtbot, window)
    controller = window.controller
    with qtbot.waitSignal(controller.ended):
        press(qtbot, Qt.Key.Key_F5)
    # Views re-read the store after the sync's changes: wait until those reads landed.
    qtbot.waitUntil(lambda: window.ctx.ops.idle)


def shown_lead(window: MainWindow) -> str | None:
    """The lead whose details the lead view shows (loaded, not just asked for)."""
    detail = window.lead_view.detail
    return detail.lead.id if detail is not None else None


def outbox_states(window: MainWindow) -> dict[str, str]:
    model: Any = window.outbox.model  # type: ignore[union-attr]
    return {
        model.index(r, 0).data(OutboxModel.ID_ROLE): model.index(r, 0).data(OutboxModel.STATE_ROLE)
        for r in range(model.rowCount())
    }


def sign_in_from_the_keyboard(qtbot: Any, ctx: AppContext, demo_hub: DemoHub) -> None:
    dialog = SignInDialog(ctx, allow_demo=False)
    qtbot.addWidget(dialog)
    dialog.show()
    activate(qtbot, dialog)
    qtbot.waitUntil(lambda: focused() is dialog.hub_edit)
    type_text(qtbot, demo_hub.url)
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, demo_hub.email)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is dialog.password_edit
    type_text(qtbot, demo_hub.password)
    with qtbot.waitSignal(dialog.signed_in):
        press(qtbot, Qt.Key.Key_Return)
    assert ctx.rep_id == demo_hub.rep_id


# --- the day ------------------------------------------------------------------------------


def test_a_reps_day_online_offline_and_back(
    qtbot: Any, qtmodeltester: Any, outbox_modeltester: Any, client: AppContext, demo_hub: DemoHub
) -> None:
    ctx = client
    store: Any = ctx.store

    # Morning: sign in, the window opens, F5 brings the leads.
    sign_in_from_the_keyboard(qtbot, ctx, demo_hub)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    sync_with_f5(qtbot, window)
    lead_list = window.lead_list
    model = lead_list.model
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() > 10)
    assert "Online" in window.status_widget.online_label.text()  # type: ignore[union-attr]
    qtmodeltester.check(model, force_py=True)

    # Marketing's text is never markup: the list and the header show the characters.
    hostile = demo_hub.hostile_lead_id
    assert lead_list.select_lead(hostile)
    row = model.row_of(hostile)
    assert row is not None
    qtbot.waitUntil(lambda: model.cached_row(row) is not None)
    assert model.data(model.index(row, Column.NAME)) == HOSTILE
    window.lead_view.show_lead(hostile)
    qtbot.waitUntil(lambda: shown_lead(window) == hostile)
    header = window.lead_view.header
    assert header.name.text() == HOSTILE
    assert header.name.textFormat() == Qt.TextFormat.PlainText

    # Ctrl+K, part of a name, the list filters in SQL (full-text), Down and Enter open it.
    target_name = next(
        r.name
        for r in store.lead_rows(store.lead_ids(LeadQuery()))
        if r.id != hostile and " " in r.name
    )
    part = target_name.split()[-1][:5]
    activate(qtbot, window)
    press(qtbot, Qt.Key.Key_K, CTRL)
    qtbot.waitUntil(lead_list.filter_bar.search.hasFocus)
    with qtbot.waitSignal(model.ids_loaded):
        type_text(qtbot, part)
    qtbot.waitUntil(lambda: not model.loading)
    assert model.query.search == part
    expected = store.lead_ids(LeadQuery(search=part))
    assert list(model.ids) == expected and 0 < len(expected) < 30
    press(qtbot, Qt.Key.Key_Down)
    assert lead_list.table.hasFocus()
    lead_id = lead_list.current_lead_id()
    assert lead_id == expected[0]
    with qtbot.waitSignal(lead_list.lead_activated) as activated:
        press(qtbot, Qt.Key.Key_Return)
    assert activated.args == [lead_id]
    qtbot.waitUntil(lambda: shown_lead(window) == lead_id)
    assert part.casefold() in (window.lead_view.header.name.text()).casefold()

    # Ctrl+L: the call console. BANT answers, their words and an objection by keyboard.
    console = open_console(qtbot, window)
    type_text(qtbot, FIRST_NOTE)
    for letter, digit in (
        (Qt.Key.Key_B, Qt.Key.Key_2),
        (Qt.Key.Key_A, Qt.Key.Key_1),
        (Qt.Key.Key_T, Qt.Key.Key_2),
    ):
        press(qtbot, letter, ALT)
        press(qtbot, digit)
        assert focused() is console.notes, "a quick pick hands the keyboard back to the notes"
    press(qtbot, Qt.Key.Key_N, ALT)
    press(qtbot, Qt.Key.Key_V)
    type_text(qtbot, "Forecasts are off by 15% every quarter")
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_N, ALT)
    press(qtbot, Qt.Key.Key_2)
    qtbot.waitUntil(lambda: ctx.ops.idle)

    press(qtbot, Qt.Key.Key_O, CTRL)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), ObjectionDialog))
    objection: Any = QApplication.activeModalWidget()
    qtbot.waitUntil(lambda: objection.category.isEnabled() and focused() is objection.category)
    label = objection.category.itemText(1)
    type_text(qtbot, label[:4])  # type-ahead picks marketing's category
    chosen = objection.category.currentData()
    assert chosen
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, OBJECTION_WORDS)
    press(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: not shiboken6.isValid(objection) or not objection.isVisible())
    qtbot.waitUntil(lambda: OBJECTION_WORDS in console.objection_list.text())

    # End the call: accept the lead, all from the keyboard.
    end_call(qtbot, console, accept=True)
    bant = store.bant(lead_id)
    assert bant.need is not None and bant.need.verbatim == "Forecasts are off by 15% every quarter"
    assert all(bant.get(d) is not None for d in BantDimension)

    # Afternoon on the train: the hub is gone, work goes on.
    port = demo_hub.server.port
    demo_hub.server.stop()
    activate(qtbot, window)
    console = open_console(qtbot, window)
    type_text(qtbot, OFFLINE_NOTE)
    end_call(qtbot, console, accept=False)
    sync_with_f5(qtbot, window)
    status: Any = window.status_widget
    assert "Offline" in status.online_label.text()
    activate(qtbot, window)
    press(qtbot, Qt.Key.Key_O, CTRL | SHIFT)
    qtbot.waitUntil(lambda: window.outbox is not None and window.outbox_dock.isVisible())
    qtbot.waitUntil(lambda: ctx.ops.idle)
    outbox: Any = window.outbox
    outbox_modeltester.check(outbox.model, force_py=True)
    mine = [i for i in store.outbox() if i.lead_id == lead_id]
    kinds = [i.kind for i in mine]
    assert kinds.count(MutationKind.CALL_NOTE_CREATE) == 2
    assert kinds.count(MutationKind.OBJECTION_CREATE) == 1
    assert kinds.count(MutationKind.DISPOSITION_SET) == 1
    assert MutationKind.QUALIFICATION_UPDATE in kinds
    assert set(outbox_states(window).values()) == {"pending"}
    assert len(outbox_states(window)) == len(store.outbox())
    assert status.pending_button.text() == f"{len(store.outbox())} unsent"

    # Back in the office: the same hub on the same port; F5 drains the outbox.
    from repdesk.hub.embedded import EmbeddedHub

    demo_hub.server = EmbeddedHub(demo_hub.server.config, port=port)
    demo_hub.server.start()
    sync_with_f5(qtbot, window)
    assert "Online" in status.online_label.text()
    qtbot.waitUntil(lambda: set(outbox_states(window).values()) == {"applied"})
    assert store.outbox_counts().pending == 0
    assert status.pending_button.text() == "All sent"
    assert_hub_has_each_once(demo_hub, lead_id, [i.id for i in mine])


def open_console(qtbot: Any, window: MainWindow) -> Any:
    activate(qtbot, window)
    press(qtbot, Qt.Key.Key_L, CTRL)
    lead_id = window.lead_view.lead_id
    qtbot.waitUntil(lambda: lead_id in window.consoles)
    console: Any = window.consoles[lead_id]
    qtbot.waitExposed(console)
    activate(qtbot, console)
    qtbot.waitUntil(lambda: console.is_loaded)
    qtbot.waitUntil(lambda: focused() is console.notes)
    return console


def end_call(qtbot: Any, console: Any, *, accept: bool) -> None:
    ended: list[object] = []
    console.call_ended.connect(ended.append)
    press(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), DispositionDialog))
    dialog: Any = QApplication.activeModalWidget()
    qtbot.waitUntil(lambda: focused() is dialog.outcome)
    if accept:
        press(qtbot, Qt.Key.Key_A, ALT)
        qtbot.waitUntil(dialog.accept_radio.isChecked)  # a mnemonic "clicks" with an animation
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ended != [])
    qtbot.waitUntil(lambda: console.window().ctx.ops.idle if shiboken6.isValid(console) else True)


def assert_hub_has_each_once(demo_hub: DemoHub, lead_id: str, mutation_ids: list[str]) -> None:
    from sqlalchemy import func, select

    from repdesk.hub.db import models as m

    with demo_hub.server.state.db.session() as s:
        processed = s.scalars(
            select(m.ProcessedMutation.mutation_id).where(
                m.ProcessedMutation.mutation_id.in_(mutation_ids)
            )
        ).all()
        assert sorted(processed) == sorted(mutation_ids), "every change arrived exactly once"
        notes = s.scalars(select(m.CallNote.body).where(m.CallNote.lead_id == lead_id)).all()
        assert notes.count(FIRST_NOTE) == 1 and notes.count(OFFLINE_NOTE) == 1
        objections = s.scalar(
            select(func.count())
            .select_from(m.ObjectionRow)
            .where(m.ObjectionRow.lead_id == lead_id, m.ObjectionRow.verbatim == OBJECTION_WORDS)
        )
        assert objections == 1
        dispositions = s.scalars(
            select(m.DispositionRow.kind).where(m.DispositionRow.mutation_id.in_(mutation_ids))
        ).all()
        assert dispositions == ["accept"]
        need = s.scalar(
            select(m.QualificationField.verbatim).where(
                m.QualificationField.lead_id == lead_id, m.QualificationField.dimension == "need"
            )
        )
        assert need == "Forecasts are off by 15% every quarter"
