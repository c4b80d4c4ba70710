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
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QImage, QPalette, QPixmap, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from repdesk.domain.errors import CollateralError
from repdesk.gui.open_file import SystemViewerOpener
from repdesk.gui.ops import Lane, OpRunner, QueryOp, runner_for
from repdesk.gui.text import plain_label, tr
from repdesk.gui.theme import SPACING, Tone, set_tone

if TYPE_CHECKING:
    import pypdfium2 as pdfium

log = logging.getLogger(__name__)

DEFAULT_MAX_PAGES = 3
DEFAULT_WIDTH_PX = 640
"""The page width when not fitting to the pane (`fit_width=False`)."""
#: Fitted pages stay within these widths (device-independent pixels).
MIN_FIT_WIDTH_PX = 160
MAX_FIT_WIDTH_PX = 1600
#: A resize re-renders the pages sharp once the rep stops dragging for this long.
REFIT_DELAY_MS = 150
#: Width changes smaller than this keep the pages as they are.
_REFIT_SLACK_PX = 4


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
    # Imported here, on the files lane, when a PDF is first shown: not at start-up.
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

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


def _pixmap(image: QImage, width: int, scale: float, *, smooth: bool) -> QPixmap:
    """`image` as a page `width` device-independent pixels wide on a `scale`x screen."""
    pixels = max(1, round(width * scale))
    if image.width() != pixels:
        mode = (
            Qt.TransformationMode.SmoothTransformation
            if smooth
            else Qt.TransformationMode.FastTransformation
        )
        image = image.scaledToWidth(pixels, mode)
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(scale)
    return pixmap


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
    """Shows the first pages of one PDF; `load(path)` replaces whatever was shown.

    With `fit_width` (the default) pages are as wide as the pane: resizing scales them at
    once and renders them sharp again shortly after the rep stops dragging.
    """

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
        fit_width: bool = True,
    ) -> None:
        super().__init__(parent)
        self._ops = ops
        self.max_pages = max_pages
        self.width_px = width_px
        self.fit_width = fit_width
        self._images: list[QImage] = []
        self._shown_width = 0
        """The width (device-independent px) the pages on screen were rendered for."""
        self._refit_timer = QTimer(self)
        self._refit_timer.setSingleShot(True)
        self._refit_timer.setInterval(REFIT_DELAY_MS)
        self._refit_timer.timeout.connect(self._refit)
        self._path: Path | None = None
        self._generation = 0
        self._page_count = 0
        self._message = ""
        self._labels: list[QLabel] = []

        self.header = plain_label("", self)
        set_tone(self.header, Tone.MUTED)
        # A file name (a 64-character hash in the cache) must never set the window's width.
        self.header.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.open_button = QPushButton(tr("pdf", "Open with system viewer"), self)
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_externally)
        self._opener = SystemViewerOpener(self)
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
        if fit_width:
            # Pages are made to fit: a horizontal bar would only ever scroll a few pixels.
            self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

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
        self._render(path)

    def page_width(self) -> int:
        """The width pages are rendered at now (device-independent pixels)."""
        if not self.fit_width:
            return self.width_px
        margins = self._pages_layout.contentsMargins()
        frame = 2 * self.scroll_area.frameWidth()
        # Room for the vertical bar is always kept, so its appearing never cuts a page.
        bar = self.scroll_area.verticalScrollBar().sizeHint().width()
        border = 2  # the page's own 1 px frame on each side
        width = self.width() - frame - bar - margins.left() - margins.right() - border
        return max(MIN_FIT_WIDTH_PX, min(MAX_FIT_WIDTH_PX, width))

    def _render(self, path: Path) -> None:
        self._generation += 1
        generation = self._generation
        max_pages, width = self.max_pages, self.page_width()
        scale = self.devicePixelRatioF()
        pixels = max(1, round(width * scale))

        def shown(result: RenderedPdf) -> None:
            if generation == self._generation:
                self._show(result, width, scale)

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
                shown(render_pdf(path, max_pages, pixels))
            except Exception as exc:
                failed(exc)
            return
        QueryOp(
            parent=self, op=lambda _c: render_pdf(path, max_pages, pixels), success=shown
        ).failure(failed).on_lane(Lane.FILES).run_in_background(ops)

    # --- fitting the pane ------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if not self.fit_width or not self._labels:
            return
        width = self.page_width()
        if abs(width - self._shown_width) <= _REFIT_SLACK_PX:
            return
        # Scaled now (a little soft), rendered sharp once the rep stops resizing.
        scale = self.devicePixelRatioF()
        for label, image in zip(self._labels, self._images, strict=False):
            label.setPixmap(_pixmap(image, width, scale, smooth=False))
        self._refit_timer.start()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        # Hidden (another tab, its window closed, the app quitting): nothing to re-render
        # now, and the op runner may stop before the timer fires. `showEvent` catches up.
        self._refit_timer.stop()
        super().hideEvent(event)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        stale = abs(self.page_width() - self._shown_width) > _REFIT_SLACK_PX
        if self.fit_width and self._labels and stale:
            self._refit_timer.start()

    def _refit(self) -> None:
        if self._path is None or not self._labels or not self.isVisible():
            return
        if abs(self.page_width() - self._shown_width) > _REFIT_SLACK_PX:
            self._render(self._path)

    def open_externally(self) -> None:
        if self._path is None:
            return
        self._opener.open(self._path)

    @property
    def open_failed_box(self) -> QMessageBox | None:
        """Why the file did not open in the system viewer, while the rep reads it."""
        return self._opener.box

    # --- rendering -------------------------------------------------------------------------

    def _show(self, result: RenderedPdf, width: int, scale: float) -> None:
        self._drop_pages()
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
        self._images = list(result.pages)
        self._shown_width = width
        for image in result.pages:
            label = QLabel(self._pages)
            label.setPixmap(_pixmap(image, width, scale, smooth=True))
            label.setFrameShape(QLabel.Shape.Box)
            self._pages_layout.addWidget(label)
            self._labels.append(label)
        if self.fit_width and abs(self.page_width() - width) > _REFIT_SLACK_PX:
            self._refit_timer.start()  # the pane changed size while this was rendering
        self.rendered.emit(shown)

    def _drop_pages(self) -> None:
        self._refit_timer.stop()
        for label in self._labels:
            label.hide()
            label.deleteLater()
        self._labels.clear()
        self._images = []
        self._shown_width = 0

    def _set_message(self, text: str, tone: Tone) -> None:
        self._drop_pages()
        self._message = text
        self.message_label.setText(text)
        set_tone(self.message_label, tone)
        self.message_label.show()
        self.scroll_area.hide()
