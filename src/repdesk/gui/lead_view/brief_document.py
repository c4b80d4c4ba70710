"""The call brief as a formatted QTextDocument (never HTML), and its PDF export.

The document is built with QTextCursor.insertText, so every value from the hub or the rep
lands as literal characters; headings and lists come from text formats, not markup. The
same document is shown on screen, printed, and written to PDF.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import (
    QColor,
    QFont,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextListFormat,
)

from repdesk.domain.brief import CallBrief, describe_event
from repdesk.domain.errors import DiskFullError, StoreError
from repdesk.domain.ids import ensure_utc
from repdesk.gui.handoff import tel_url
from repdesk.gui.lead_list.labels import plural
from repdesk.gui.text import tr

log = logging.getLogger(__name__)

_BASE_POINTS = 10.5
#: Secondary text on paper (print and PDF); on screen the palette's muted tone is used.
PAPER_GREY = "#5f6368"


def _day(when: datetime) -> str:
    return ensure_utc(when).astimezone().strftime("%d %b %Y")


class _Writer:
    """Appends headings, paragraphs and bullet lists to a document as plain text."""

    def __init__(self, document: QTextDocument, grey: str) -> None:
        self.cursor = QTextCursor(document)
        self.first = True
        self.grey = grey

    def _block(self, space_before: float, space_after: float = 2.0) -> None:
        block = QTextBlockFormat()
        block.setTopMargin(space_before)
        block.setBottomMargin(space_after)
        if self.first:
            self.cursor.setBlockFormat(block)
            self.first = False
        else:
            self.cursor.insertBlock(block)

    def _chars(
        self, points: float = _BASE_POINTS, bold: bool = False, grey: bool = False
    ) -> QTextCharFormat:
        fmt = QTextCharFormat()
        fmt.setFontPointSize(points)
        fmt.setFontWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
        if grey:
            fmt.setForeground(QColor(self.grey))
        return fmt

    def title(self, text: str) -> None:
        self._block(0, 6)
        self.cursor.insertText(text, self._chars(_BASE_POINTS * 1.6, bold=True))

    def heading(self, text: str) -> None:
        self._block(12, 3)
        self.cursor.insertText(text, self._chars(_BASE_POINTS * 1.2, bold=True))

    def fact(self, label: str, value: str, href: str = "") -> None:
        """`label: value`; with `href` the value is a link (its text still plain)."""
        self._block(0, 1)
        self.cursor.insertText(label + ": ", self._chars(bold=True))
        chars = self._chars()
        if href:
            chars.setAnchor(True)
            chars.setAnchorHref(href)
            chars.setFontUnderline(True)
        self.cursor.insertText(value, chars)

    def paragraph(self, text: str, grey: bool = False) -> None:
        self._block(2, 2)
        self.cursor.insertText(text, self._chars(grey=grey))

    def bullets(self, lines: Sequence[str], empty: str) -> None:
        if not lines:
            self.paragraph(empty, grey=True)
            return
        self._block(2, 1)
        list_format = QTextListFormat()
        list_format.setStyle(QTextListFormat.Style.ListDisc)
        list_format.setIndent(1)
        # Turn the block just made into the first item (insertList would leave it empty).
        self.cursor.createList(list_format)
        for n, line in enumerate(lines):
            if n:
                self.cursor.insertBlock()
            self.cursor.insertText(line, self._chars())
        # Leave the list: the next block starts flush left.
        self.cursor.insertBlock(QTextBlockFormat())
        self.first = True


def build_brief_document(
    brief: CallBrief, parent: object | None = None, *, grey: str = PAPER_GREY
) -> QTextDocument:
    """A formatted, printable brief. Every server-supplied value is inserted as text.

    `grey` colours secondary lines: the default suits paper; on screen pass the palette's
    muted tone (the rest of the text follows the palette).
    """
    document = QTextDocument(parent)  # type: ignore[arg-type]
    font = document.defaultFont()
    font.setPointSizeF(_BASE_POINTS)
    document.setDefaultFont(font)
    document.setDocumentMargin(12)
    lead = brief.lead
    out = _Writer(document, grey)
    who = lead.full_name or tr("brief", "(no name)")
    out.title(tr("brief", "Call brief: %1").replace("%1", who))
    dial = tel_url(lead.phone)
    for label, value in (
        (tr("brief", "Title"), lead.title),
        (tr("brief", "Company"), lead.company),
        (tr("brief", "Email"), lead.email),
        (tr("brief", "Phone"), lead.phone),
        (tr("brief", "Readiness"), brief.readiness_label),
    ):
        if value:
            # The phone is a tel: link on screen (click to dial); paper just shows it.
            is_phone = label == tr("brief", "Phone") and dial is not None
            out.fact(label, value, dial.toString() if is_phone and dial is not None else "")
    trend = brief.score_trend
    if trend.change_30d:
        change = tr("brief", "%1 in the last 30 days").replace("%1", f"{trend.change_30d:+d}")
    else:
        change = tr("brief", "no change in the last 30 days")
    out.fact(tr("brief", "Score"), f"{trend.current} ({change})")
    if brief.last_touch_at is None:
        out.fact(tr("brief", "Last touch"), tr("brief", "never"))
    else:
        days = brief.days_since_last_touch or 0
        if days == 0:
            ago = tr("brief", "today")
        elif days == 1:
            ago = tr("brief", "yesterday")
        else:
            ago = plural("brief", days, "%n day ago", "%n days ago")
        out.fact(tr("brief", "Last touch"), f"{ago} ({_day(brief.last_touch_at)})")

    out.heading(tr("brief", "Talking points"))
    out.bullets(brief.talking_points, tr("brief", "Nothing in particular."))
    out.heading(tr("brief", "Ask about"))
    out.bullets(
        [f"{g.gap.explanation}. {g.question}".strip() for g in brief.gaps],
        tr("brief", "Nothing: every rubric point is covered.")
        if brief.readiness is not None
        else tr("brief", "Marketing has not published a rubric yet."),
    )
    out.heading(tr("brief", "Open objections"))
    out.bullets(
        [
            f"{label}: {o.verbatim}"
            for o, label in zip(brief.open_objections, brief.objection_labels, strict=True)
        ],
        tr("brief", "None."),
    )
    out.heading(tr("brief", "What they engaged with"))
    out.bullets(
        [
            (g.asset or tr("brief", "(no asset)"))
            + (f" ({g.campaign_name})" if g.campaign_name else "")
            + f": {g.count}\u00d7, "
            + tr("brief", "last %1").replace("%1", _day(g.last_at))
            for g in brief.engagement[:8]
        ],
        tr("brief", "No engagement recorded."),
    )
    out.heading(tr("brief", "Last touches"))
    out.bullets(
        [f"{_day(e.occurred_at)}  {describe_event(e)}" for e in brief.last_touches],
        tr("brief", "No nurture history."),
    )
    out.heading(tr("brief", "Suggested collateral"))
    out.bullets(
        [f"{s.collateral.title}: {s.reason}" for s in brief.suggested_collateral],
        tr("brief", "Nothing new to send."),
    )
    if brief.last_note is not None:
        out.heading(
            tr("brief", "Last call note (%1)").replace("%1", _day(brief.last_note.created_at))
        )
        out.paragraph(brief.last_note.body)
    generated = ensure_utc(brief.generated_at).astimezone().strftime("%d %b %Y %H:%M")
    out.paragraph(tr("brief", "Prepared by repdesk on %1").replace("%1", generated), grey=True)
    return document


def print_document(document: QTextDocument, device: QPagedPaintDevice) -> None:
    """Lay the document out on `device`'s pages (a QPrinter or a QPdfWriter)."""
    document.print_(device)


def export_pdf(document: QTextDocument, path: Path, title: str = "") -> Path:
    """Write `document` as an A4 PDF at `path`, atomically (temp file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".pdf", dir=path.parent)
    os.close(fd)
    try:
        writer = QPdfWriter(tmp_name)
        writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        writer.setPageMargins(QMarginsF(16, 16, 16, 16), QPageLayout.Unit.Millimeter)
        writer.setResolution(300)
        writer.setCreator("repdesk")
        if title:
            writer.setTitle(title)
        print_document(document, writer)
        del writer  # flushes and closes the file
        os.replace(tmp_name, path)
    except OSError as exc:
        Path(tmp_name).unlink(missing_ok=True)
        log.error("could not export the brief to %s: %s", path, exc)
        if exc.errno == 28:
            raise DiskFullError(tr("brief", "The disk is full: the PDF was not saved.")) from exc
        raise StoreError(
            tr("brief", "The PDF could not be saved there (%1).").replace("%1", exc.strerror or "")
        ) from exc
    if path.stat().st_size == 0:
        path.unlink(missing_ok=True)
        raise StoreError(tr("brief", "The PDF could not be written."))
    return path
