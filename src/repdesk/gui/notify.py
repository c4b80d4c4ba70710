"""Tells the rep about trouble that needs them: a tray message, or a banner in the window."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSystemTrayIcon,
    QToolButton,
    QWidget,
)

from repdesk.gui.app_icon import app_icon
from repdesk.gui.text import tr
from repdesk.gui.theme import is_dark

log = logging.getLogger(__name__)

#: Consecutive failed syncs before the rep is told (one blip is not worth a notice).
FAILURES_BEFORE_NOTICE = 3
TRAY_MESSAGE_MS = 10_000


#: (background, border, text) of the banner: a soft amber strip in each palette.
_BANNER_COLOURS = {
    False: ("#fff4ce", "#e0c060", "#3a3000"),
    True: ("#3a3000", "#8a6d1a", "#fff4ce"),
}


class NoticeBanner(QFrame):
    """A dismissible strip of plain text the main window hosts above its content."""

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._dark: bool | None = None
        self._apply_colours()
        self._label = QLabel(self)
        self._label.setTextFormat(Qt.TextFormat.PlainText)
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._close = QToolButton(self)
        self._close.setText("✕")
        self._close.setAutoRaise(True)
        self._close.setToolTip(tr("notify", "Dismiss"))
        self._close.setAccessibleName(tr("notify", "Dismiss this notice"))
        self._close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self._label, 1)
        layout.addWidget(self._close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_notice(self, message: str) -> None:
        self._label.setText(message)
        self.show()

    def text(self) -> str:
        return self._label.text()

    def _apply_colours(self) -> None:
        dark = is_dark()
        if dark == self._dark:
            return
        self._dark = dark
        background, border, text = _BANNER_COLOURS[dark]
        self.setStyleSheet(
            f"#noticeBanner {{ background: {background}; border: 1px solid {border};"
            " border-radius: 4px; }"
            f"#noticeBanner QLabel, #noticeBanner QToolButton {{ color: {text}; }}"
        )

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_colours()

    def dismiss(self) -> None:
        self.hide()
        self.dismissed.emit()

    def set_action(self, text: str, callback: Callable[[], None] | None) -> None:
        """One button on the banner (e.g. "Open lead") that runs `callback` and dismisses
        the notice; `callback=None` removes it (a notice with nothing to open)."""
        button: QToolButton | None = getattr(self, "_action", None)
        if callback is None:
            if button is not None:
                button.hide()
            self._on_action = None
            return
        if button is None:
            button = QToolButton(self)
            button.setObjectName("noticeAction")
            button.clicked.connect(self._run_action)
            layout = self.layout()
            assert isinstance(layout, QHBoxLayout)
            layout.insertWidget(1, button, 0, Qt.AlignmentFlag.AlignTop)
            self._action = button
        button.setText(text)
        button.setAccessibleName(text)
        button.show()
        self._on_action = callback

    @property
    def action_button(self) -> QToolButton | None:
        button: QToolButton | None = getattr(self, "_action", None)
        return button if button is not None and not button.isHidden() else None

    def _run_action(self) -> None:
        callback = getattr(self, "_on_action", None)
        self.dismiss()
        if callback is not None:
            callback()


class Notifier(QObject):
    """Decides when trouble is worth interrupting the rep, and how.

    Uses the system tray when the desktop has one, else the in-window `NoticeBanner`.
    The sync controller calls `sync_failed` / `sync_succeeded` / `items_rejected`.
    """

    notified = Signal(str, str)
    """(title, message) of every notice shown, whichever way it was shown."""

    def __init__(
        self,
        banner: NoticeBanner | None = None,
        *,
        use_tray: bool | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.banner = banner
        self._use_tray = QSystemTrayIcon.isSystemTrayAvailable() if use_tray is None else use_tray
        self._tray: QSystemTrayIcon | None = None
        self._failures = 0
        self._told_about_failures = False

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    @property
    def uses_tray(self) -> bool:
        return self._use_tray

    def watch(self, controller: Any) -> None:
        """Follow a `SyncController`: its failures, successes and refused items."""
        controller.failed.connect(self.sync_failed)
        controller.finished.connect(self._sync_finished)

    def _sync_finished(self, report: object) -> None:
        self.sync_succeeded()
        rejected = getattr(report, "rejected", 0)
        if isinstance(rejected, int):
            self.items_rejected(rejected)

    def sync_failed(self, message: str) -> None:
        self._failures += 1
        if self._failures >= FAILURES_BEFORE_NOTICE and not self._told_about_failures:
            # Once per run of failures: a rep offline all afternoon gets one notice, not twenty.
            self._told_about_failures = True
            self.notify(
                tr("notify", "Sync keeps failing"),
                tr(
                    "notify",
                    "repdesk could not sync {count} times in a row. Your work is kept on this "
                    "computer and will be sent when the hub can be reached.\n\n{reason}",
                ).format(count=self._failures, reason=message),
            )

    def sync_succeeded(self) -> None:
        self._failures = 0
        self._told_about_failures = False
        if self.banner is not None and self.banner.isVisible():
            self.banner.dismiss()

    def items_rejected(self, count: int) -> None:
        if count <= 0:
            return
        self.notify(
            tr("notify", "The hub refused %n of your changes", n=count),
            tr("notify", "Open the outbox to see the hub's reason and to send them again."),
        )

    def notify(
        self,
        title: str,
        message: str,
        *,
        on_click: Callable[[], None] | None = None,
        action: str = "",
        icon: QSystemTrayIcon.MessageIcon = QSystemTrayIcon.MessageIcon.Warning,
    ) -> None:
        """Show a notice. `on_click` runs when the rep clicks the tray message, or the
        banner's `action` button ("Open lead"); the latest notice's wins."""
        log.info("notice: %s", title)
        self._on_click = on_click
        if self._use_tray:
            tray = self._tray_icon()
            # Notification servers may render markup in the body: the hub's words stay text.
            tray.showMessage(html.escape(title), html.escape(message), icon, TRAY_MESSAGE_MS)
        elif self.banner is not None:
            self.banner.show_notice(f"{title}. {message}")
            self.banner.set_action(action or tr("notify", "Open"), on_click)
        self.notified.emit(title, message)

    def message_clicked(self) -> None:
        """The rep clicked the last tray message: run what it offers (once)."""
        callback, self._on_click = getattr(self, "_on_click", None), None
        if callback is not None:
            callback()

    def _tray_icon(self) -> QSystemTrayIcon:
        if self._tray is None:
            self._tray = QSystemTrayIcon(app_icon(), self)
            self._tray.setToolTip("repdesk")
            self._tray.messageClicked.connect(self.message_clicked)
            self._tray.show()
        return self._tray
