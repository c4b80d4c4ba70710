"""Handing a local file to the system's own viewer, and saying so when none takes it.

`QDesktopServices.openUrl` answers False when no program opens the file (no PDF viewer
installed, none set as the default, a minimal desktop). The rep then reads why, and may
open the folder that holds the file to choose a program there.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from repdesk.gui.text import tr

log = logging.getLogger(__name__)


class OpenFailedBox(QMessageBox):
    """ "No program opened …", with "Open containing folder"; opened, never exec'd."""

    def __init__(self, parent: QWidget | None, path: Path, title: str) -> None:
        super().__init__(parent)
        self.path = path
        self.setObjectName("openFailed")
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle(tr("files", "No program opened the file"))
        # Titles come from the hub: plain text, never markup.
        self.setTextFormat(Qt.TextFormat.PlainText)
        what = (
            tr("files", "No program on this computer opened “{title}”.").format(title=title)
            if title
            else tr("files", "No program on this computer opened this file.")
        )
        self.setText(
            what
            + "\n\n"
            + tr(
                "files",
                "There may be no viewer for this kind of file, or none set as the default. "
                "You can open the folder that holds it and choose a program yourself; the "
                "file there is named {name}.",
            ).format(name=path.name)
        )
        self.folder_button: QAbstractButton = self.addButton(
            tr("files", "Open containing folder"), QMessageBox.ButtonRole.ActionRole
        )
        close = self.addButton(QMessageBox.StandardButton.Close)
        self.setDefaultButton(close)
        self.setEscapeButton(close)


def open_in_system_viewer(parent: QWidget, path: Path, title: str = "") -> QMessageBox | None:
    """Open `path` with the system's viewer; None when it did, else the box now shown.

    The box offers the containing folder; if even that cannot be opened, a second box shows
    the folder's path as selectable text. Keep the returned box referenced while it shows.
    """
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        return None
    log.warning("no system viewer opened %s", path)
    return OpenFailedBox(parent, path, title)


def open_containing_folder(parent: QWidget | None, path: Path) -> QMessageBox | None:
    """Open the folder holding `path`; None when it opened, else a box giving its path."""
    folder = path.parent
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
        return None
    log.warning("the system could not open the folder %s", folder)
    box = QMessageBox(parent)
    box.setObjectName("openFolderFailed")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(tr("files", "No program opened the folder"))
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(
        tr(
            "files",
            "repdesk could not open the folder either. It is:\n\n{folder}\n\nThe file there "
            "is named {name}.",
        ).format(folder=folder, name=path.name)
    )
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    return box


class SystemViewerOpener:
    """What a widget with an "Open with system viewer" button holds: the box shown, if any.

    `open(path, title)` tries the viewer; on failure it opens the explaining box (window
    modal, no nested event loop) and keeps it in `box` until the rep closes it.
    """

    def __init__(self, parent: QWidget) -> None:
        self._parent = parent
        self.box: QMessageBox | None = None

    def open(self, path: Path, title: str = "") -> bool:
        box = open_in_system_viewer(self._parent, path, title)
        if box is None:
            return True
        self._show(box)
        if isinstance(box, OpenFailedBox):
            box.folder_button.clicked.connect(lambda: self._open_folder(path))
        return False

    @property
    def folder_button(self) -> QAbstractButton | None:
        return self.box.folder_button if isinstance(self.box, OpenFailedBox) else None

    def _open_folder(self, path: Path) -> None:
        box = open_containing_folder(self._parent, path)
        if box is not None:
            # Opened once the first box has closed (this runs from its button's click).
            self._show(box)

    def _show(self, box: QMessageBox) -> None:
        self.box = box

        def finished() -> None:
            if self.box is box:
                self.box = None
            box.deleteLater()

        box.finished.connect(finished)
        box.open()
