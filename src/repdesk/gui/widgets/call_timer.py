"""A label showing how long the current call has lasted, ticking once a second."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from repdesk.domain.ids import ensure_utc, utcnow
from repdesk.gui.text import format_duration, tr
from repdesk.gui.theme import mono_font


class CallTimer(QLabel):
    """Counts from `started_at` (wall clock, so a call recovered from a draft keeps counting)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setFont(mono_font(step=2))
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setToolTip(tr("call", "Time on this call"))
        self._started: datetime | None = None
        self._ended: datetime | None = None
        self._tick = QTimer(self)
        # A quarter-second tick: a 1 s timer firing a hair early would show a stale second.
        self._tick.setInterval(250)
        self._tick.timeout.connect(self._refresh)
        self.setText(format_duration(0))

    @property
    def started_at(self) -> datetime | None:
        return self._started

    def start(self, started_at: datetime | None = None) -> None:
        self._started = ensure_utc(started_at) if started_at else utcnow()
        self._ended = None
        self._tick.start()
        self._refresh()

    def stop(self) -> None:
        self._ended = utcnow()
        self._tick.stop()
        self._refresh()

    def elapsed_seconds(self) -> int:
        if self._started is None:
            return 0
        end = self._ended or utcnow()
        return max(0, int((end - self._started).total_seconds()))

    def _refresh(self) -> None:
        self.setText(format_duration(self.elapsed_seconds()))
