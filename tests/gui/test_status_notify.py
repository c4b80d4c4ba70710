"""Notices: repeated sync failures and refused items reach the rep once, in the window."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QVBoxLayout, QWidget

from repdesk.gui.notify import FAILURES_BEFORE_NOTICE, NoticeBanner, Notifier


def _host(qtbot: Any) -> tuple[QWidget, NoticeBanner]:
    window = QWidget()
    qtbot.addWidget(window)
    banner = NoticeBanner(window)
    QVBoxLayout(window).addWidget(banner)
    window.resize(640, 80)
    window.show()
    return window, banner


def test_banner_appears_only_after_repeated_failures_and_once_per_run(qtbot: Any) -> None:
    _window, banner = _host(qtbot)
    notifier = Notifier(banner, use_tray=False)
    for _ in range(FAILURES_BEFORE_NOTICE - 1):
        notifier.sync_failed("The hub could not be reached.")
    assert banner.isHidden()

    with qtbot.waitSignal(notifier.notified) as blocker:
        notifier.sync_failed("The hub could not be reached.")
    assert banner.isVisible()
    assert "3 times in a row" in banner.text()
    assert "The hub could not be reached." in blocker.args[1]

    shown: list[str] = []
    notifier.notified.connect(lambda _t, m: shown.append(m))
    notifier.sync_failed("still down")
    assert shown == [], "a long outage gives one notice, not one per attempt"

    notifier.sync_succeeded()
    assert banner.isHidden()
    assert notifier.consecutive_failures == 0


def test_rejected_items_show_a_plain_text_banner_that_can_be_dismissed(qtbot: Any) -> None:
    _window, banner = _host(qtbot)
    notifier = Notifier(banner, use_tray=False)
    notifier.items_rejected(0)
    assert banner.isHidden()
    notifier.items_rejected(2)
    assert banner.isVisible()
    assert banner.text().startswith("The hub refused 2 of your changes.")
    with qtbot.waitSignal(banner.dismissed):
        banner._close.click()
    assert banner.isHidden()


def test_banner_text_is_never_rich_text(qtbot: Any) -> None:
    _window, banner = _host(qtbot)
    banner.show_notice("<b>bad</b>")
    assert banner.text() == "<b>bad</b>"
    assert banner._label.textFormat().name == "PlainText"


def test_tray_is_used_when_the_desktop_has_one(qtbot: Any) -> None:
    """use_tray=True forces the tray path (offscreen Qt reports no tray)."""
    _window, banner = _host(qtbot)
    notifier = Notifier(banner, use_tray=True)
    with qtbot.waitSignal(notifier.notified):
        notifier.items_rejected(1)
    assert banner.isHidden(), "with a tray, the window is not covered by a banner"
    assert notifier._tray is not None
