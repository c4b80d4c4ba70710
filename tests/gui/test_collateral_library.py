"""The collateral library: search, download state, flagged files, preview of real corpus PDFs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSize, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices

from repdesk.domain.leads import Collateral
from tests.gui.test_offline_flow_support import (
    grab,
    grab_light_and_dark,
)
from tests.support.corpus import CORPUS


def _library(qtbot: Any, ctx: Any) -> Any:
    from repdesk.gui.collateral_library import CollateralLibrary

    library = CollateralLibrary(ctx)
    qtbot.addWidget(library)
    library.resize(1000, 600)
    with qtbot.waitSignal(library.loaded):
        library.show()
    return library


def _titles(library: Any) -> list[str]:
    return [library.model.row_at(i).collateral.title for i in range(library.model.rowCount())]


def test_lists_all_collateral_with_download_state_and_flags(
    qtbot: Any, app_ctx: Any, library_items: dict[str, Collateral]
) -> None:
    library = _library(qtbot, app_ctx)
    model = library.model
    assert sorted(_titles(library)) == sorted(c.title for c in library_items.values())
    states = {
        model.row_at(i).collateral.id: model.index(i, 4).data() for i in range(model.rowCount())
    }
    assert states[library_items["four"].id] == "Available offline"
    assert states[library_items["remote"].id] == "Not downloaded yet"
    assert states[library_items["locked"].id] == "Flagged · available offline"
    locked_row = model.row_of(library_items["locked"].id)
    assert model.index(locked_row, 4).data(Qt.ItemDataRole.ToolTipRole) == (
        "<qt>This PDF is password-protected.</qt>"
    )
    bold_row = model.row_of(library_items["minimal"].id)
    assert model.index(bold_row, 0).data(Qt.ItemDataRole.ToolTipRole) == (
        "<qt>One-pager &lt;b&gt;bold&lt;/b&gt;</qt>"
    ), "hub titles in tooltips are escaped, never taken for HTML"
    flagged = {
        model.row_at(i).collateral.id
        for i in range(model.rowCount())
        if model.index(i, 0).data(model.FLAGGED_ROLE)
    }
    assert flagged == {library_items["locked"].id}
    assert "3 available offline" in library.count_label.text()


def test_search_narrows_the_list(
    qtbot: Any, app_ctx: Any, library_items: dict[str, Collateral]
) -> None:
    library = _library(qtbot, app_ctx)
    with qtbot.waitSignal(library.loaded):
        library.search_edit.setText("pricing")
    assert _titles(library) == ["Pricing overview 2026"]


def test_preview_renders_a_corpus_pdf(
    qtbot: Any, app_ctx: Any, library_items: dict[str, Collateral]
) -> None:
    library = _library(qtbot, app_ctx)
    assert library.select(library_items["four"].id)
    assert library.open_button.isEnabled()
    assert library.title_label.text() == "Pricing overview 2026"
    qtbot.waitUntil(lambda: _preview_pages(library) > 0)
    grab(library, "collateral-preview", QSize(1000, 600))


def test_encrypted_file_shows_the_clear_message(
    qtbot: Any, app_ctx: Any, library_items: dict[str, Collateral]
) -> None:
    library = _library(qtbot, app_ctx)
    assert library.select(library_items["locked"].id)
    assert library.problem_label.isVisible()
    assert "password-protected" in library.problem_label.text()
    qtbot.waitUntil(lambda: "password" in _preview_message(library).lower())
    grab(library, "collateral-encrypted", QSize(1000, 600))


def test_not_downloaded_file_cannot_be_opened_yet(
    qtbot: Any, app_ctx: Any, library_items: dict[str, Collateral]
) -> None:
    library = _library(qtbot, app_ctx)
    assert library.select(library_items["remote"].id)
    assert not library.open_button.isEnabled()
    assert "Not downloaded yet" in library.info_label.text()


def test_titles_from_the_hub_are_plain_text(
    qtbot: Any, app_ctx: Any, library_items: dict[str, Collateral]
) -> None:
    library = _library(qtbot, app_ctx)
    assert library.select(library_items["minimal"].id)
    assert library.title_label.text() == "One-pager <b>bold</b>"
    assert library.title_label.textFormat().name == "PlainText"


class _UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_open_with_system_viewer_hands_the_local_file_to_the_desktop(
    qtbot: Any, app_ctx: Any, library_items: dict[str, Collateral]
) -> None:
    """Qt's own URL-handler hook stands in for the desktop's PDF viewer."""
    catcher = _UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    try:
        library = _library(qtbot, app_ctx)
        library.select(library_items["four"].id)
        with qtbot.waitSignal(library.opened) as blocker:
            library.open_button.click()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [u.toLocalFile() for u in catcher.urls] == [blocker.args[0]]
    assert Path(blocker.args[0]).read_bytes() == (CORPUS / "pdflatex-4-pages.pdf").read_bytes()


def test_no_system_viewer_is_said_in_words_and_offers_the_folder(
    qtbot: Any, qapp: Any, app_ctx: Any, library_items: dict[str, Collateral]
) -> None:
    """Issue 7.3: with no program for PDFs, "Open with system viewer" did nothing at all.

    Qt's URL-handler seam plays the desktop: a handler whose method the receiver lacks makes
    `openUrl` answer False (as the platform does when no program takes the file), a real
    one answers True. The rep reads why, and can open the folder that holds the file."""
    library = _library(qtbot, app_ctx)
    library.select(library_items["minimal"].id)
    catcher = _UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "no_viewer_here")
    try:
        library.open_button.click()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    box = library.open_failed_box
    assert box is not None and box.isVisible()
    assert box.textFormat() == Qt.TextFormat.PlainText
    path = library.selected_row().path
    assert "No program on this computer opened “One-pager <b>bold</b>”" in box.text()
    assert path.name in box.text(), "the rep can recognise the file in its folder"
    grab_light_and_dark(box, "collateral-no-viewer")

    QDesktopServices.setUrlHandler("file", catcher, "open")
    try:
        library.open_folder_button.click()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [u.toLocalFile() for u in catcher.urls] == [str(path.parent)]
    assert library.open_failed_box is None


def test_when_the_folder_cannot_be_opened_either_its_path_is_shown(
    qtbot: Any, app_ctx: Any, library_items: dict[str, Collateral]
) -> None:
    library = _library(qtbot, app_ctx)
    library.select(library_items["four"].id)
    catcher = _UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "no_viewer_here")
    try:
        library.open_button.click()
        library.open_folder_button.click()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    box = library.open_failed_box
    assert box is not None and box.isVisible()
    assert str(library.selected_row().path.parent) in box.text()
    assert box.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse


def test_collateral_model_passes_qtmodeltester(
    qtbot: Any, qtmodeltester: Any, app_ctx: Any, library_items: dict[str, Collateral]
) -> None:
    library = _library(qtbot, app_ctx)
    qtmodeltester.check(library.model)
    # The tester stays attached while the list is narrowed and widened again.
    with qtbot.waitSignal(library.loaded):
        library.search_edit.setText("pricing")
    with qtbot.waitSignal(library.loaded):
        library.search_edit.clear()
    assert library.model.rowCount() == len(library_items)


# --- reading the preview widget's state (gui/pdf_preview.py) ---------------------------------


def _preview_pages(library: Any) -> int:
    preview = library.preview
    for name in ("rendered_pages", "page_count"):
        value = getattr(preview, name, None)
        if callable(value):
            value = value()
        if isinstance(value, int):
            return value
    return 0


def _preview_message(library: Any) -> str:
    preview = library.preview
    value = getattr(preview, "message", "")
    if callable(value):
        value = value()
    return str(value)


def _columns_fit(library: Any) -> bool:
    header = library.table.horizontalHeader()
    total = sum(header.sectionSize(c) for c in range(library.model.columnCount()))
    return total <= library.table.viewport().width()


def test_columns_fit_the_table_at_any_width(
    qtbot: Any, app_ctx: Any, library_items: dict[str, Collateral]
) -> None:
    library = _library(qtbot, app_ctx)
    header = library.table.horizontalHeader()
    campaign = 1
    qtbot.waitUntil(lambda: _columns_fit(library))
    assert header.sectionSize(campaign) >= header.sectionSizeHint(campaign), "title not cut"
    for width in (700, 1400):
        library.resize(width, 600)
        library.splitter.setSizes([width // 2, width // 2])
        # The table hides its scrollbar on a later turn of the event loop: wait for both.
        qtbot.waitUntil(
            lambda: _columns_fit(library) and not library.table.horizontalScrollBar().isVisible()
        )


def test_the_preview_page_fits_the_pane(
    qtbot: Any, app_ctx: Any, library_items: dict[str, Collateral]
) -> None:
    library = _library(qtbot, app_ctx)
    preview = library.preview
    with qtbot.waitSignal(preview.rendered):
        library.select(library_items["minimal"].id)
    viewport = preview.scroll_area.viewport()

    def fits() -> bool:
        page = preview._labels[0]
        return page.mapTo(viewport, page.rect().topRight()).x() < viewport.width()

    qtbot.waitUntil(fits)
    with qtbot.waitSignal(preview.rendered):  # a narrower pane renders the page again
        library.splitter.setSizes([700, 300])
    qtbot.waitUntil(fits)
