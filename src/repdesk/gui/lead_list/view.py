"""The lead list: filter bar, the id-backed table and its keyboard actions."""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QHideEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QVBoxLayout, QWidget

from repdesk.domain.changes import Changes
from repdesk.gui.context import AppContext
from repdesk.gui.lead_list.filter_bar import FilterBar
from repdesk.gui.lead_list.labels import plural
from repdesk.gui.lead_list.model import COLUMN_OF_SORT, Column, LeadTableModel
from repdesk.gui.ops import QueryOp
from repdesk.gui.rep_table import RepInputTable
from repdesk.gui.text import plain_label, tr
from repdesk.gui.theme import SPACING_S, Tone, set_tone
from repdesk.store.api import LeadQuery

log = logging.getLogger(__name__)

#: Arrowing through the list previews each lead; wait for the rep to settle first.
PREVIEW_DELAY_MS = 120

_WIDTHS: dict[Column, int] = {
    Column.NAME: 140,
    Column.COMPANY: 140,
    Column.STAGE: 90,
    Column.SCORE: 52,
    Column.READINESS: 165,
    Column.LAST_TOUCH: 100,
    Column.NEXT_STEP: 170,
    Column.UNSENT: 64,
}


#: Columns given up, in this order, when the list is too narrow for the next step to be read.
_DROP_ORDER = (Column.STAGE, Column.LAST_TOUCH, Column.SCORE, Column.COMPANY)
#: The next step the column must show whole ("Ask about" + the longest BANT word).
NEXT_STEP_SAMPLE = "Ask about timeframe"


class LeadTable(RepInputTable):
    """The table itself: fixed row heights (no per-row measuring at 100k rows); `by_rep`
    tells the rep's own moves from rows Qt or code made current (`gui/rep_table.py`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("leadTable")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = self.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(True)
        header.setStretchLastSection(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setMinimumSectionSize(48)


class LeadListView(QWidget):
    """Shows the rep's leads; emits which lead to show, open or call.

    Its actions (`search_action` Ctrl+K, `log_call_action` Ctrl+L) belong to this widget;
    the main window also puts them in its menus.
    """

    current_lead_changed = Signal(object)
    """The highlighted lead id (str), shortly after the rep stops moving; None when cleared."""
    lead_activated = Signal(str)
    """Enter or double-click: open this lead."""
    log_call_requested = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("leadList")
        self.filter_bar = FilterBar(self)
        self.model = LeadTableModel(ctx.ops, self)
        self.table = LeadTable(self)
        self.table.setModel(self.model)
        self.count_label = plain_label("", self)
        self.count_label.setObjectName("leadCount")
        set_tone(self.count_label, Tone.MUTED)
        self._shown_id: str | None = None
        self._open_id: str | None = None
        """The lead open in the lead view (see `set_open_lead`), in this list or not."""
        self._keep_id: str | None = None
        self._keep_preview = False
        """The kept row was the rep's move, not previewed yet when the list reloaded."""
        self._open_first_when_loaded = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACING_S)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)

        header = self.table.horizontalHeader()
        for column, width in _WIDTHS.items():
            header.resizeSection(column, width)
        header.setSectionResizeMode(Column.NEXT_STEP, QHeaderView.ResizeMode.Stretch)
        self.table.viewport().installEventFilter(self)
        query = self.model.query
        header.setSortIndicator(
            COLUMN_OF_SORT[query.sort],
            Qt.SortOrder.DescendingOrder if query.descending else Qt.SortOrder.AscendingOrder,
        )
        self.table.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(self._sort_indicator_changed)

        self.search_action = QAction(tr("leads", "Find lead…"), self)
        self.search_action.setShortcut(QKeySequence("Ctrl+K"))
        self.search_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.search_action.triggered.connect(self.focus_search)
        self.log_call_action = QAction(tr("leads", "Log a call…"), self)
        self.log_call_action.setShortcut(QKeySequence("Ctrl+L"))
        self.log_call_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.log_call_action.setEnabled(False)
        self.log_call_action.triggered.connect(self._log_call)
        self.addActions([self.search_action, self.log_call_action])

        self._preview = QTimer(self)
        self._preview.setSingleShot(True)
        self._preview.setInterval(PREVIEW_DELAY_MS)
        self._preview.timeout.connect(self._emit_current)

        self.filter_bar.filter_changed.connect(self._filter_changed)
        self.filter_bar.move_down.connect(self._enter_table)
        self.filter_bar.accepted.connect(self._search_accepted)
        self.table.activated.connect(self._activated)
        self.table.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.model.about_to_reset.connect(self._remember_current)
        self.model.ids_loaded.connect(self._ids_loaded)
        ctx.events.changed.connect(self._on_changes)

    # --- public -----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Resize and watched is self.table.viewport():
            self._prioritise_columns()
        return False

    def _prioritise_columns(self) -> None:
        """Keep the next step readable: when the list is narrow, give up the columns of
        `_DROP_ORDER` one by one (and take them back as soon as there is room)."""
        header = self.table.horizontalHeader()
        room = self.table.viewport().width()
        metrics = self.table.fontMetrics()
        wanted = metrics.horizontalAdvance(NEXT_STEP_SAMPLE) + 2 * metrics.averageCharWidth()

        def others() -> int:
            return sum(
                header.sectionSize(c)
                for c in Column
                if c != Column.NEXT_STEP and not header.isSectionHidden(c)
            )

        for column in reversed(_DROP_ORDER):
            if header.isSectionHidden(column):
                if room - others() - _WIDTHS[column] < wanted:
                    break
                header.setSectionHidden(column, False)
        for column in _DROP_ORDER:
            if room - others() >= wanted:
                break
            header.setSectionHidden(column, True)

    def start(self) -> None:
        """First load: the ids for the default query and the campaign filter's choices."""
        self.model.set_query(self.model.query)
        self._load_campaigns()

    def focus_search(self) -> None:
        self.filter_bar.focus_search()

    def current_lead_id(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.lead_id(index.row()) if index.isValid() else None

    def select_lead(self, lead_id: str) -> bool:
        """Highlight `lead_id` if it is in the list; True when it is.

        Code calls this beside showing the lead itself (Today, a reminder, the last lead
        at start), so the highlight is never echoed to the lead view: a late echo (after a
        hide or a reload held the preview back) would take the view away from whatever the
        rep opened since.
        """
        if not self._highlight(lead_id):
            return False
        self._shown_id = lead_id
        return True

    def _highlight(self, lead_id: str, *, preview: bool = False) -> bool:
        """Make `lead_id` the current row; with `preview` (the rep's move, made by code on
        the rep's behalf) the lead view follows after the preview delay."""
        row = self.model.row_of(lead_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        if preview:
            self._preview.start()
        return True

    def set_open_lead(self, lead_id: str | None) -> None:
        """The lead the rep has open beside the list (None when none is).

        A filter or search may hide it from the list; it stays open (the rep may be on the
        phone with that lead), so "Log a call" stays usable for it and the count says why
        no row is highlighted.
        """
        self._open_id = lead_id
        self._update_log_call()
        self._update_count()

    def refresh(self) -> None:
        self.model.refresh()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        # A closing window must not start loads after the app stopped its workers.
        self._preview.stop()
        self.filter_bar.cancel_pending()
        super().hideEvent(event)

    # --- reactions --------------------------------------------------------------------------

    def _filter_changed(self, query: LeadQuery) -> None:
        self.model.set_filter(query)

    def _sort_indicator_changed(self, section: int, _order: Qt.SortOrder) -> None:
        # Columns SQL cannot sort by (the unsent marker) put the indicator back.
        if section not in COLUMN_OF_SORT.values():
            query = self.model.query
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(
                COLUMN_OF_SORT[query.sort],
                Qt.SortOrder.DescendingOrder if query.descending else Qt.SortOrder.AscendingOrder,
            )
            header.blockSignals(False)

    def _enter_table(self) -> None:
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.table.currentIndex().isValid() and self.model.rowCount() > 0:
            self._highlight(self.model.ids[0], preview=True)  # Down from the search box

    def _search_accepted(self) -> None:
        """Enter in the search box opens the highlighted lead (or the first match)."""
        if self.model.loading:
            # The ids for the text just typed are on their way: open once they land.
            self._open_first_when_loaded = True
            return
        self._open_first()

    def _open_first(self) -> None:
        self._open_first_when_loaded = False
        lead_id = self.current_lead_id()
        if lead_id is None and self.model.rowCount() > 0:
            lead_id = self.model.ids[0]
            self.select_lead(lead_id)
        if lead_id is not None:
            self.lead_activated.emit(lead_id)

    def _activated(self, index: QModelIndex) -> None:
        lead_id = self.model.lead_id(index.row())
        if lead_id is not None:
            self._preview.stop()
            self._shown_id = lead_id
            self.lead_activated.emit(lead_id)

    def _current_row_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        """Only the rep's own key or click previews the row in the lead view. Qt also makes
        a row current by itself (the first one when the table gains the focus with none
        current) and code highlights leads it shows itself: neither may move the view."""
        self._update_log_call()
        if self.table.by_rep:
            self._preview.start()

    def _update_log_call(self) -> None:
        """Ctrl+L calls the highlighted lead, else the one open beside the list."""
        self.log_call_action.setEnabled(
            self.table.currentIndex().isValid() or self._open_id is not None
        )

    def _emit_current(self) -> None:
        lead_id = self.current_lead_id()
        if lead_id != self._shown_id and lead_id is not None:
            self._shown_id = lead_id
            self.current_lead_changed.emit(lead_id)

    def _log_call(self) -> None:
        lead_id = self.current_lead_id() or self._open_id
        if lead_id is not None:
            self.log_call_requested.emit(lead_id)

    def _remember_current(self) -> None:
        current = self.current_lead_id()
        if current is not None:
            self._keep_id = current
            self._keep_preview = self._preview.isActive() and current != self._shown_id

    def _ids_loaded(self) -> None:
        if self._keep_id is not None and self.model.row_of(self._keep_id) is not None:
            # Put the highlight back as it was: a move of the rep's not previewed yet is
            # previewed, any other highlight stays unechoed.
            self._highlight(self._keep_id, preview=self._keep_preview)
            self._keep_preview = False
        self._update_log_call()
        self._update_count()
        if self._open_first_when_loaded:
            self._open_first()

    def _update_count(self) -> None:
        count = self.model.rowCount()
        filtered = self.model.query != LeadQuery(
            sort=self.model.query.sort, descending=self.model.query.descending
        )
        if count == 0:
            text = (
                tr("leads", "No leads match these filters.")
                if filtered
                else tr("leads", "No leads yet. They arrive with the next sync (F5).")
            )
        elif filtered:
            text = plural("leads", count, "%n matching lead", "%n matching leads")
        else:
            text = plural("leads", count, "%n lead", "%n leads")
        if (
            self._open_id is not None
            and self.model.complete
            and self.model.row_of(self._open_id) is None
        ):
            keys = self.log_call_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            hint = tr("leads", "The open lead is not in this list; {keys} still calls it.").format(
                keys=keys
            )
            text = f"{text} · {hint}" if count else f"{text} {hint}"
        self.count_label.setText(text)

    def _load_campaigns(self) -> None:
        QueryOp(
            parent=self,
            op=lambda c: c.store.campaigns(),
            success=self.filter_bar.set_campaigns,
        ).run_in_background(self.ctx.ops)

    def _on_changes(self, changes: Changes) -> None:
        if changes.reference:
            self._load_campaigns()
        if changes.leads or changes.qualification or changes.outbox:
            self.model.refresh(changes.lead_ids)
