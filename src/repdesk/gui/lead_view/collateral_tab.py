"""The Collateral tab: files from the lead's campaigns, preview, and "shown"/"sent" marks."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QItemSelection, Qt, QUrl, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from repdesk.domain.feedback import CollateralUse, UseKind
from repdesk.domain.ids import ensure_utc, new_id, utcnow
from repdesk.domain.leads import Collateral
from repdesk.gui.context import AppContext
from repdesk.gui.lead_view.detail import LeadDetail
from repdesk.gui.lead_view.records import RecordColumn, RecordTableModel, setup_record_table
from repdesk.gui.ops import CollectionOp, Lane, QueryOp
from repdesk.gui.pdf_preview import PdfPreview
from repdesk.gui.table_fit import ColumnFitter
from repdesk.gui.text import format_when, human_size, one_line, plain_label, set_plain, tr
from repdesk.gui.theme import SPACING, Tone, set_tone

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CollateralItem:
    collateral: Collateral
    campaign: str
    path: Path | None
    """The verified local copy; None while it is not downloaded."""
    checked: bool
    """False until the file lookup (on the files lane) has answered."""
    last_use: CollateralUse | None


def availability(item: CollateralItem) -> str:
    if item.collateral.problem:
        return tr("collateral", "Problem: %1").replace("%1", one_line(item.collateral.problem, 60))
    if not item.checked:
        return tr("collateral", "Checking…")
    if item.path is not None:
        return tr("collateral", "Available offline")
    return tr("collateral", "Not downloaded yet")


def use_text(item: CollateralItem) -> str:
    use = item.last_use
    if use is None:
        return ""
    verb = tr("collateral", "Sent") if use.kind == UseKind.SENT else tr("collateral", "Shown")
    return f"{verb} {format_when(use.used_at)}"


def _tone(item: CollateralItem) -> Tone | None:
    if item.collateral.problem:
        return Tone.BAD
    return Tone.OK if item.path is not None else Tone.MUTED


class CollateralTab(QWidget):
    used = Signal(object)
    """A `CollateralUse` was recorded (and queued for marketing)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("collateralTab")
        self._detail: LeadDetail | None = None
        self._paths: dict[str, Path | None] = {}
        self._checked = False
        self.model: RecordTableModel[CollateralItem] = RecordTableModel(
            [
                RecordColumn(tr("collateral", "Title"), lambda i: i.collateral.title),
                RecordColumn(tr("collateral", "Campaign"), lambda i: i.campaign),
                RecordColumn(
                    tr("collateral", "Size"),
                    lambda i: human_size(i.collateral.size),
                    align_right=True,
                ),
                RecordColumn(tr("collateral", "Availability"), availability, tone=_tone),
                RecordColumn(tr("collateral", "Used with this lead"), use_text),
            ],
            self,
        )
        self.table = QTableView(self)
        self.table.setObjectName("leadCollateral")
        self.table.setModel(self.model)
        setup_record_table(self.table)
        self.fitter = ColumnFitter(self.table, {0: 3.0, 1: 1.5, 4: 1.0})

        self.title = plain_label("", self, wrap=True)
        self.info = plain_label("", self, wrap=True)
        set_tone(self.info, Tone.MUTED)
        self.preview = PdfPreview(self, ops=ctx.ops)
        self.preview.setObjectName("collateralPreview")
        self.shown_button = QPushButton(tr("collateral", "Mark as shown"), self)
        self.shown_button.setObjectName("markShown")
        self.sent_button = QPushButton(tr("collateral", "Mark as sent"), self)
        self.sent_button.setObjectName("markSent")
        self.shown_button.clicked.connect(lambda: self.mark_selected(UseKind.SHOWN))
        self.sent_button.clicked.connect(lambda: self.mark_selected(UseKind.SENT))
        self.email_button = QPushButton(tr("collateral", "&Email this…"), self)
        self.email_button.setObjectName("emailThis")
        self.email_button.setToolTip(
            tr("collateral", "A new message to the lead in your mail app; you attach the file")
        )
        self.email_button.clicked.connect(self.email_selected)
        self.handoff = EmailHandoff(self)
        self.handoff.sent.connect(lambda: self._confirm_sent(True))
        self.handoff.not_sent.connect(lambda: self._confirm_sent(False))
        self.handoff.open_folder.connect(self.open_file_folder)
        self._emailing: CollateralItem | None = None

        side = QWidget(self)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.title)
        side_layout.addWidget(self.info)
        side_layout.addWidget(self.preview, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.email_button)
        buttons.addWidget(self.shown_button)
        buttons.addWidget(self.sent_button)
        side_layout.addWidget(self.handoff)
        side_layout.addLayout(buttons)

        # Stacked: the lead view is narrow, and a list of a few files needs little height.
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 3)
        self.table.setMinimumHeight(self.fontMetrics().height() * 5)
        self.empty = plain_label("", self, wrap=True)
        set_tone(self.empty, Tone.MUTED)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING, SPACING, SPACING, SPACING)
        layout.addWidget(self.empty)
        layout.addWidget(self.splitter, 1)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.show_detail(None)

    # --- showing ----------------------------------------------------------------------------

    def show_detail(self, detail: LeadDetail | None) -> None:
        same_lead = (
            detail is not None
            and self._detail is not None
            and detail.lead.id == self._detail.lead.id
        )
        keep = self.selected_id() if same_lead else ""
        self._detail = detail
        if not same_lead:
            self._paths = {}
            self._checked = False
            self._emailing = None
            self.handoff.hide()
        self._rebuild(keep)
        if detail is not None and detail.collateral:
            self._check_files(detail)
        if detail is None:
            self.empty.setText("")
        elif not detail.collateral:
            self.empty.setText(tr("collateral", "No collateral for this lead's campaigns yet."))
        else:
            self.empty.setText(
                tr("collateral", "Files from this lead's campaigns. Mark what you show or send.")
            )

    def _rebuild(self, keep_id: str = "") -> None:
        detail = self._detail
        items: list[CollateralItem] = []
        if detail is not None:
            last: dict[str, CollateralUse] = {}
            for use in sorted(detail.uses, key=lambda u: ensure_utc(u.used_at)):
                last[use.collateral_id] = use
            for item in detail.collateral:
                items.append(
                    CollateralItem(
                        collateral=item,
                        campaign=detail.campaign_name(item.campaign_id),
                        path=self._paths.get(item.sha256),
                        checked=self._checked,
                        last_use=last.get(item.id),
                    )
                )
        self.model.set_records(items)
        if keep_id:
            self.select(keep_id)
        elif items:
            self.table.selectRow(0)
        self._show_selected()

    def _check_files(self, detail: LeadDetail) -> None:
        files = self.ctx.collateral
        hashes = [c.sha256 for c in detail.collateral]
        lead_id = detail.lead.id

        def lookup(_c: object) -> dict[str, Path | None]:
            if files is None:
                return dict.fromkeys(hashes)
            return {sha: files.path_for(sha) for sha in hashes}

        def found(paths: dict[str, Path | None]) -> None:
            if self._detail is None or self._detail.lead.id != lead_id:
                return
            self._paths.update(paths)
            self._checked = True
            self._rebuild(self.selected_id())

        QueryOp(parent=self, op=lookup, success=found).on_lane(Lane.FILES).run_in_background(
            self.ctx.ops
        )

    def selected_item(self) -> CollateralItem | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.record(rows[0].row()) if rows else None

    def selected_id(self) -> str:
        item = self.selected_item()
        return item.collateral.id if item else ""

    def select(self, collateral_id: str) -> bool:
        for row, item in enumerate(self.model.records):
            if item.collateral.id == collateral_id:
                self.table.selectRow(row)
                return True
        return False

    def _selection_changed(self, _new: QItemSelection, _old: QItemSelection) -> None:
        self._show_selected()

    def _show_selected(self) -> None:
        item = self.selected_item()
        has_lead = self._detail is not None
        self.shown_button.setEnabled(has_lead and item is not None)
        self.sent_button.setEnabled(has_lead and item is not None)
        email = self._detail.lead.email if self._detail is not None else ""
        self.email_button.setEnabled(has_lead and item is not None and bool(email.strip()))
        if has_lead and not email.strip():
            self.email_button.setToolTip(tr("collateral", "This lead has no email address."))
        if item is None:
            set_plain(self.title, "")
            set_plain(self.info, "")
            self.preview.clear()
            return
        set_plain(self.title, item.collateral.title)
        details = [human_size(item.collateral.size), availability(item)]
        if item.campaign:
            details.insert(1, item.campaign)
        set_plain(self.info, " · ".join(details))
        if item.path is not None and not item.collateral.problem:
            if self.preview.path != item.path:  # a refresh does not re-render the same file
                self.preview.load(item.path)
        else:
            self.preview.clear()

    # --- acting -----------------------------------------------------------------------------

    def mark_selected(self, kind: UseKind) -> None:
        item = self.selected_item()
        if item is None or self._detail is None:
            return
        use = CollateralUse(
            id=new_id(),
            lead_id=self._detail.lead.id,
            collateral_id=item.collateral.id,
            kind=kind,
            used_at=utcnow(),
        )
        CollectionOp(parent=self, op=lambda c: c.store.record_collateral_use(use)).success(
            lambda _changes: self.used.emit(use)
        ).run_in_background(self.ctx.ops)

    # --- email hand-off ---------------------------------------------------------------------

    def email_selected(self) -> bool:
        """Open a new message to the lead in the rep's mail app (`mailto:`), then ask
        whether it went: "I sent it" records the use as sent. A `mailto:` link cannot
        carry a file, so the bar says to attach it and offers its folder."""
        from repdesk.gui.handoff import copy_text, mailto_url, open_link

        item = self.selected_item()
        detail = self._detail
        if item is None or detail is None:
            return False
        lead = detail.lead
        subject = item.collateral.title
        if lead.company:
            subject = (
                tr("collateral", "%1 for %2").replace("%1", subject).replace("%2", lead.company)
            )
        first = lead.first_name or lead.full_name
        body = (
            tr("collateral", "Hi %1,\n\nas promised, here is our %2 (attached).\n\n")
            .replace("%1", first)
            .replace("%2", item.collateral.title)
        )
        url = mailto_url(lead.email, subject, body)
        if url is None:
            self.handoff.show_problem(
                tr("collateral", "This lead has no usable email address (%1).").replace(
                    "%1", lead.email
                )
            )
            return False
        if not open_link(url):
            copy_text(lead.email)
            self.handoff.show_problem(
                tr(
                    "collateral",
                    "No mail app on this computer takes email links. %1 is copied: write "
                    "to them from your mail and attach the file.",
                ).replace("%1", lead.email)
            )
            return False
        self._emailing = item
        self.handoff.ask(item.collateral.title, lead.email, item.path is not None)
        return True

    def _confirm_sent(self, sent: bool) -> None:
        item, self._emailing = self._emailing, None
        self.handoff.hide()
        if sent and item is not None and self._detail is not None:
            self.select(item.collateral.id)
            self.mark_selected(UseKind.SENT)

    def open_file_folder(self) -> None:
        """Put a copy of the file under its title in an "outgoing" folder and open that
        folder (the cache names files by their hash), for the rep to attach it."""
        item = self._emailing or self.selected_item()
        if item is None or item.path is None:
            return
        source, title = item.path, item.collateral.title
        outgoing = self.ctx.data_dir / "outgoing"

        def copy(_c: object) -> Path:
            return outgoing_copy(source, outgoing, title, item.collateral.media_type)

        def opened(path: Path) -> None:
            from repdesk.gui.handoff import open_link

            if not open_link(QUrl.fromLocalFile(str(path.parent))):
                self.handoff.show_problem(
                    tr("collateral", "The file is here: %1").replace("%1", str(path))
                )

        QueryOp(parent=self, op=copy, success=opened).on_lane(Lane.FILES).run_in_background(
            self.ctx.ops
        )


_EXTENSIONS = {"application/pdf": ".pdf"}


def outgoing_copy(source: Path, folder: Path, title: str, media_type: str) -> Path:
    """`source` copied to `folder` as "<title>.pdf" (a name a prospect can read)."""
    import re
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^\w\- .,()&]+", "", title).strip(" .") or "document"
    target = folder / (safe[:80] + _EXTENSIONS.get(media_type, ""))
    if not target.exists() or target.stat().st_size != source.stat().st_size:
        tmp = target.with_name(target.name + ".part")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
    return target


class EmailHandoff(QFrame):
    """The bar under the preview after "Email this": attach the file yourself (mailto:
    cannot), open its folder, then say whether you sent it."""

    sent = Signal()
    not_sent = Signal()
    open_folder = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emailHandoff")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.text = plain_label("", self, wrap=True)
        self.text.setObjectName("emailHandoffText")
        self.folder_button = QPushButton(tr("collateral", "Open the file's fol&der"), self)
        self.sent_button = QPushButton(tr("collateral", "I &sent it"), self)
        self.sent_button.setObjectName("emailSent")
        self.not_sent_button = QPushButton(tr("collateral", "&Not sent"), self)
        self.folder_button.clicked.connect(self.open_folder)
        self.sent_button.clicked.connect(self.sent)
        self.not_sent_button.clicked.connect(self.not_sent)
        row = QHBoxLayout()
        row.addWidget(self.folder_button)
        row.addStretch(1)
        row.addWidget(self.not_sent_button)
        row.addWidget(self.sent_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addLayout(row)
        self.hide()

    def ask(self, title: str, address: str, downloaded: bool) -> None:
        set_tone(self.text, None)
        attach = (
            tr("collateral", "Attach the file yourself: an email link cannot carry files.")
            if downloaded
            else tr(
                "collateral",
                "Attach the file yourself (an email link cannot carry files); it is not "
                "downloaded yet: sync first.",
            )
        )
        set_plain(
            self.text,
            tr("collateral", "Your mail app has a new message to %1 about “%2”.")
            .replace("%1", address)
            .replace("%2", title)
            + " "
            + attach
            + " "
            + tr("collateral", "Did you send it?"),
        )
        self.folder_button.setEnabled(downloaded)
        self.not_sent_button.setText(tr("collateral", "&Not sent"))
        for button in (self.folder_button, self.sent_button, self.not_sent_button):
            button.show()
        self.show()
        self.sent_button.setFocus()

    def show_problem(self, message: str) -> None:
        set_plain(self.text, message)
        set_tone(self.text, Tone.WARN)
        self.folder_button.hide()
        self.sent_button.hide()
        self.not_sent_button.show()
        self.not_sent_button.setText(tr("collateral", "&OK"))
        self.show()
