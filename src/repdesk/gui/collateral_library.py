"""The collateral library: every file marketing shared, searchable, with a preview pane."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractButton,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from repdesk.domain.changes import Changes
from repdesk.domain.feedback import CollateralUse, UseKind
from repdesk.domain.leads import Collateral
from repdesk.gui.context import AppContext, CollateralFiles
from repdesk.gui.lead_picker import CollateralUseDialog
from repdesk.gui.open_file import SystemViewerOpener
from repdesk.gui.ops import OpContext, QueryOp
from repdesk.gui.pdf_preview import PdfPreview
from repdesk.gui.table_fit import ColumnFitter
from repdesk.gui.table_model import RowTableModel, row_table
from repdesk.gui.text import human_size, one_line, plain_label, plain_tooltip, set_plain, tr
from repdesk.gui.theme import Tone, scaled_font, set_tone, tone_color

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 200


@dataclass(frozen=True, slots=True)
class CollateralRow:
    collateral: Collateral
    path: Path | None
    """The verified local copy, or None while it is not downloaded."""
    campaign: str = ""


def tags_text(tags: Sequence[str]) -> str:
    """Tags once each, in marketing's order (the same tag may come from two sources)."""
    return ", ".join(dict.fromkeys(t.strip() for t in tags if t.strip()))


def state_text(row: CollateralRow) -> str:
    where = (
        tr("collateral", "Available offline")
        if row.path is not None
        else tr("collateral", "Not downloaded yet")
    )
    if row.collateral.problem:
        # The full reason is in the tooltip and above the preview; the cell stays short.
        return tr("collateral", "Flagged · {where}").format(where=where.lower())
    return where


def load_rows(ctx: OpContext, files: CollateralFiles | None, search: str) -> list[CollateralRow]:
    """Collateral matching `search`, with where each file is on disk (runs on the DB lane)."""
    store = ctx.store
    items = store.collateral(search=search)
    campaigns = {c.id: c.name for c in store.campaigns()}
    rows = []
    for item in items:
        path = files.path_for(item.sha256) if files is not None else None
        rows.append(CollateralRow(item, path, campaigns.get(item.campaign_id or "", "")))
    return rows


class CollateralModel(RowTableModel):
    """Title, campaign, tags, size and download state; flagged files are marked."""

    COLUMNS = ("title", "campaign", "tags", "size", "state")
    ID_ROLE = Qt.ItemDataRole.UserRole + 1
    FLAGGED_ROLE = Qt.ItemDataRole.UserRole + 2

    def headers(self) -> tuple[str, ...]:
        return (
            tr("collateral", "Title"),
            tr("collateral", "Campaign"),
            tr("collateral", "Tags"),
            tr("collateral", "Size"),
            tr("collateral", "Status"),
        )

    def row_key(self, row: Any) -> str:
        return str(row.collateral.id)

    def cell(self, row: Any, column: str, role: int) -> Any:
        item = row.collateral
        if role == self.ID_ROLE:
            return item.id
        if role == self.FLAGGED_ROLE:
            return bool(item.problem)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "title":
                return ("⚠ " if item.problem else "") + one_line(item.title)
            if column == "campaign":
                return row.campaign
            if column == "tags":
                return tags_text(item.tags)
            if column == "size":
                return human_size(item.size)
            if column == "state":
                return state_text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            # Hub text: made plain so Qt never takes "<b>…" in a title for HTML.
            if item.problem:
                return plain_tooltip(item.problem)
            return plain_tooltip(item.title) if column == "title" else None
        if role == Qt.ItemDataRole.ForegroundRole and column in ("title", "state"):
            if item.problem:
                return QBrush(tone_color(Tone.BAD))
            if column == "state" and row.path is None:
                return QBrush(tone_color(Tone.MUTED))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "size":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class CollateralLibrary(QWidget):
    """Search all collateral, see what is available offline, preview and open files."""

    loaded = Signal()
    """Rows were (re)read from the store."""
    opened = Signal(str)
    """The local path the system viewer took."""
    use_recorded = Signal(object)
    """A `CollateralUse` recorded from here ("Show/Send to a lead…") and queued for the hub."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("collateralLibrary")
        self.model = CollateralModel(self)

        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText(tr("collateral", "Search collateral by title or tag…"))
        self.search_edit.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())
        self.count_label = plain_label("", self)
        set_tone(self.count_label, Tone.MUTED)

        self.table = row_table(self.model, self)
        # Title, campaign and tags share the width (the title first); size and status fit
        # their text. A library holds dozens of files: measuring them is cheap.
        self.column_fitter = ColumnFitter(self.table, {0: 3.0, 1: 2.0, 2: 1.5})
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())
        self.table.doubleClicked.connect(lambda _i: self.open_selected())

        # --- preview pane ---
        preview_box = QWidget(self)
        self.title_label = plain_label("", preview_box, wrap=True)
        self.title_label.setFont(scaled_font(self.title_label.font(), 1, bold=True))
        self.problem_label = plain_label("", preview_box, wrap=True)
        self.problem_label.setObjectName("collateralProblem")
        set_tone(self.problem_label, Tone.BAD)
        self.info_label = plain_label("", preview_box, wrap=True)
        set_tone(self.info_label, Tone.MUTED)
        self.preview = PdfPreview(preview_box, ops=ctx.ops)
        # The library shows the title (the cached file is named by its hash) and its own
        # open button, so the preview's file-name header and button stay hidden.
        self.preview.header.hide()
        self.preview.open_button.hide()
        self.preview.rendered.connect(self._show_page_count)
        self._details = ""
        self.open_button = QPushButton(tr("collateral", "Open with system viewer"), preview_box)
        self.open_button.clicked.connect(self.open_selected)
        self._opener = SystemViewerOpener(self)
        self.send_button = QPushButton(tr("collateral", "Show/Send to a lead…"), preview_box)
        self.send_button.setObjectName("sendToLead")
        self.send_button.setToolTip(
            tr("collateral", "Record that you showed or sent this file to any of your leads.")
        )
        self.send_button.clicked.connect(self.send_selected)
        self.use_dialog: CollateralUseDialog | None = None
        self.use_label = plain_label("", preview_box, wrap=True)
        self.use_label.setObjectName("collateralUseRecorded")
        set_tone(self.use_label, Tone.OK)
        self.use_label.hide()
        self._use_label_for = ""
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.setContentsMargins(0, 0, 0, 0)
        preview_layout.addWidget(self.title_label)
        preview_layout.addWidget(self.problem_label)
        preview_layout.addWidget(self.info_label)
        preview_layout.addWidget(self.preview, 1)
        preview_layout.addWidget(self.use_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.open_button)
        preview_layout.addLayout(buttons)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.count_label)
        left_layout.addLayout(top)
        left_layout.addWidget(self.table, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(preview_box)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([560, 440])
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

        ctx.events.changed.connect(self._on_changed)
        self._show_selected()
        self.refresh()

    # --- data -------------------------------------------------------------------------------

    def refresh(self) -> None:
        self._search_timer.stop()
        search = self.search_edit.text().strip()
        files = self.ctx.collateral
        QueryOp(
            parent=self, op=lambda c: load_rows(c, files, search), success=self._show_rows
        ).run_in_background(self.ctx.ops)

    def _on_changed(self, changes: Changes) -> None:
        if changes.collateral or changes.reference:
            self.refresh()

    def _show_rows(self, rows: list[CollateralRow]) -> None:
        current = self.selected_id()
        self.model.set_rows(rows)
        offline = sum(1 for r in rows if r.path is not None)
        set_plain(
            self.count_label,
            tr("collateral", "{total} files, {offline} available offline").format(
                total=len(rows), offline=offline
            ),
        )
        if current and self.model.row_of(current) >= 0:
            self.select(current)
        else:
            self._show_selected()
        self.loaded.emit()

    # --- selection and preview --------------------------------------------------------------

    def selected_id(self) -> str:
        row = self.selected_row()
        return row.collateral.id if row is not None else ""

    def selected_row(self) -> CollateralRow | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def select(self, collateral_id: str) -> bool:
        row = self.model.row_of(collateral_id)
        if row < 0:
            return False
        self.table.setCurrentIndex(self.model.index(row, 0))
        self.table.selectRow(row)
        self._show_selected()
        return True

    def _show_selected(self) -> None:
        row = self.selected_row()
        if row is None or row.collateral.id != self._use_label_for:
            self.use_label.hide()  # the last "Recorded: …" was about another file
        if row is None:
            set_plain(self.title_label, tr("collateral", "Select a file to preview it."))
            self.problem_label.hide()
            self.info_label.hide()
            self.open_button.setEnabled(False)
            self.send_button.setEnabled(False)
            self.preview.clear()
            return
        item = row.collateral
        set_plain(self.title_label, item.title)
        if item.problem:
            set_plain(
                self.problem_label,
                tr("collateral", "Marketing flagged this file: {problem}").format(
                    problem=item.problem
                ),
            )
            self.problem_label.show()
        else:
            self.problem_label.hide()
        details = [human_size(item.size)]
        if row.campaign:
            details.append(row.campaign)
        if item.tags:
            details.append(tags_text(item.tags))
        if row.path is None:
            details.append(tr("collateral", "Not downloaded yet: it arrives with the next sync."))
        self._details = " · ".join(details)
        set_plain(self.info_label, self._details)
        self.info_label.show()
        self.open_button.setEnabled(row.path is not None)
        self.send_button.setEnabled(True)
        if row.path is not None:
            self.preview.load(row.path)
        else:
            self.preview.clear()

    def _show_page_count(self, shown: int) -> None:
        pages = self.preview.page_count()
        if not pages:
            return
        text = (
            tr("collateral", "%n pages", n=pages)
            if shown >= pages
            else tr("collateral", "first {shown} of {pages} pages shown").format(
                shown=shown, pages=pages
            )
        )
        set_plain(self.info_label, f"{self._details} · {text}" if self._details else text)

    def open_selected(self) -> None:
        row = self.selected_row()
        if row is None or row.path is None:
            return
        if self._opener.open(row.path, row.collateral.title):
            self.opened.emit(str(row.path))

    def send_selected(self) -> None:
        """Pick any lead and record that this file was shown or sent to them."""
        row = self.selected_row()
        if row is None:
            return
        if self.use_dialog is not None:
            self.use_dialog.raise_()
            self.use_dialog.activateWindow()
            return
        dialog = CollateralUseDialog(self.ctx, row.collateral, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.recorded.connect(self._use_recorded)
        dialog.finished.connect(lambda _result: self._use_dialog_closed(dialog))
        self.use_dialog = dialog
        dialog.open()

    def _use_dialog_closed(self, dialog: CollateralUseDialog) -> None:
        if self.use_dialog is dialog:
            self.use_dialog = None

    def _use_recorded(self, use: CollateralUse, lead_name: str) -> None:
        row = self.model.row_at(self.model.row_of(use.collateral_id))
        title = row.collateral.title if row is not None else ""
        text = (
            tr(
                "collateral",
                "Recorded: “{title}” sent to {lead}. It goes to marketing with the next sync.",
            )
            if use.kind == UseKind.SENT
            else tr(
                "collateral",
                "Recorded: “{title}” shown to {lead}. It goes to marketing with the next sync.",
            )
        )
        set_plain(self.use_label, text.format(title=one_line(title, 60), lead=lead_name))
        self.use_label.show()
        self._use_label_for = use.collateral_id
        self.use_recorded.emit(use)

    @property
    def open_failed_box(self) -> QMessageBox | None:
        """Why the file (or its folder) did not open, while the rep reads it."""
        return self._opener.box

    @property
    def open_folder_button(self) -> QAbstractButton | None:
        return self._opener.folder_button
