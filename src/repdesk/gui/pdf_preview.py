"""A scrollable preview of a PDF's first pages, rendered with pypdfium2 off the GUI thread.

Qt's own PDF module needs the large Addons wheel, so pages are rasterised by pypdfium2 on
the ops runner's FILES lane (PDFium is not thread-safe: one lane keeps every call on one
thread) into QImages, which are turned into pixmaps on the GUI thread. An encrypted or
broken file shows a plain message instead, and "Open with system viewer" is always there.

    preview = PdfPreview(parent, ops=ctx.ops)
    preview.load(path)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QImage, QPalette, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from repdesk.domain.errors import CollateralError
from repdesk.gui.ops import Lane, OpRunner, QueryOp, runner_for
from repdesk.gui.text import plain_label, tr
from repdesk.gui.theme import SPACING, Tone, set_tone

log = logging.getLogger(__name__)

DEFAULT_MAX_PAGES = 3
DEFAULT_WIDTH_PX = 640


@dataclass(frozen=True, slots=True)
class RenderedPdf:
    pages: list[QImage]
    page_count: int


def render_pdf(
    path: Path, max_pages: int = DEFAULT_MAX_PAGES, width_px: int = DEFAULT_WIDTH_PX
) -> RenderedPdf:
    """Rasterise the first `max_pages` pages at `width_px` wide (runs on a worker thread).

    Raises `CollateralError` with a message a rep understands for a missing, encrypted,
    non-PDF or damaged file.
    """
    try:
        doc = pdfium.PdfDocument(str(path))
    except FileNotFoundError as exc:
        raise CollateralError(
            tr("pdf", "This file could not be opened: it is not on this computer any more.")
        ) from exc
    except OSError as exc:
        raise CollateralError(
            tr("pdf", "This file could not be opened: %1").replace("%1", exc.strerror or str(exc))
        ) from exc
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise CollateralError(
                tr(
                    "pdf",
                    "This file is password-protected, so repdesk cannot preview it. "
                    "Open it with your system viewer if you have the password.",
                )
            ) from exc
        raise CollateralError(
            tr("pdf", "This file could not be opened: it is not a PDF, or it is damaged.")
        ) from exc
    try:
        count = len(doc)
        if count == 0:
            raise CollateralError(tr("pdf", "This file could not be opened: it has no pages."))
        images: list[QImage] = []
        for index in range(min(count, max_pages)):
            page = doc[index]
            try:
                width, _height = page.get_size()
                scale = width_px / width if width > 0 else 1.0
                bitmap = page.render(scale=scale, rev_byteorder=True, prefer_bgrx=True)
                images.append(_to_qimage(bitmap))
            finally:
                page.close()
        return RenderedPdf(images, count)
    except pdfium.PdfiumError as exc:
        raise CollateralError(
            tr("pdf", "This file could not be opened: a page is damaged (%1).").replace(
                "%1", str(exc)
            )
        ) from exc
    finally:
        doc.close()


def _to_qimage(bitmap: pdfium.PdfBitmap) -> QImage:
    formats = {"RGBX": QImage.Format.Format_RGBX8888, "RGBA": QImage.Format.Format_RGBA8888}
    formats["RGB"] = QImage.Format.Format_RGB888
    formats["L"] = QImage.Format.Format_Grayscale8
    fmt = formats.get(bitmap.mode)
    if fmt is None:
        raise CollateralError(tr("pdf", "This file could not be previewed (unusual colours)."))
    data = bytes(bitmap.buffer)
    # copy(): the QImage must own its pixels once `data` and the bitmap are gone.
    return QImage(data, bitmap.width, bitmap.height, bitmap.stride, fmt).copy()


class PdfPreview(QWidget):
    """Shows the first pages of one PDF; `load(path)` replaces whatever was shown."""

    rendered = Signal(int)
    """How many pages are now shown."""
    failed = Signal(str)
    """The plain message shown instead of pages."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        ops: OpRunner | None = None,
        max_pages: int = DEFAULT_MAX_PAGES,
        width_px: int = DEFAULT_WIDTH_PX,
    ) -> None:
        super().__init__(parent)
        self._ops = ops
        self.max_pages = max_pages
        self.width_px = width_px
        self._path: Path | None = None
        self._generation = 0
        self._page_count = 0
        self._message = ""
        self._labels: list[QLabel] = []

        self.header = plain_label("", self)
        set_tone(self.header, Tone.MUTED)
        self.open_button = QPushButton(tr("pdf", "Open with system viewer"), self)
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_externally)
        self.message_label = plain_label("", self, wrap=True)
        self.message_label.setObjectName("pdf-message")
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message_label.hide()

        self._pages = QWidget()
        self._pages_layout = QVBoxLayout(self._pages)
        self._pages_layout.setSpacing(SPACING)
        self._pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(self._pages)
        self.scroll_area.setBackgroundRole(QPalette.ColorRole.Mid)

        top = QHBoxLayout()
        top.setContentsMargins(SPACING // 2, 0, 0, 0)
        top.addWidget(self.header, 1)
        top.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.message_label, 1)
        layout.addWidget(self.scroll_area, 1)
        self.clear()

    # --- state others read -----------------------------------------------------------------

    @property
    def path(self) -> Path | None:
        return self._path

    def rendered_pages(self) -> int:
        return len(self._labels)

    def page_count(self) -> int:
        """Pages in the whole document (0 when nothing or a broken file is shown)."""
        return self._page_count

    def message(self) -> str:
        """The plain message shown instead of pages ("" while pages are shown)."""
        return self._message

    # --- actions ---------------------------------------------------------------------------

    def clear(self) -> None:
        self._generation += 1
        self._path = None
        self._page_count = 0
        self._drop_pages()
        self._set_message(tr("pdf", "Choose a file to preview it."), tone=Tone.MUTED)
        self._message = ""
        self.header.setText("")
        self.open_button.setEnabled(False)

    def load(self, path: Path | str) -> None:
        path = Path(path)
        self._generation += 1
        generation = self._generation
        self._path = path
        self._page_count = 0
        self._drop_pages()
        self._message = ""
        self.message_label.setText(tr("pdf", "Rendering the preview…"))
        set_tone(self.message_label, Tone.MUTED)
        self.message_label.show()
        self.scroll_area.hide()
        self.header.setText(path.name)
        self.open_button.setEnabled(True)
        max_pages, width = self.max_pages, self.width_px

        def shown(result: RenderedPdf) -> None:
            if generation == self._generation:
                self._show(result)

        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            if not isinstance(exc, CollateralError):
                log.error("rendering %s failed", path, exc_info=exc)
                exc = CollateralError(
                    tr("pdf", "This file could not be opened: %1").replace("%1", type(exc).__name__)
                )
            self._set_message(str(exc), tone=Tone.BAD)
            self.failed.emit(self._message)

        ops = self._ops or runner_for(self.parent())
        if ops is None:
            # No runner reachable (a bare widget): render here rather than not at all.
            log.debug("no op runner for the PDF preview; rendering on the GUI thread")
            try:
                shown(render_pdf(path, max_pages, width))
            except Exception as exc:
                failed(exc)
            return
        QueryOp(
            parent=self, op=lambda _c: render_pdf(path, max_pages, width), success=shown
        ).failure(failed).on_lane(Lane.FILES).run_in_background(ops)

    def open_externally(self) -> None:
        if self._path is None:
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._path))):
            log.warning("no system viewer opened %s", self._path)

    # --- rendering -------------------------------------------------------------------------

    def _show(self, result: RenderedPdf) -> None:
        self._page_count = result.page_count
        self._message = ""
        self.message_label.hide()
        self.scroll_area.show()
        name = self._path.name if self._path else ""
        shown = len(result.pages)
        if result.page_count > shown:
            summary = tr("pdf", "%1 · first %2 of %3 pages")
        else:
            summary = tr("pdf", "%1 · %3 pages") if result.page_count > 1 else tr("pdf", "%1")
        self.header.setText(
            summary.replace("%1", name)
            .replace("%2", str(shown))
            .replace("%3", str(result.page_count))
        )
        for image in result.pages:
            label = QLabel(self._pages)
            label.setPixmap(QPixmap.fromImage(image))
            label.setFrameShape(QLabel.Shape.Box)
            self._pages_layout.addWidget(label)
            self._labels.append(label)
        self.rendered.emit(shown)

    def _drop_pages(self) -> None:
        for label in self._labels:
            label.deleteLater()
        self._labels.clear()

    def _set_message(self, text: str, tone: Tone) -> None:
        self._drop_pages()
        self._message = text
        self.message_label.setText(text)
        set_tone(self.message_label, tone)
        self.message_label.show()
        self.scroll_area.hide()
