"""The Feedback tab: the lead's objections and its disposition, both sent back to marketing."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from repdesk.domain.feedback import Disposition, DispositionKind, Objection, Severity
from repdesk.domain.ids import ensure_utc
from repdesk.gui.context import AppContext
from repdesk.gui.lead_view.detail import LeadDetail
from repdesk.gui.lead_view.records import RecordColumn, RecordTableModel, setup_record_table
from repdesk.gui.table_fit import ColumnFitter
from repdesk.gui.text import format_when, plain_label, set_plain, tr
from repdesk.gui.theme import SPACING, Tone, set_tone

log = logging.getLogger(__name__)


def severity_text(severity: Severity) -> str:
    return {
        Severity.LOW: tr("feedback", "Low"),
        Severity.MEDIUM: tr("feedback", "Medium"),
        Severity.HIGH: tr("feedback", "High"),
        Severity.BLOCKER: tr("feedback", "Blocker"),
    }.get(severity, str(int(severity)))


def disposition_text(disposition: Disposition | None) -> str:
    if disposition is None:
        return tr("feedback", "No decision yet.")
    verb = {
        DispositionKind.ACCEPT: tr("feedback", "Accepted as a sales opportunity"),
        DispositionKind.RETURN_TO_NURTURE: tr("feedback", "Sent back to nurture"),
        DispositionKind.DISQUALIFY: tr("feedback", "Disqualified"),
    }[disposition.kind]
    text = f"{verb} ({format_when(disposition.decided_at)})"
    if disposition.reason.strip():
        text += "\n" + tr("feedback", "Reason: %1").replace("%1", disposition.reason.strip())
    return text


class FeedbackTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("feedbackTab")
        self._detail: LeadDetail | None = None
        self.dialog: QDialog | None = None
        """The objection or disposition dialog last opened (tests and screenshots use it)."""

        self.objections: RecordTableModel[Objection] = RecordTableModel(
            [
                RecordColumn(tr("feedback", "When"), lambda o: format_when(o.created_at)),
                RecordColumn(tr("feedback", "Category"), self._category),
                RecordColumn(tr("feedback", "Their words"), lambda o: o.verbatim),
                RecordColumn(
                    tr("feedback", "Severity"),
                    lambda o: severity_text(o.severity),
                    tone=lambda o: Tone.BAD if o.severity >= Severity.HIGH else None,
                ),
                RecordColumn(
                    tr("feedback", "Status"),
                    lambda o: tr("feedback", "Resolved") if o.resolved else tr("feedback", "Open"),
                    tone=lambda o: Tone.OK if o.resolved else Tone.WARN,
                ),
            ],
            self,
        )
        self.table = QTableView(self)
        self.table.setObjectName("objectionTable")
        self.table.setModel(self.objections)
        setup_record_table(self.table)
        self.fitter = ColumnFitter(self.table, {2: 3.0, 1: 1.5})
        self.add_objection_button = QPushButton(tr("feedback", "Add objection…"), self)
        self.add_objection_button.setObjectName("addObjection")
        self.add_objection_button.clicked.connect(self.add_objection)

        objections_box = QGroupBox(tr("feedback", "Objections"), self)
        box_layout = QVBoxLayout(objections_box)
        box_layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.add_objection_button)
        box_layout.addLayout(row)

        self.disposition_label = plain_label("", self, wrap=True)
        self.disposition_label.setObjectName("dispositionText")
        self.decide_button = QPushButton(tr("feedback", "Decide…"), self)
        self.decide_button.setObjectName("decide")
        self.decide_button.setToolTip(
            tr("feedback", "Accept the lead, send it back to nurture, or disqualify it")
        )
        self.decide_button.clicked.connect(self.decide)
        disposition_box = QGroupBox(tr("feedback", "Disposition"), self)
        decision = QHBoxLayout(disposition_box)
        decision.addWidget(self.disposition_label, 1)
        decision.addWidget(self.decide_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING, SPACING, SPACING, SPACING)
        layout.addWidget(objections_box, 1)
        layout.addWidget(disposition_box)
        self.show_detail(None)

    def _category(self, objection: Objection) -> str:
        if self._detail is None:
            return objection.category_code
        return self._detail.category_label(objection.category_code)

    def show_detail(self, detail: LeadDetail | None) -> None:
        self._detail = detail
        objections = sorted(
            detail.objections if detail else (),
            key=lambda o: ensure_utc(o.created_at),
            reverse=True,
        )
        self.objections.set_records(objections)
        set_plain(self.disposition_label, disposition_text(detail.disposition if detail else None))
        if detail is not None and detail.disposition is not None:
            tone = Tone.OK if detail.disposition.kind == DispositionKind.ACCEPT else Tone.MUTED
            set_tone(self.disposition_label, tone)
        else:
            set_tone(self.disposition_label, None)
        self.add_objection_button.setEnabled(detail is not None)
        self.decide_button.setEnabled(detail is not None)

    def add_objection(self) -> QDialog | None:
        """Open the objection dialog; it saves itself and the refresh arrives via AppEvents."""
        if self._detail is None:
            return None
        from repdesk.gui.objection_dialog import ObjectionDialog

        campaign_id = self._detail.lead.source_campaign_id
        dialog = ObjectionDialog(self.ctx, self._detail.lead.id, self, campaign_id=campaign_id)
        self.dialog = dialog
        dialog.open()
        return dialog

    def decide(self) -> QDialog | None:
        if self._detail is None:
            return None
        from repdesk.gui.disposition_dialog import ask_disposition

        dialog = ask_disposition(
            self.ctx,
            self._detail.lead.id,
            self,
            lead_name=self._detail.lead.full_name,
        )
        self.dialog = dialog
        return dialog
