"""The Today view: who to call next and why, worked through from the keyboard.

J / Down next, K / Up previous, Enter opens the lead, C calls (the call console),
S snoozes (a call-back later today or tomorrow morning), X skips the lead for today.
The list reloads when follow-ups, leads or calls change, when the clock jumps, when a
countdown or the day runs out; the countdowns repaint each minute.
"""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QHideEvent, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from repdesk.domain.changes import Changes
from repdesk.domain.followups import (
    FollowUpAction,
    day_bounds,
    later_today,
    new_followup,
    tomorrow_morning,
)
from repdesk.domain.ids import ensure_utc, new_id
from repdesk.domain.today import TodayItem, TodayKind
from repdesk.gui.context import AppContext
from repdesk.gui.followup_ops import change_followup, schedule_followup, skip_for_today
from repdesk.gui.ops import QueryOp
from repdesk.gui.rep_table import RepInputTable
from repdesk.gui.text import plain_label, tr
from repdesk.gui.theme import SPACING_S, Tone, scaled_font, set_tone
from repdesk.gui.today.model import Column, TodayModel

log = logging.getLogger(__name__)

TICK_MS = 60_000
PREVIEW_DELAY_MS = 120
#: Changes often come in bursts (a sync applies page after page): reload once after them.
RELOAD_DELAY_MS = 150
LEGEND = "J/K next/previous · Enter open · C call · S snooze · X skip for today"


class TodayTable(RepInputTable):
    """The list; plain letters act on the current row (nothing here takes text)."""

    key_action = Signal(str)
    """"call", "snooze", "skip" or "open" for the current row."""

    _KEYS = {
        Qt.Key.Key_C: "call",
        Qt.Key.Key_S: "snooze",
        Qt.Key.Key_X: "skip",
        Qt.Key.Key_Return: "open",
        Qt.Key.Key_Enter: "open",
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("todayTable")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        vertical = self.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 12)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(True)

    def handle_key(self, event: QKeyEvent) -> None:
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        )
        if plain and event.key() in (Qt.Key.Key_J, Qt.Key.Key_K):
            self._move(1 if event.key() == Qt.Key.Key_J else -1)
            return
        action = self._KEYS.get(Qt.Key(event.key())) if plain else None
        if action is not None:
            self.key_action.emit(action)
            return
        super().handle_key(event)

    def _move(self, step: int) -> None:
        model = self.model()
        if model is None or model.rowCount() == 0:
            return
        row = self.currentIndex().row()
        target = 0 if row < 0 else min(max(row + step, 0), model.rowCount() - 1)
        self.selectionModel().setCurrentIndex(
            model.index(target, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )


class TodayView(QWidget):
    current_lead_changed = Signal(str)
    """The highlighted lead, shortly after the rep stops moving."""
    lead_activated = Signal(str)
    """Enter or double-click: open this lead."""
    call_requested = Signal(str)
    """C: call this lead (the main window opens the call console)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("todayView")
        self.title = plain_label(tr("today", "Who to call next"), self)
        self.title.setFont(scaled_font(self.font(), 1, bold=True))
        self.count = plain_label("", self)
        set_tone(self.count, Tone.MUTED)
        self.model = TodayModel(ctx.ops, ctx.clock, self)
        self.table = TodayTable(self)
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.resizeSection(Column.WHEN, 150)
        header.resizeSection(Column.LEAD, 230)
        self.empty = plain_label("", self, wrap=True)
        set_tone(self.empty, Tone.MUTED)
        self.legend = plain_label(tr("today", LEGEND), self, wrap=True)
        self.legend.setObjectName("todayLegend")
        set_tone(self.legend, Tone.MUTED)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACING_S)
        layout.addWidget(self.title)
        layout.addWidget(self.count)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.legend)

        self.snooze_menu = QMenu(self)
        self.snooze_later = QAction(tr("today", "&Later today (in 2 hours)"), self)
        self.snooze_tomorrow = QAction(tr("today", "&Tomorrow morning (9:00)"), self)
        self.snooze_later.triggered.connect(lambda: self.snooze(tomorrow=False))
        self.snooze_tomorrow.triggered.connect(lambda: self.snooze(tomorrow=True))
        self.snooze_menu.addActions([self.snooze_later, self.snooze_tomorrow])

        self._shown_id: str | None = None
        self._acted_row: int | None = None
        """The row of a lead just snoozed or skipped: the next lead takes its place."""
        self._keep_id: str | None = None
        self._boundary: datetime | None = None
        _start, self._day_end, self._day = day_bounds(ctx.clock.now(), ctx.clock.tz())
        self._preview = QTimer(self)
        self._preview.setSingleShot(True)
        self._preview.setInterval(PREVIEW_DELAY_MS)
        self._preview.timeout.connect(self._emit_current)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._on_tick)
        self._reload = QTimer(self)
        self._reload.setSingleShot(True)
        self._reload.setInterval(RELOAD_DELAY_MS)
        self._reload.timeout.connect(self._reload_keeping_place)

        self.table.key_action.connect(self._key_action)
        self.table.doubleClicked.connect(lambda _index: self._key_action("open"))
        self.table.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.model.loaded.connect(self._loaded)
        ctx.events.changed.connect(self._on_changes)
        ctx.clock.jumped.connect(self._reload_keeping_place)

    # --- public ---------------------------------------------------------------------------

    def start(self) -> None:
        self.refresh()
        self._tick.start()

    def refresh(self) -> None:
        """Ask the store for today's list again (as of `ctx.clock`)."""
        if self.ctx.ops.closed:  # the app is closing: no new work
            self._tick.stop()
            return
        clock = self.ctx.clock
        now = clock.now()
        _start, self._day_end, self._day = day_bounds(now, clock.tz())
        self.model.load(now, self._day_end, self._day)

    def focus_list(self) -> None:
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.table.currentIndex().isValid() and self.model.rowCount():
            self.select_row(0)
            self._preview.start()  # the rep's Ctrl+1

    def current_item(self) -> TodayItem | None:
        index = self.table.currentIndex()
        return self.model.item(index.row()) if index.isValid() else None

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    @property
    def has_items(self) -> bool:
        return self.model.rowCount() > 0

    # --- acting on the current row ----------------------------------------------------------

    def _key_action(self, action: str) -> None:
        item = self.current_item()
        if item is None:
            return
        if action == "open":
            self._preview.stop()
            self._shown_id = item.lead_id
            self.lead_activated.emit(item.lead_id)
        elif action == "call":
            self.call_requested.emit(item.lead_id)
        elif action == "skip":
            self.skip(item)
        elif action == "snooze":
            rect = self.table.visualRect(self.table.currentIndex())
            where = self.table.viewport().mapToGlobal(QPoint(rect.left(), rect.bottom()))
            self.snooze_menu.popup(where)

    def skip(self, item: TodayItem | None = None) -> None:
        """Hide the lead from Today for the rest of the rep's day (this computer only)."""
        item = item or self.current_item()
        if item is None:
            return
        self._remember_place()
        skip_for_today(parent=self, lead_id=item.lead_id, day=self._day).run_in_background(
            self.ctx.ops
        )

    def snooze(self, *, tomorrow: bool) -> None:
        """A call-back later today (or tomorrow morning): a listed call-back moves, any
        other lead gets a new one, so it leaves Today until then."""
        item = self.current_item()
        if item is None:
            return
        clock = self.ctx.clock
        now, tz = clock.now(), clock.tz()
        due = tomorrow_morning(now, tz) if tomorrow else later_today(now, tz)
        self._remember_place()
        if item.followup_id is not None:
            followup_id = item.followup_id

            def move(f: object) -> None:
                from repdesk.domain.followups import FollowUp

                if isinstance(f, FollowUp) and f.is_open:
                    moved = f.after(FollowUpAction.UPDATE, now, due_at=due)
                    change_followup(
                        parent=self, followup=moved, action=FollowUpAction.UPDATE
                    ).run_in_background(self.ctx.ops)

            QueryOp(
                parent=self, op=lambda c: c.store.followup(followup_id), success=move
            ).run_in_background(self.ctx.ops)
            return
        reason = (
            tr("today", "Snoozed from Today: first call")
            if item.kind is TodayKind.FIRST_CALL
            else tr("today", "Snoozed from Today: %1").replace("%1", item.reason)
        )
        followup = new_followup(new_id(), item.lead_id, due, reason, now)
        schedule_followup(parent=self, followup=followup).run_in_background(self.ctx.ops)

    # --- reactions --------------------------------------------------------------------------

    def _remember_place(self) -> None:
        """After a snooze or skip the next lead takes the row the rep was on."""
        index = self.table.currentIndex()
        self._acted_row = index.row() if index.isValid() else 0

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        """The rep's own moves are previewed after a pause; a row Today selects itself (a
        load) is shown at once in `_loaded`, never later, where it could take the lead
        view away from a lead opened meanwhile."""
        if current.isValid() and self.table.by_rep:
            self._preview.start()

    def _emit_current(self) -> None:
        if not self.isVisible() or self.ctx.ops.closed:
            return  # the rep is in another view: Today's own reloads must not steer it
        item = self.current_item()
        if item is not None and item.lead_id != self._shown_id:
            self._shown_id = item.lead_id
            self.current_lead_changed.emit(item.lead_id)

    def _loaded(self) -> None:
        count = self.model.rowCount()
        if count:
            self.count.setText(tr("today", "%n to call", n=count))
            self.empty.hide()
        else:
            self.count.setText("")
            self.empty.setText(
                tr(
                    "today",
                    "Nobody to call right now. Call-backs you schedule, leads marketing just "
                    "assigned and leads that just engaged with a campaign show up here.",
                )
            )
            self.empty.show()
        row: int | None = None
        if self._acted_row is not None:
            row = self._acted_row
        elif self._keep_id is not None:
            row = self.model.row_of(self._keep_id)
        if row is None:
            current = self.table.currentIndex()
            row = current.row() if current.isValid() else 0
        if count:
            self.select_row(min(row, count - 1))
            self._preview.stop()
            self._emit_current()
        self._acted_row = None
        self._keep_id = None
        self._boundary = self._next_boundary()

    def _next_boundary(self) -> datetime | None:
        """When the list changes by itself: a countdown ends, a call-back falls due, the
        day ends."""
        now = self.ctx.clock.now()
        times = [
            ensure_utc(i.at)
            for i in self.model.items
            if i.kind in (TodayKind.FIRST_CALL, TodayKind.DUE_TODAY) and i.at > now
        ]
        times.append(self._day_end)
        return min(times)

    def _on_tick(self) -> None:
        if self._boundary is not None and self.ctx.clock.now() >= self._boundary:
            self._reload_keeping_place()
        else:
            self.model.tick()

    def _on_changes(self, changes: Changes) -> None:
        if changes.followups or changes.feedback or changes.leads or changes.reference:
            if changes.leads:
                self.model.forget_rows(changes.lead_ids)
            self._reload.start()

    def _reload_keeping_place(self) -> None:
        if self._acted_row is None:
            item = self.current_item()
            self._keep_id = item.lead_id if item is not None else self._shown_id
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.model.tick()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        self._preview.stop()
        super().hideEvent(event)

    @property
    def reload_pending(self) -> bool:
        """A reload is waiting for a burst of changes to end."""
        return self._reload.isActive()


__all__ = ["LEGEND", "TodayTable", "TodayView"]
