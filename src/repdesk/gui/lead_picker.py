"""Show or send a collateral file to any lead: pick the lead by typing, record the use.

The collateral library's "Show/Send to a lead…". The lead is found with the store's own
full-text search (`lead_ids(LeadQuery(search=...))`, then `lead_rows` for the first
`MAX_RESULTS`), and the use is recorded by `record_collateral_use`, the same store action
(and outbox row) as the lead's Collateral tab. Keyboard first: type, ↑/↓ to choose among the
matches while still typing, Enter to record, Esc to cancel.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from repdesk.domain.feedback import CollateralUse, UseKind
from repdesk.domain.ids import new_id, utcnow
from repdesk.domain.leads import Collateral
from repdesk.gui.context import AppContext
from repdesk.gui.ops import CollectionOp, OpContext, QueryOp
from repdesk.gui.text import one_line, plain_label, plain_tooltip, set_plain, tr
from repdesk.gui.theme import Tone, scaled_font, set_tone
from repdesk.store.api import LeadQuery, LeadRow

log = logging.getLogger(__name__)

#: Matches listed at most (the rep narrows by typing more).
MAX_RESULTS = 50
SEARCH_DELAY_MS = 150
_ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: Keys the search box hands to the list: the rep chooses while still typing.
_LIST_KEYS = {Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown}


def find_leads(ctx: OpContext, text: str) -> tuple[list[LeadRow], int]:
    """The first `MAX_RESULTS` leads matching `text` (recent first) and how many match."""
    ids = ctx.store.lead_ids(LeadQuery(search=text))
    return ctx.store.lead_rows(ids[:MAX_RESULTS]), len(ids)


def lead_text(row: LeadRow) -> str:
    """ "Ada Lovelace — Analytical Engines · CTO": prospect text, shown as plain text."""
    where = " · ".join(part for part in (row.company, row.title) if part)
    name = one_line(row.name) or tr("picker", "(no name)")
    return f"{name} — {one_line(where)}" if where else name


class CollateralUseDialog(QDialog):
    """Pick a lead for `collateral`; "Record" writes the use (and its outbox row)."""

    recorded = Signal(object, str)
    """The `CollateralUse` written, and the lead's name (plain text)."""
    results_loaded = Signal()

    def __init__(
        self, ctx: AppContext, collateral: Collateral, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.collateral = collateral
        self.setObjectName("collateralUseDialog")
        self.setWindowTitle(tr("picker", "Show or send to a lead"))
        self.setMinimumWidth(520)
        self._seq = 0
        self._loading = False
        self._record_when_loaded = False
        self._saving = False
        self._rows: dict[str, LeadRow] = {}

        self.title_label = plain_label(collateral.title, self, wrap=True)
        self.title_label.setFont(scaled_font(self.title_label.font(), 1, bold=True))
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("leadPickerSearch")
        self.search_edit.setPlaceholderText(tr("picker", "Type a name, company, title or email…"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName(tr("picker", "Find the lead"))
        self.search_edit.installEventFilter(self)
        self.results = QListWidget(self)
        self.results.setObjectName("leadPickerResults")
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setUniformItemSizes(True)
        self.results.setAccessibleName(tr("picker", "Matching leads"))
        # Arrows in the search box move through the list; the list itself needs no focus.
        self.results.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.results.currentRowChanged.connect(lambda _row: self._update_buttons())
        self.results.itemDoubleClicked.connect(lambda _item: self.record())
        self.empty_label = plain_label("", self, wrap=True)
        set_tone(self.empty_label, Tone.MUTED)

        self.shown_radio = QRadioButton(
            tr("picker", "S&hown to them (on a call or a screen)"), self
        )
        self.sent_radio = QRadioButton(tr("picker", "&Sent to them"), self)
        self.sent_radio.setChecked(True)
        self._kinds = QButtonGroup(self)
        self._kinds.addButton(self.shown_radio)
        self._kinds.addButton(self.sent_radio)
        kinds = QHBoxLayout()
        kinds.addWidget(self.sent_radio)
        kinds.addWidget(self.shown_radio)
        kinds.addStretch(1)

        self.buttons = QDialogButtonBox(self)
        self.record_button = self.buttons.addButton(
            tr("picker", "Record"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.record_button.setDefault(True)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.record)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.empty_label)
        layout.addLayout(kinds)
        layout.addWidget(self.buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._search)
        self.search_edit.textChanged.connect(self._text_changed)
        self.search_edit.setFocus()
        self._search()

    # --- state others read ------------------------------------------------------------------

    @property
    def loading(self) -> bool:
        """True while the matches for the text typed are not on screen yet."""
        return self._loading or self._timer.isActive()

    def kind(self) -> UseKind:
        return UseKind.SHOWN if self.shown_radio.isChecked() else UseKind.SENT

    def result_count(self) -> int:
        return self.results.count()

    def result_ids(self) -> list[str]:
        return [str(self.results.item(i).data(_ID_ROLE)) for i in range(self.results.count())]

    def result_texts(self) -> list[str]:
        return [self.results.item(i).text() for i in range(self.results.count())]

    def selected_lead_id(self) -> str | None:
        item = self.results.currentItem()
        return str(item.data(_ID_ROLE)) if item is not None else None

    # --- searching --------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (
            watched is self.search_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _LIST_KEYS
            and self.results.count()
        ):
            QCoreApplication.sendEvent(self.results, event)
            return True
        return False

    def _text_changed(self, _text: str) -> None:
        self._timer.start()
        self._update_buttons()

    def _search(self) -> None:
        self._timer.stop()
        self._seq += 1
        seq = self._seq
        self._loading = True
        text = self.search_edit.text().strip()
        QueryOp(
            parent=self,
            op=lambda c: find_leads(c, text),
            success=lambda found: self._show(seq, text, *found),
        ).run_in_background(self.ctx.ops)
        self._update_buttons()

    def _show(self, seq: int, text: str, rows: Sequence[LeadRow], total: int) -> None:
        if seq != self._seq:
            return  # the rep typed on: a newer search is on its way
        self._loading = False
        self.results.clear()
        self._rows = {row.id: row for row in rows}
        for row in rows:
            item = QListWidgetItem(lead_text(row))
            item.setData(_ID_ROLE, row.id)
            item.setToolTip(plain_tooltip(lead_text(row)))
            self.results.addItem(item)
        if rows:
            self.results.setCurrentRow(0)
        if not rows:
            message = (
                tr("picker", "No lead matches “{text}”.").format(text=text)
                if text
                else tr("picker", "You have no leads yet. They arrive with the next sync.")
            )
        elif total > len(rows):
            message = tr("picker", "The first {shown} of {total} matches: type more to narrow.")
            message = message.format(shown=len(rows), total=total)
        else:
            message = ""
        set_plain(self.empty_label, message)
        self.empty_label.setVisible(bool(message))
        self._update_buttons()
        self.results_loaded.emit()
        if self._record_when_loaded and not self.loading:
            self._record_when_loaded = False
            if self.selected_lead_id() is not None:
                self.record()

    def _update_buttons(self) -> None:
        # While matches are on their way, Enter waits for them (see `record`).
        ready = self.selected_lead_id() is not None or self.loading
        self.record_button.setEnabled(ready and not self._saving)

    # --- recording --------------------------------------------------------------------------

    def record(self) -> None:
        """Record the use for the chosen lead; typed-ahead Enter waits for the new matches."""
        if self._saving:
            return
        if self.loading:
            self._record_when_loaded = True
            return
        lead_id = self.selected_lead_id()
        if lead_id is None:
            return
        row = self._rows.get(lead_id)
        name = row.name if row is not None else ""
        use = CollateralUse(
            id=new_id(),
            lead_id=lead_id,
            collateral_id=self.collateral.id,
            kind=self.kind(),
            used_at=utcnow(),
        )
        self._saving = True
        self._update_buttons()

        def saved(_changes: object) -> None:
            self.recorded.emit(use, name)
            self.accept()

        def failed(exc: BaseException) -> None:
            self._saving = False
            self._update_buttons()
            self.ctx.ops.report_error(self, exc)

        CollectionOp(parent=self, op=lambda c: c.store.record_collateral_use(use)).success(
            saved
        ).failure(failed).run_in_background(self.ctx.ops)

    def reject(self) -> None:
        self._record_when_loaded = False
        super().reject()
