"""The app's clock: what time it is, in UTC and in the rep's time zone, and when it jumped.

Everything time-driven in the GUI (reminders, Today's countdowns, "later today") asks
`ctx.clock` rather than the system, so tests set the time (`ManualClock.advance`) instead
of waiting for it. `jumped` fires when the time moved other than by ticking along: the
computer woke from sleep, the rep changed the clock, or a test moved it. Timers aimed at a
due time re-aim when it fires.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, tzinfo

from PySide6.QtCore import QObject, QTimer, Signal

from repdesk.domain.ids import ensure_utc, utcnow

#: How often the system clock checks that wall time and elapsed time still agree.
HEARTBEAT_MS = 60_000
#: A disagreement above this is a jump (sleep, a clock change), not timer jitter.
JUMP = timedelta(seconds=5)
#: The longest a QTimer may wait (its interval is a 32-bit int of ms); re-aimed after.
MAX_WAIT_MS = 24 * 60 * 60 * 1000


class Clock(QObject):
    jumped = Signal()
    """The time moved other than by ticking along (sleep, clock change, a test)."""

    def now(self) -> datetime:
        raise NotImplementedError

    def tz(self) -> tzinfo:
        """The rep's time zone (the computer's)."""
        zone = datetime.now().astimezone().tzinfo
        assert zone is not None
        return zone

    def ms_until(self, when: datetime) -> int:
        """Milliseconds from now to `when` for a single-shot QTimer: 0 if past, capped."""
        left = (ensure_utc(when) - self.now()).total_seconds() * 1000
        return int(min(max(left, 0), MAX_WAIT_MS))


class SystemClock(Clock):
    """The computer's clock. `beat()` (a window's heartbeat calls it each minute, see
    `Heartbeat`) notices sleep and clock changes. The clock holds no timer itself: it may
    outlive the windows, and a running timer must die with its thread's objects."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._wall = time.time()
        self._mono = time.monotonic()

    def now(self) -> datetime:
        return utcnow()

    def beat(self) -> None:
        wall, mono = time.time(), time.monotonic()
        drift = (wall - self._wall) - (mono - self._mono)
        self._wall, self._mono = wall, mono
        if abs(drift) > JUMP.total_seconds():
            self.jumped.emit()


class Heartbeat(QTimer):
    """A minute's tick for `clock.beat()`, owned by a window (stopped and deleted with it)."""

    def __init__(self, clock: Clock, parent: QObject) -> None:
        super().__init__(parent)
        self.setInterval(HEARTBEAT_MS)
        beat = getattr(clock, "beat", None)
        if beat is not None:
            self.timeout.connect(beat)
            self.start()


class ManualClock(Clock):
    """A clock that moves only when told to (tests, screenshots)."""

    def __init__(self, start: datetime, zone: tzinfo | None = None) -> None:
        super().__init__()
        self._now = ensure_utc(start)
        self._zone = zone

    def now(self) -> datetime:
        return self._now

    def tz(self) -> tzinfo:
        return self._zone if self._zone is not None else super().tz()

    def set(self, when: datetime) -> None:
        self._now = ensure_utc(when)
        self.jumped.emit()

    def advance(self, delta: timedelta) -> None:
        self.set(self._now + delta)


__all__ = ["JUMP", "MAX_WAIT_MS", "Clock", "Heartbeat", "ManualClock", "SystemClock"]
