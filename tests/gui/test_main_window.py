"""The main window: keyboard flow (Ctrl+K, arrows, Enter, Ctrl+L), docks, layout memory."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from repdesk.gui.context import AppContext
from repdesk.gui.main_window import MainWindow
from repdesk.store import settings as registry
from repdesk.store.settings import Settings
from tests.gui.lead_data import Seeded
from tests.gui.lead_fixtures import app_ctx, seeded, store  # noqa: F401


def make_window(qtbot: Any, ctx: AppContext) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    model = window.lead_list.model
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() > 0)
    qtbot.waitUntil(lambda: window.lead_view.detail is not None)
    return window


def test_keyboard_search_arrows_enter_and_log_call(
    qtbot: Any,
    app_ctx: AppContext,  # noqa: F811
    seeded: Seeded,  # noqa: F811
) -> None:
    window = make_window(qtbot, app_ctx)
    lead_list = window.lead_list
    search = lead_list.filter_bar.search

    qtbot.keyClick(window.lead_list.table, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(search.hasFocus)

    with qtbot.waitSignal(lead_list.model.ids_loaded):
        qtbot.keyClicks(search, "Hamilton")
    ids = list(lead_list.model.ids)
    assert seeded.rich_id in ids

    qtbot.keyClick(search, Qt.Key.Key_Down)
    assert lead_list.table.hasFocus()
    assert lead_list.current_lead_id() == ids[0]
    if len(ids) > 1:
        qtbot.keyClick(lead_list.table, Qt.Key.Key_Down)
        assert lead_list.current_lead_id() == ids[1]
    target = seeded.rich_id
    lead_list.select_lead(target)

    with qtbot.waitSignal(lead_list.lead_activated) as activated:
        qtbot.keyClick(lead_list.table, Qt.Key.Key_Return)
    assert activated.args == [target]
    qtbot.waitUntil(
        lambda: window.lead_view.detail is not None and window.lead_view.detail.lead.id == target
    )

    qtbot.keyClick(lead_list.table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: target in window.consoles)
    console: Any = window.consoles[target]
    assert console.lead_id == target
    qtbot.waitUntil(lambda: console.is_loaded)
    # Ctrl+L again brings the same console forward instead of opening a second one.
    assert window.open_call_console(target) is console
    console.ended = True  # close it without the "end the call?" question
    console.close()


def test_enter_in_search_opens_the_first_match(
    qtbot: Any,
    app_ctx: AppContext,  # noqa: F811
    seeded: Seeded,  # noqa: F811
) -> None:
    window = make_window(qtbot, app_ctx)
    search = window.lead_list.filter_bar.search
    window.lead_list.focus_search()
    qtbot.keyClicks(search, "Margaret Hamilton")
    with qtbot.waitSignal(window.lead_list.lead_activated) as activated:
        qtbot.keyClick(search, Qt.Key.Key_Return)
    assert activated.args == [seeded.rich_id]


def test_docks_open_from_their_shortcuts(
    qtbot: Any,
    app_ctx: AppContext,  # noqa: F811
) -> None:
    window = make_window(qtbot, app_ctx)
    assert window.outbox_action.shortcut() == QKeySequence("Ctrl+Shift+O")
    assert window.sync_action is not None
    assert window.sync_action.shortcut() == QKeySequence("F5")
    assert not window.outbox_dock.isVisible()
    qtbot.keyClick(
        window.lead_list.table,
        Qt.Key.Key_O,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(window.outbox_dock.isVisible)
    assert type(window.outbox).__name__ == "OutboxPanel"
    window.toggle_outbox()
    assert not window.outbox_dock.isVisible()

    window.collateral_action.trigger()
    qtbot.waitUntil(window.collateral_dock.isVisible)
    assert type(window.collateral_library).__name__ == "CollateralLibrary"


def test_geometry_splitter_and_columns_round_trip(
    qtbot: Any,
    app_ctx: AppContext,  # noqa: F811
    seeded: Seeded,  # noqa: F811
) -> None:
    window = make_window(qtbot, app_ctx)
    # The offscreen test screen is 800x800; restoreGeometry keeps windows on screen.
    window.resize(780, 590)
    window.splitter.setSizes([430, 330])
    sizes = window.splitter.sizes()
    header = window.lead_list.table.horizontalHeader()
    header.resizeSection(0, 222)
    window.lead_list.select_lead(seeded.rich_id)
    window.lead_view.show_lead(seeded.rich_id)
    qtbot.waitUntil(lambda: window.lead_view.lead_id == seeded.rich_id)
    window.close()

    settings = app_ctx.settings
    assert settings.get(registry.WINDOW_GEOMETRY)
    # What was saved is read back from the file, as on the next start.
    app_ctx.settings = Settings.load(settings.path)
    again = make_window(qtbot, app_ctx)
    assert (again.width(), again.height()) == (780, 590)
    assert again.splitter.sizes() == sizes
    assert again.lead_list.table.horizontalHeader().sectionSize(0) == 222
    qtbot.waitUntil(lambda: again.lead_view.lead_id == seeded.rich_id)
    assert again.lead_list.current_lead_id() == seeded.rich_id


def test_first_start_uses_default_layout(
    qtbot: Any,
    app_ctx: AppContext,  # noqa: F811
) -> None:
    window = make_window(qtbot, app_ctx)
    left, right = window.splitter.sizes()
    assert left > right > 0, "the eight-column list gets the larger share"
    assert QApplication.activeModalWidget() is None
