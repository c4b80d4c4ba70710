"""The main window: composes the lead list, the lead view, docks, menus and the status bar.

No logic lives here beyond wiring: each widget loads its own data through ops and
refreshes itself from `AppEvents`. The window only routes "which lead" between the list
and the view, opens dialogs and windows, and remembers its layout.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from repdesk.domain.errors import RepdeskError
from repdesk.gui.app_icon import app_icon
from repdesk.gui.context import AppContext
from repdesk.gui.lead_list.view import LeadListView
from repdesk.gui.lead_view.view import LeadView
from repdesk.gui.text import tr
from repdesk.gui.theme import SPACING
from repdesk.gui.today.view import TodayView
from repdesk.gui.update_notice import UPDATES_KEY, UpdateNotice
from repdesk.store import settings as registry

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1560, 920)
#: On first start the window takes at most this share of a smaller screen's free area.
SCREEN_SHARE = 0.92


def first_size(available: tuple[int, int] | None) -> tuple[int, int]:
    """The window's size on first start: DEFAULT_SIZE, shrunk to fit a smaller screen's
    available area (`None`: no real screen to fit, as when rendering offscreen)."""
    width, height = DEFAULT_SIZE
    if available is None:
        return width, height
    return (
        min(width, int(available[0] * SCREEN_SHARE)),
        min(height, int(available[1] * SCREEN_SHARE)),
    )


#: The lead list's share of the width on first start (it has eight columns to show).
LIST_SHARE = 0.6
#: Narrower than this (half a laptop screen), the lead pane goes under the list.
STACK_BELOW = 1100
#: The list's share of the height while stacked.
STACKED_LIST_SHARE = 0.45


def _encode(data: QByteArray) -> str:
    return bytes(data.toBase64().data()).decode("ascii")


def _decode(text: str) -> QByteArray:
    return QByteArray.fromBase64(text.encode("ascii"))


class MainWindow(QMainWindow):
    """`MainWindow(ctx)`; pass `controller` when the composition root made the SyncController.

    Signing in and out is the session owner's (`ctx.session`): the window only lends it a
    parent for the sign-in dialog and its notices.
    """

    def __init__(self, ctx: AppContext, *, controller: Any = None) -> None:
        super().__init__()
        self.ctx = ctx
        ctx.session.attach(self)
        self.setObjectName("mainWindow")
        self.setWindowTitle(tr("main", "repdesk"))
        self.setWindowIcon(app_icon())
        self.consoles: dict[str, QWidget] = {}
        self.outbox: QWidget | None = None
        self.collateral_library: QWidget | None = None

        self.lead_list = LeadListView(ctx, self)
        self.lead_view = LeadView(ctx, self)
        # Today (who to call next) is what the app opens on; every lead is one tab away.
        self.today = TodayView(ctx, self)
        self.left_tabs = QTabWidget(self)
        self.left_tabs.setObjectName("leftTabs")
        self.left_tabs.setDocumentMode(True)
        self.left_tabs.addTab(self.today, tr("main", "Today"))
        self.left_tabs.addTab(self.lead_list, tr("main", "All leads"))
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.left_tabs)
        self.splitter.addWidget(self.lead_view)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)

        self.controller = controller if controller is not None else _make_controller(ctx, self)
        self.banner = _make_banner(self)
        self.notifier = _make_notifier(self.banner, self.controller, self)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(SPACING, SPACING, SPACING, 0)
        if self.banner is not None:
            layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.outbox_dock = self._dock("outboxDock", tr("main", "Outbox"))
        self.collateral_dock = self._dock("collateralDock", tr("main", "Collateral library"))
        self.tabifyDockWidget(self.outbox_dock, self.collateral_dock)
        self._build_actions()
        self._build_menus()
        self._build_status_bar()

        self.lead_list.current_lead_changed.connect(self.lead_view.show_lead)
        self.lead_list.lead_activated.connect(self.open_lead)
        self.lead_view.call_started.connect(self.open_call_console)
        self.lead_list.log_call_requested.connect(self.open_call_console)
        self.lead_view.loaded.connect(lambda detail: self.lead_list.set_open_lead(detail.lead.id))
        self.lead_view.lead_gone.connect(lambda _id: self.lead_list.set_open_lead(None))
        self.lead_list.model.ids_loaded.connect(self._first_ids)
        self.today.current_lead_changed.connect(self._today_lead)
        self.today.lead_activated.connect(self.open_lead)
        self.today.call_requested.connect(self.open_call_console)
        # The layout once every widget exists (restoring it earlier, before the banner and
        # the rest were added, left the restored split undone on some starts), then the
        # first queries: the table's saved sort decides the first one.
        self.restore_layout()
        self.lead_list.start()
        self.today.start()
        self.today.focus_list()
        self.reminders = _make_reminders(self)
        self.reminders.start()

    # --- building ---------------------------------------------------------------------------

    def _dock(self, name: str, title: str) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setAllowedAreas(
            Qt.DockWidgetArea.BottomDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        dock.hide()
        return dock

    def _action(self, text: str, shortcut: str, slot: Any, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.search_action = self.lead_list.search_action
        # Ctrl+K searches All leads: bring that tab forward, then the search box.
        self.search_action.triggered.connect(self._search_leads)
        self.today_action = self._action(
            tr("main", "Today"), "Ctrl+1", self.show_today,
            tr("main", "Who to call next: call-backs, new leads, leads that just engaged"),
        )  # fmt: skip
        self.leads_action = self._action(tr("main", "All leads"), "Ctrl+2", self.show_leads)
        self.log_call_action = self.lead_list.log_call_action
        self.sync_action: QAction | None = getattr(self.controller, "action", None)
        self.outbox_action = self._action(
            tr("main", "Outbox"), "Ctrl+Shift+O", self.toggle_outbox,
            tr("main", "Your changes waiting to be sent, and anything marketing refused"),
        )  # fmt: skip
        self.outbox_action.setCheckable(True)
        self.collateral_action = self._action(
            tr("main", "Collateral library"), "Ctrl+Shift+L", self.toggle_collateral,
            tr("main", "Every file marketing shared, with previews"),
        )  # fmt: skip
        self.collateral_action.setCheckable(True)
        self.outbox_dock.visibilityChanged.connect(self.outbox_action.setChecked)
        self.collateral_dock.visibilityChanged.connect(self.collateral_action.setChecked)
        self.settings_action = self._action(tr("main", "Settings…"), "Ctrl+,", self.open_settings)
        self.sign_out_action = self._action(tr("main", "Sign out…"), "", self.sign_out)
        self.quit_action = self._action(tr("main", "Quit"), "Ctrl+Q", self.close)
        view = self.lead_view  # its tabs are built when first shown or asked for
        self.export_brief_action = self._action(
            tr("main", "Export call brief as PDF…"), "Ctrl+Shift+E", view.export_brief
        )
        self.print_brief_action = self._action(
            tr("main", "Print call brief…"), "Ctrl+P", view.print_brief
        )
        self.objection_action = self._action(
            tr("main", "Add objection…"), "Ctrl+Shift+J", view.add_objection
        )
        self.decide_action = self._action(
            tr("main", "Decide on lead…"), "Ctrl+Shift+D", view.decide
        )
        self.dial_action = self._action(
            tr("main", "Dial the lead's phone"), "Ctrl+Shift+C", self._dial_lead,
            tr("main", "Call with this computer's phone app; the call console opens"),
        )  # fmt: skip
        self.followup_action = self._action(
            tr("main", "Schedule call-back…"), "Ctrl+Shift+F", view.schedule_followup,
            tr("main", "When to call this lead again, and what for; repdesk reminds you"),
        )  # fmt: skip
        self.lead_view.loaded.connect(lambda _d: self._lead_actions(True))
        self.lead_view.lead_gone.connect(lambda _id: self._lead_actions(False))
        self._lead_actions(False)

    def _lead_actions(self, enabled: bool) -> None:
        for action in (
            self.export_brief_action,
            self.print_brief_action,
            self.objection_action,
            self.decide_action,
            self.followup_action,
            self.dial_action,
        ):
            action.setEnabled(enabled)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(tr("main", "&File"))
        if self.sync_action is not None:
            file_menu.addAction(self.sync_action)
            file_menu.addSeparator()
        file_menu.addActions([self.export_brief_action, self.print_brief_action])
        file_menu.addSeparator()
        file_menu.addActions([self.settings_action, self.sign_out_action])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        lead_menu = bar.addMenu(tr("main", "&Lead"))
        lead_menu.addActions([self.search_action, self.log_call_action, self.dial_action])
        lead_menu.addSeparator()
        lead_menu.addActions([self.objection_action, self.decide_action, self.followup_action])
        view_menu = bar.addMenu(tr("main", "&View"))
        view_menu.addActions([self.today_action, self.leads_action])
        view_menu.addSeparator()
        view_menu.addActions([self.outbox_action, self.collateral_action])

        toolbar = QToolBar(tr("main", "Main toolbar"), self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        if self.sync_action is not None:
            toolbar.addAction(self.sync_action)
        toolbar.addActions([self.log_call_action, self.search_action])
        toolbar.addSeparator()
        toolbar.addActions([self.outbox_action, self.collateral_action])
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.toolbar = toolbar

    def _build_status_bar(self) -> None:
        self.status_widget: QWidget | None = None
        if self.controller is None:
            return
        try:
            from repdesk.gui.status import SyncStatusBar
        except ImportError:  # pragma: no cover - lands with the sync helper's work
            return
        status = SyncStatusBar(self.ctx, self.controller, self)
        status.outbox_requested.connect(self.show_outbox)
        self.statusBar().addPermanentWidget(status, 1)
        self.status_widget = status
        self.update_notice: UpdateNotice | None = None
        updates = self.ctx.extras.get(UPDATES_KEY)
        if updates is not None:
            self.update_notice = UpdateNotice(self.ctx, updates, self.controller, parent=self)
            self.statusBar().addPermanentWidget(self.update_notice)

    # --- leads ------------------------------------------------------------------------------

    def open_lead(self, lead_id: str) -> None:
        """Show `lead_id` in the lead view and move the keyboard there."""
        self.lead_view.show_lead(lead_id)
        self.lead_view.focus_tabs()

    def open_call_console(self, lead_id: str) -> QWidget | None:
        """One console window per lead; a second Ctrl+L brings the open one forward."""
        console = self.consoles.get(lead_id)
        if console is not None:
            console.raise_()
            console.activateWindow()
            return console
        from repdesk.gui.call_console import CallConsole

        console = CallConsole(self.ctx, lead_id, self)
        console.setWindowFlag(Qt.WindowType.Window, True)
        console.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        console.destroyed.connect(lambda _obj=None, key=lead_id: self.consoles.pop(key, None))
        self.consoles[lead_id] = console
        console.resize(900, 640)
        console.show()
        return console

    def open_reminded_lead(self, lead_id: str) -> None:
        """A reminder was clicked: bring the window forward with that lead open."""
        if self.isMinimized():
            self.showNormal()
        self.raise_()
        self.activateWindow()
        self.lead_list.select_lead(lead_id)
        self.open_lead(lead_id)

    def show_today(self) -> None:
        """Bring the window forward on the list of who to call next (Ctrl+1)."""
        self.raise_()
        self.activateWindow()
        self.left_tabs.setCurrentWidget(self.today)
        self.today.focus_list()

    def show_leads(self) -> None:
        """Every lead, searchable and sortable (Ctrl+2)."""
        self.left_tabs.setCurrentWidget(self.lead_list)
        self.lead_list.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _dial_lead(self) -> None:
        self.lead_view.dial()

    def _search_leads(self) -> None:
        self.left_tabs.setCurrentWidget(self.lead_list)
        self.lead_list.focus_search()

    def _today_lead(self, lead_id: str) -> None:
        """Today's highlighted lead: shown on the right, and current in All leads too (so
        Ctrl+L and the other lead actions act on it)."""
        self.lead_view.show_lead(lead_id)  # first: the list's echo of it is then a no-op
        self.lead_list.select_lead(lead_id)

    def _first_ids(self) -> None:
        """Once, after the first load: reopen the lead the rep had open last time."""
        self.lead_list.model.ids_loaded.disconnect(self._first_ids)
        last = self._setting(registry.LAST_SELECTED_LEAD_ID)
        # With leads on Today, its first one is shown (Today selects it itself).
        show = not self.today.has_items
        if last and self.lead_list.select_lead(last):
            if show:
                self.lead_view.show_lead(last)
        elif self.lead_list.model.rowCount() > 0:
            first = self.lead_list.model.ids[0]
            self.lead_list.select_lead(first)
            if show:
                self.lead_view.show_lead(first)

    # --- docks and dialogs ------------------------------------------------------------------

    def show_outbox(self) -> QWidget:
        if self.outbox is None:
            from repdesk.gui.outbox_panel import OutboxPanel

            panel = OutboxPanel(self.ctx, self.outbox_dock)
            if self.sync_action is not None:
                panel.sync_requested.connect(self.sync_action.trigger)
            self.outbox_dock.setWidget(panel)
            self.outbox = panel
        self.outbox_dock.show()
        self.outbox_dock.raise_()
        return self.outbox

    def toggle_outbox(self) -> None:
        if self.outbox_dock.isVisible():
            self.outbox_dock.hide()
        else:
            self.show_outbox()

    def show_collateral_library(self) -> QWidget:
        if self.collateral_library is None:
            from repdesk.gui.collateral_library import CollateralLibrary

            library = CollateralLibrary(self.ctx, self.collateral_dock)
            self.collateral_dock.setWidget(library)
            self.collateral_library = library
        self.collateral_dock.show()
        self.collateral_dock.raise_()
        return self.collateral_library

    def toggle_collateral(self) -> None:
        if self.collateral_dock.isVisible():
            self.collateral_dock.hide()
        else:
            self.show_collateral_library()

    def _settings_dialog(self) -> Any:
        from repdesk.gui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.ctx, self, controller=self.controller)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return dialog

    def open_settings(self) -> Any:
        dialog = self._settings_dialog()
        dialog.open()
        return dialog

    def sign_out(self) -> Any:
        dialog = self._settings_dialog()
        dialog.sign_out()
        return dialog

    # --- layout memory ----------------------------------------------------------------------

    def _setting(self, setting: registry.Setting[str]) -> str:
        settings = self.ctx.settings
        return str(settings.get(setting)) if settings is not None else ""

    def restore_layout(self) -> None:
        """Window geometry, the list/detail split and the lead table's columns, as last left."""
        geometry = self._setting(registry.WINDOW_GEOMETRY)
        if not geometry or not self.restoreGeometry(_decode(geometry)):
            self.resize(*first_size(self._screen_area()))
        split = self._setting(registry.SPLITTER_STATE)
        if not split or not self.splitter.restoreState(_decode(split)):
            width = self.width()
            self.splitter.setSizes([int(width * LIST_SHARE), int(width * (1 - LIST_SHARE))])
        header = self._setting(registry.LEAD_TABLE_HEADER_STATE)
        if header:
            self.lead_list.table.horizontalHeader().restoreState(_decode(header))

    def _screen_area(self) -> tuple[int, int] | None:
        if QGuiApplication.platformName() == "offscreen":
            return None  # no screen to fit: pictures and tests render at the default size
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return None
        area = screen.availableGeometry()
        return area.width(), area.height()

    def save_layout(self) -> None:
        settings = self.ctx.settings
        if settings is None:
            return
        try:
            settings.set(registry.WINDOW_GEOMETRY, _encode(self.saveGeometry()), save=False)
            settings.set(registry.SPLITTER_STATE, _encode(self.splitter.saveState()), save=False)
            settings.set(
                registry.LEAD_TABLE_HEADER_STATE,
                _encode(self.lead_list.table.horizontalHeader().saveState()),
                save=False,
            )
            lead_id = self.lead_view.lead_id or ""
            settings.set(registry.LAST_SELECTED_LEAD_ID, lead_id, save=False)
            settings.save()
        except RepdeskError as exc:
            log.warning("could not save the window layout: %s", exc)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        """Side by side when there is room, else the lead pane under the list.

        The window may always be as narrow as the wider of the two (not their sum), so a
        rep can drag it down to half a laptop screen and get the stacked layout.
        """
        minimums = [w.minimumSizeHint().width() for w in (self.lead_list, self.lead_view)]
        self.splitter.setMinimumWidth(max(minimums))
        side_by_side = sum(minimums) + self.splitter.handleWidth() + 2 * SPACING
        vertical = self.width() < max(STACK_BELOW, side_by_side)
        orientation = Qt.Orientation.Vertical if vertical else Qt.Orientation.Horizontal
        if self.splitter.orientation() == orientation:
            return
        self.splitter.setOrientation(orientation)
        total = sum(self.splitter.sizes())
        first = int(total * (STACKED_LIST_SHARE if vertical else LIST_SHARE))
        self.splitter.setSizes([first, total - first])

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        for console in list(self.consoles.values()):
            if not console.close():
                # A console with an unfinished call asked to stay open: so does the window.
                event.ignore()
                return
        self.reminders.stop()
        self.save_layout()
        super().closeEvent(event)


def _make_controller(ctx: AppContext, parent: MainWindow) -> Any:
    try:
        from repdesk.gui.sync_controller import SyncController
    except ImportError:  # pragma: no cover - lands with the sync helper's work
        return None
    return SyncController(ctx, parent)


def _make_notifier(banner: QWidget | None, controller: Any, parent: QWidget) -> Any:
    """Tray message or in-window banner when syncing keeps failing or items are refused."""
    if controller is None:
        return None
    try:
        from repdesk.gui.notify import Notifier
    except ImportError:  # pragma: no cover
        return None
    notifier = Notifier(banner, parent=parent)  # type: ignore[arg-type]
    notifier.watch(controller)
    return notifier


def _make_reminders(window: MainWindow) -> Any:
    """Call-back reminders through the window's notifier (a banner-only one if sync has
    none): they work offline and signed out too."""
    from repdesk.gui.notify import Notifier
    from repdesk.gui.reminders import Reminders

    notifier = window.notifier
    if notifier is None:
        notifier = Notifier(window.banner, parent=window)  # type: ignore[arg-type]
        window.notifier = notifier
    return Reminders(
        window.ctx, notifier, window.open_reminded_lead, window.show_today, parent=window
    )


def _make_banner(parent: QWidget) -> QWidget | None:
    try:
        from repdesk.gui.notify import NoticeBanner
    except ImportError:  # pragma: no cover
        return None
    banner = NoticeBanner(parent)
    banner.hide()
    return banner
