"""The app has its own icon (issue 11.3): the window and the tray show it, at every size."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

from repdesk.gui.app_icon import ICONS_DIR, SIZES, app_icon
from repdesk.gui.context import AppContext
from repdesk.gui.main_window import MainWindow
from repdesk.gui.notify import NoticeBanner, Notifier


def test_every_size_is_shipped_and_drawn(qapp: Any) -> None:
    icon = app_icon()
    assert not icon.isNull()
    assert {s.width() for s in icon.availableSizes()} == set(SIZES)
    for size in SIZES:
        image = QImage(str(ICONS_DIR / f"repdesk-{size}.png"))
        assert (image.width(), image.height()) == (size, size)
    # Not a blank square: the drawing has a background, a bubble and a loop.
    big = icon.pixmap(QSize(256, 256)).toImage()
    colours = {big.pixel(x, y) for x in range(0, 256, 8) for y in range(0, 256, 8)}
    assert len(colours) > 5
    for other in ("repdesk.svg", "repdesk.ico", "repdesk.icns"):
        assert (ICONS_DIR / other).stat().st_size > 500


def test_the_main_window_and_the_tray_use_it(qtbot: Any, one_lead_ctx: AppContext) -> None:
    window = MainWindow(one_lead_ctx)
    qtbot.addWidget(window)
    expected = app_icon().pixmap(QSize(32, 32)).toImage()
    assert window.windowIcon().pixmap(QSize(32, 32)).toImage() == expected

    banner = NoticeBanner()
    qtbot.addWidget(banner)
    notifier = Notifier(banner, use_tray=True)
    with qtbot.waitSignal(notifier.notified):
        notifier.items_rejected(1)
    tray = notifier._tray
    assert tray is not None
    assert tray.icon().pixmap(QSize(32, 32)).toImage() == expected
    tray.hide()
