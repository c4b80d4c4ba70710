"""The Follow-ups tab: the lead's call-backs (open ones first), to schedule, move, tick off
or cancel; all of it works offline and is queued for the hub like any other change."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTableView, QVBoxLayout, QWidget

from repdesk.domain.followups import FollowUp, FollowUpAction, FollowUpState
from repdesk.gui.context import AppContext
from repdesk.gui.followup_dialog import FollowUpDialog, ask_followup, when_text
from repdesk.gui.followup_ops import change_followup
from repdesk.gui.lead_view.detail import LeadDetail
from repdesk.gui.lead_view.records import RecordColumn, RecordTableModel, setup_record_table
from repdesk.gui.table_fit import ColumnFitter
from repdesk.gui.text import plain_label, tr
from repdesk.gui.theme import SPACING, Tone, set_tone


def state_text(f: FollowUp, now: datetime) -> str:
    if f.state is FollowUpState.DONE:
        return tr("followup", "Done")
    if f.state is FollowUpState.CANCELLED:
        return tr("followup", "Cancelled")
    return tr("followup", "Overdue") if f.is_due(now) else tr("followup", "Open")


class FollowUpsTab(QWidget):
    """Keyboard: N new, Enter change, D done, Delete cancel (when the list has focus)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("followupsTab")
        self._detail: LeadDetail | None = None
        self.dialog: FollowUpDialog | None = None
        clock = ctx.clock
        self.model: RecordTableModel[FollowUp] = RecordTableModel(
            [
                RecordColumn(tr("followup", "When"), lambda f: when_text(f.due_at, clock.tz())),
                RecordColumn(tr("followup", "What for"), lambda f: f.reason),
                RecordColumn(
                    tr("followup", "Status"),
                    lambda f: state_text(f, clock.now()),
                    tone=lambda f: (
                        Tone.BAD
                        if f.is_due(clock.now())
                        else Tone.WARN
                        if f.is_open
                        else Tone.MUTED
                    ),
                ),
            ],
            self,
        )
        self.table = QTableView(self)
        self.table.setObjectName("followupTable")
        self.table.setModel(self.model)
        setup_record_table(self.table)
        self.fitter = ColumnFitter(self.table, {1: 3.0, 0: 1.5})
        self.empty = plain_label("", self, wrap=True)
        set_tone(self.empty, Tone.MUTED)
        self.new_button = QPushButton(tr("followup", "&Schedule call-back…"), self)
        self.new_button.setObjectName("scheduleFollowup")
        self.change_button = QPushButton(tr("followup", "C&hange…"), self)
        self.done_button = QPushButton(tr("followup", "&Done"), self)
        self.done_button.setObjectName("followupDone")
        self.cancel_button = QPushButton(tr("followup", "Ca&ncel"), self)
        self.done_button.setToolTip(tr("followup", "You made this call-back (D)"))
        self.cancel_button.setToolTip(tr("followup", "This call-back is no longer needed (Delete)"))
        self.change_button.setToolTip(tr("followup", "Another time or another note (Enter)"))
        self.new_button.clicked.connect(self.schedule)
        self.change_button.clicked.connect(self.change_selected)
        self.done_button.clicked.connect(lambda: self.act(FollowUpAction.COMPLETE))
        self.cancel_button.clicked.connect(lambda: self.act(FollowUpAction.CANCEL))
        # Two short rows, so the tab never makes the lead view wider than the others do.
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        acts = QHBoxLayout()
        acts.addStretch(1)
        for button in (self.change_button, self.done_button, self.cancel_button):
            acts.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING, SPACING, SPACING, SPACING)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addLayout(acts)
        layout.addLayout(buttons)
        for key, slot in (
            ("N", self.schedule),
            ("Return", self.change_selected),
            ("D", lambda: self.act(FollowUpAction.COMPLETE)),
            ("Delete", lambda: self.act(FollowUpAction.CANCEL)),
        ):
            shortcut = QShortcut(QKeySequence(key), self.table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(slot)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.show_detail(None)

    def show_detail(self, detail: LeadDetail | None) -> None:
        keep = self.selected()
        self._detail = detail
        self.model.set_records(detail.followups if detail else ())
        kept = keep is not None and self._select(keep.id)
        if not kept and self.model.rowCount():
            self.table.selectRow(0)
        self.new_button.setEnabled(detail is not None)
        if detail is None:
            self.empty.setText("")
        elif not detail.followups:
            self.empty.setText(
                tr("followup", "No call-backs for this lead. Schedule one (Ctrl+Shift+F) and "
                   "repdesk reminds you when it is due, offline too.")
            )  # fmt: skip
        else:
            self.empty.setText(tr("followup", "Call-backs you scheduled, open ones first."))
        self._selection_changed()

    def selected(self) -> FollowUp | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.record(rows[0].row()) if rows else None

    def _select(self, followup_id: str) -> bool:
        for row, f in enumerate(self.model.records):
            if f.id == followup_id:
                self.table.selectRow(row)
                return True
        return False

    def _selection_changed(self, *_args: QItemSelection) -> None:
        f = self.selected()
        open_one = f is not None and f.is_open
        for button in (self.change_button, self.done_button, self.cancel_button):
            button.setEnabled(open_one)

    def schedule(self) -> FollowUpDialog | None:
        if self._detail is None:
            return None
        lead = self._detail.lead
        self.dialog = ask_followup(self.ctx, lead.id, self, lead_name=lead.full_name)
        return self.dialog

    def change_selected(self) -> FollowUpDialog | None:
        f = self.selected()
        if f is None or not f.is_open or self._detail is None:
            return None
        lead = self._detail.lead
        self.dialog = ask_followup(self.ctx, lead.id, self, followup=f, lead_name=lead.full_name)
        return self.dialog

    def act(self, action: FollowUpAction) -> None:
        f = self.selected()
        if f is None or not f.is_open:
            return
        changed = f.after(action, self.ctx.clock.now())
        change_followup(parent=self, followup=changed, action=action).run_in_background(
            self.ctx.ops
        )


__all__ = ["FollowUpsTab", "state_text"]
