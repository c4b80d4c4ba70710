"""The Call brief tab: the pre-call summary on screen, printable and exportable to PDF."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from PySide6.QtCore import QEvent, QUrl, Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from repdesk.domain.errors import RepdeskError
from repdesk.gui.context import AppContext
from repdesk.gui.lead_view.detail import LeadDetail
from repdesk.gui.ops import show_message
from repdesk.gui.text import plain_label, tr
from repdesk.gui.theme import SPACING, Tone, is_dark, set_tone, tone_color

log = logging.getLogger(__name__)


def suggested_file_name(detail: LeadDetail) -> str:
    """ "Call brief - Ada Lovelace.pdf", with anything a file system dislikes removed."""
    name = detail.lead.full_name or detail.lead.id
    safe = re.sub(r"[^\w\- .]+", "", name).strip(" .") or "lead"
    return f"Call brief - {safe[:60]}.pdf"


class BriefTab(QWidget):
    dial_requested = Signal(str)
    """The rep clicked (or pressed Enter on) the brief's phone number: the number."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("briefTab")
        self._detail: LeadDetail | None = None
        self._screen_dark = is_dark()
        self.document: QTextDocument | None = None
        self.view = QTextBrowser(self)
        self.view.setObjectName("briefView")
        self.view.setReadOnly(True)
        # Links are ours to handle: only the phone's tel: link, which dials.
        self.view.setOpenLinks(False)
        self.view.setOpenExternalLinks(False)
        self.view.anchorClicked.connect(self._anchor_clicked)
        # Only ever given a document built from plain text; never accept pasted rich text.
        self.view.setAcceptRichText(False)
        self.print_button = QPushButton(tr("brief", "Print…"), self)
        self.print_button.clicked.connect(self.print_brief)
        self.export_button = QPushButton(tr("brief", "Export PDF…"), self)
        self.export_button.clicked.connect(self.choose_pdf_path)
        self.status = plain_label("", self)
        set_tone(self.status, Tone.MUTED)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING, SPACING, SPACING, SPACING)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.show_detail(None)

    def show_detail(self, detail: LeadDetail | None) -> None:
        self._detail = detail
        enabled = detail is not None
        self.print_button.setEnabled(enabled)
        self.export_button.setEnabled(enabled)
        self.status.setText("")
        if detail is None:
            self.document = None
            self.view.setPlainText(tr("brief", "Open a lead to see its call brief."))
            return
        self._screen_dark = is_dark()
        grey = tone_color(Tone.MUTED).name()
        from repdesk.gui.lead_view.brief_document import build_brief_document

        self.document = build_brief_document(detail.brief, self, grey=grey)
        self.view.setDocument(self.document)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        # The muted lines are coloured for the palette they were built in.
        changed = event.type() == QEvent.Type.PaletteChange and is_dark() != self._screen_dark
        if changed and self._detail is not None:
            self.show_detail(self._detail)

    def paper_document(self) -> QTextDocument | None:
        """The brief on screen, coloured for paper (print and PDF), whatever the palette."""
        if self._detail is None:
            return None
        from repdesk.gui.lead_view.brief_document import build_brief_document

        return build_brief_document(self._detail.brief, self)

    def _anchor_clicked(self, url: QUrl) -> None:
        if url.scheme() == "tel" and self._detail is not None:
            self.dial_requested.emit(self._detail.lead.phone or url.path())

    def export_to(self, path: Path) -> Path:
        """Write the brief on screen as a PDF at `path` (raises RepdeskError on failure)."""
        paper = self.paper_document()
        if paper is None or self._detail is None:
            raise RepdeskError(tr("brief", "Open a lead first."))
        title = tr("brief", "Call brief: %1").replace("%1", self._detail.lead.full_name)
        from repdesk.gui.lead_view.brief_document import export_pdf

        return export_pdf(paper, path, title)

    def choose_pdf_path(self) -> None:
        if self._detail is None:
            return
        start = self._start_dir() / suggested_file_name(self._detail)
        name, _filter = QFileDialog.getSaveFileName(
            self, tr("brief", "Export call brief"), str(start), tr("brief", "PDF files (*.pdf)")
        )
        if not name:
            return
        path = Path(name)
        if path.suffix.lower() != ".pdf":
            path = path.with_suffix(".pdf")
        try:
            self.export_to(path)
        except RepdeskError as exc:
            show_message(self, str(exc))
            return
        self._remember_dir(path.parent)
        self.status.setText(tr("brief", "Saved %1").replace("%1", path.name))

    def print_brief(self) -> None:
        paper = self.paper_document()
        if paper is None:
            return
        # PrintSupport is only loaded when the rep actually prints.
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(tr("brief", "Print call brief"))
        if dialog.exec() == QPrintDialog.DialogCode.Accepted:
            paper.print_(printer)

    def _start_dir(self) -> Path:
        settings = self.ctx.settings
        if settings is not None:
            from repdesk.store.settings import LAST_EXPORT_DIR

            saved = settings.get(LAST_EXPORT_DIR)
            if saved and Path(saved).is_dir():
                return Path(saved)
        return Path.home()

    def _remember_dir(self, folder: Path) -> None:
        settings = self.ctx.settings
        if settings is None:
            return
        from repdesk.store.settings import LAST_EXPORT_DIR

        try:
            settings.set(LAST_EXPORT_DIR, str(folder))
        except RepdeskError as exc:
            log.warning("could not remember the export folder: %s", exc)
