"""The outbox panel: every change the rep made, whether the hub has it yet, and what to do if not.

The rows and the table model live in `repdesk.gui.outbox_model`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from repdesk.domain.changes import Changes
from repdesk.domain.errors import RepdeskError
from repdesk.domain.outbox import Conflict, OutboxState
from repdesk.gui.context import AppContext
from repdesk.gui.ops import CollectionOp, OpContext, QueryOp
from repdesk.gui.outbox_model import (
    RECENT_SENT_SHOWN,
    OutboxModel,
    OutboxRow,
    kind_label,
    load_rows,
    rubric_labels,
    state_label,
    summary,
)
from repdesk.gui.table_fit import ColumnFitter
from repdesk.gui.table_model import row_table
from repdesk.gui.text import plain_label, set_plain, tr

__all__ = [
    "RECENT_SENT_SHOWN",
    "OutboxModel",
    "OutboxPanel",
    "OutboxRow",
    "ask_export_file",
    "kind_label",
    "load_rows",
    "rubric_labels",
    "state_label",
    "summary",
]

log = logging.getLogger(__name__)


class _DetailPane(QGroupBox):
    """What the selected item is, why it was refused, and the buttons that act on it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(tr("outbox", "Selected change"), parent)
        self.headline = plain_label("", self, wrap=True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason = plain_label("", self, wrap=True)
        self.reason.setObjectName("outboxReason")
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = QPushButton(tr("outbox", "Send again"), self)
        self.retry_button.setToolTip(
            tr("outbox", "Queue this change again; it is sent at the next sync.")
        )
        self._conflict_box = QWidget(self)
        self._conflict_grid = QGridLayout(self._conflict_box)
        self._conflict_grid.setContentsMargins(0, 0, 0, 0)
        self.conflict_buttons: dict[tuple[str, bool], QPushButton] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.reason)
        layout.addWidget(self._conflict_box)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.retry_button)
        layout.addLayout(buttons)

    def show_row(self, row: OutboxRow | None, resolve: Callable[[str, bool], None]) -> None:
        self._clear_conflicts()
        if row is None:
            set_plain(self.headline, tr("outbox", "Select a change to see its details."))
            self.reason.hide()
            self.retry_button.hide()
            self._conflict_box.hide()
            return
        item = row.item
        what = kind_label(item.kind)
        lead = row.lead_name or tr("outbox", "a lead")
        text = row.summary
        set_plain(
            self.headline,
            f"{what} — {lead} — {state_label(item.state)}" + (f"\n{text}" if text else ""),
        )
        if item.state is OutboxState.REJECTED:
            # The hub's text, verbatim and as plain text: "<b>" stays literal.
            set_plain(
                self.reason,
                tr("outbox", "The hub said: {reason}").format(
                    reason=item.detail or tr("outbox", "(no reason given)")
                ),
            )
            self.reason.show()
        elif item.state is OutboxState.PENDING and item.detail:
            # Kept queued on purpose (e.g. a hub too old for this kind): say why, verbatim.
            set_plain(self.reason, item.detail)
            self.reason.show()
        elif item.state is OutboxState.CONFLICT and row.conflicts:
            set_plain(
                self.reason,
                tr(
                    "outbox",
                    "Marketing changed the same answer after your last sync. "
                    "Choose which value to keep:",
                ),
            )
            self.reason.show()
        else:
            self.reason.hide()
        self.retry_button.setVisible(item.state is OutboxState.REJECTED)
        self._conflict_box.setVisible(bool(row.conflicts))
        for i, conflict in enumerate(row.conflicts):
            self._add_conflict(i, row, conflict, resolve)

    def _add_conflict(
        self,
        row: int,
        outbox_row: OutboxRow,
        conflict: Conflict,
        resolve: Callable[[str, bool], None],
    ) -> None:
        mine_text = outbox_row.value_label(conflict.field, conflict.mine) or "—"
        theirs_text = outbox_row.value_label(conflict.field, conflict.theirs) or "—"
        name_label = plain_label(conflict.field.capitalize(), self._conflict_box)
        font = name_label.font()
        font.setBold(True)
        name_label.setFont(font)
        mine = plain_label(
            tr("outbox", "Yours: {value}").format(value=mine_text),
            self._conflict_box,
            wrap=True,
        )
        theirs = plain_label(
            tr("outbox", "Marketing's: {value}").format(value=theirs_text),
            self._conflict_box,
            wrap=True,
        )
        keep = QPushButton(tr("outbox", "Keep mine"), self._conflict_box)
        take = QPushButton(tr("outbox", "Take theirs"), self._conflict_box)
        keep.clicked.connect(lambda: resolve(conflict.id, True))
        take.clicked.connect(lambda: resolve(conflict.id, False))
        self.conflict_buttons[(conflict.id, True)] = keep
        self.conflict_buttons[(conflict.id, False)] = take
        self._conflict_grid.addWidget(name_label, row, 0)
        self._conflict_grid.addWidget(mine, row, 1)
        self._conflict_grid.addWidget(theirs, row, 2)
        self._conflict_grid.addWidget(keep, row, 3)
        self._conflict_grid.addWidget(take, row, 4)
        self._conflict_grid.setColumnStretch(1, 1)
        self._conflict_grid.setColumnStretch(2, 1)
        # Widgets added to a visible layout are only shown on a later event-loop turn.
        for widget in (name_label, mine, theirs, keep, take):
            widget.show()

    def _clear_conflicts(self) -> None:
        self.conflict_buttons.clear()
        while self._conflict_grid.count():
            child = self._conflict_grid.takeAt(0)
            widget = child.widget() if child is not None else None
            if widget is not None:
                widget.deleteLater()


class OutboxPanel(QWidget):
    """Lists `store.outbox()`; retry, resolve conflicts and export what has not been sent."""

    sync_requested = Signal()
    """The rep pressed "Sync now" (the main window hands it to the sync controller)."""
    loaded = Signal()
    """The list was (re)read from the store (tests and the status bar wait on it)."""
    exported = Signal(str)
    """The path unsent items were exported to."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = OutboxModel(self)
        self.setObjectName("outboxPanel")
        self.file_dialog: QFileDialog | None = None
        """The open export dialog, if any."""

        self.summary_label = plain_label("", self, wrap=True)
        self.sync_button = QPushButton(tr("outbox", "Sync now"), self)
        self.sync_button.clicked.connect(self.sync_requested.emit)
        self.export_button = QPushButton(tr("outbox", "Export unsent…"), self)
        self.export_button.setToolTip(
            tr("outbox", "Save every change the hub does not have yet to a file.")
        )
        self.export_button.clicked.connect(self._choose_export_file)

        self.table = row_table(self.model, self)
        # The change and the hub's reason share the spare width (an empty reason column
        # takes only its title's room); the time, lead and state fit their text.
        self.column_fitter = ColumnFitter(self.table, {2: 3.0, 4: 2.0, 1: 1.0})
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())

        self.detail = _DetailPane(self)
        self.detail.retry_button.clicked.connect(self._retry_selected)

        top = QHBoxLayout()
        top.addWidget(self.summary_label, 1)
        top.addWidget(self.sync_button)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)

        ctx.events.changed.connect(self._on_changed)
        self._show_selected()
        self.refresh()

    # --- reading ----------------------------------------------------------------------------

    def refresh(self) -> None:
        QueryOp(
            parent=self, op=lambda c: load_rows(c.store), success=self._show_rows
        ).run_in_background(self.ctx.ops)

    def _on_changed(self, changes: Changes) -> None:
        if changes.outbox or changes.session:
            self.refresh()

    def _show_rows(self, rows: list[OutboxRow]) -> None:
        current = self.selected_id()
        self.model.set_rows(rows)
        counts = {state: 0 for state in OutboxState}
        for r in rows:
            counts[r.item.state] += 1
        waiting = counts[OutboxState.PENDING]
        attention = counts[OutboxState.REJECTED] + counts[OutboxState.CONFLICT]
        if not rows:
            text = tr("outbox", "Nothing queued: the hub has everything you entered.")
        else:
            text = tr(
                "outbox", "Waiting to send: {waiting}  ·  Need your attention: {attention}"
            ).format(waiting=waiting, attention=attention)
        set_plain(self.summary_label, text)
        self.export_button.setEnabled(waiting + attention > 0)
        if current:
            self.select(current)
        self._show_selected()
        self.loaded.emit()

    # --- selection --------------------------------------------------------------------------

    def selected_id(self) -> str:
        index = self.table.currentIndex()
        row = self.model.row_at(index.row()) if index.isValid() else None
        return row.item.id if row is not None else ""

    def select(self, mutation_id: str) -> bool:
        row = self.model.row_of(mutation_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        self.table.setCurrentIndex(self.model.index(row, 0))
        self._show_selected()
        return True

    def _show_selected(self) -> None:
        index = self.table.currentIndex()
        row = self.model.row_at(index.row()) if index.isValid() else None
        self.detail.show_row(row, self.resolve)

    # --- actions ----------------------------------------------------------------------------

    def _retry_selected(self) -> None:
        mutation_id = self.selected_id()
        if mutation_id:
            self.retry(mutation_id)

    def retry(self, mutation_id: str) -> None:
        CollectionOp(
            parent=self, op=lambda c: c.store.retry_mutation(mutation_id)
        ).run_in_background(self.ctx.ops)

    def resolve(self, conflict_id: str, keep_mine: bool) -> None:
        CollectionOp(
            parent=self, op=lambda c: c.store.resolve_conflict(conflict_id, keep_mine)
        ).run_in_background(self.ctx.ops)

    def _choose_export_file(self) -> None:
        self.file_dialog = ask_export_file(self, self.ctx, self.export_to)

    def export_to(self, path: Path) -> None:
        def done(_result: object) -> None:
            log.info("exported unsent changes to %s", path)
            self.exported.emit(str(path))

        QueryOp(parent=self, op=lambda c: _export(c, path), success=done).run_in_background(
            self.ctx.ops
        )


def ask_export_file(
    parent: QWidget, ctx: AppContext, chosen: Callable[[Path], None]
) -> QFileDialog:
    """Open (not exec) a save dialog for an export of unsent changes; `chosen` gets the path.

    Starts in the last export folder (a setting) and remembers the folder picked.
    """
    from repdesk.store import settings as registry

    settings = ctx.settings if isinstance(ctx.settings, registry.Settings) else None
    folder = settings.get(registry.LAST_EXPORT_DIR) if settings is not None else ""
    dialog = QFileDialog(parent, tr("outbox", "Export unsent changes"))
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setNameFilters([tr("outbox", "repdesk export (*.json)"), tr("outbox", "All files (*)")])
    dialog.setDefaultSuffix("json")
    dialog.setDirectory(folder or str(Path.home()))
    dialog.selectFile(f"repdesk-unsent-{datetime.now().strftime('%Y-%m-%d-%H%M')}.json")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def accepted() -> None:
        files = dialog.selectedFiles()
        if not files:
            return
        path = Path(files[0])
        if settings is not None:
            try:
                settings.set(registry.LAST_EXPORT_DIR, str(path.parent))
            except (RepdeskError, OSError) as exc:
                log.warning("could not remember the export folder: %s", exc)
        chosen(path)

    dialog.accepted.connect(accepted)
    dialog.open()
    return dialog


def _export(c: OpContext, path: Path) -> object:
    from repdesk.sync import export_pending

    return export_pending(c.store, path)
