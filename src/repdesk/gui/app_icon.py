"""The application icon: the window, the task bar and the tray show it.

Drawn once as `resources/icons/repdesk.svg` (a speech bubble around a loop: the call and
the loop back to marketing); `packaging/make_icons.py` renders the PNG sizes, `.ico` and
`.icns` from it. Qt picks the PNG nearest the size it needs, so no SVG plugin is needed.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

ICONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def icon_file(size: int) -> Path:
    return ICONS_DIR / f"repdesk-{size}.png"


def app_icon() -> QIcon:
    """repdesk's icon at every size it ships (an empty icon if the files are missing)."""
    icon = QIcon()
    for size in SIZES:
        path = icon_file(size)
        if path.is_file():
            icon.addFile(str(path), QSize(size, size))
    return icon


__all__ = ["ICONS_DIR", "SIZES", "app_icon", "icon_file"]
