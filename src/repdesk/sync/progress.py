"""Thread-safe sync progress (phase, done, total) and the cancellation flag the engine checks."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

from repdesk.domain.errors import Interrupted

ProgressCallback = Callable[[str, int, int], None]


class Phase(StrEnum):
    CONNECT = "Connecting to the hub"
    PUSH = "Sending your changes"
    PULL = "Receiving updates"
    RESYNC = "Receiving everything again"
    COLLATERAL = "Downloading collateral"
    DONE = "Done"


@dataclass(frozen=True, slots=True)
class Snapshot:
    phase: str = ""
    done: int = 0
    total: int = 0
    """0 when the total is not known (pull pages)."""


class SyncProgress:
    """The engine writes, the GUI reads (poll `snapshot()` or pass a callback). Thread-safe."""

    def __init__(self, callback: ProgressCallback | None = None) -> None:
        self._lock = threading.Lock()
        self._snapshot = Snapshot()
        self._callback = callback

    def __call__(self, phase: str, done: int, total: int) -> None:
        with self._lock:
            self._snapshot = Snapshot(str(phase), done, total)
        if self._callback is not None:
            self._callback(str(phase), done, total)

    def snapshot(self) -> Snapshot:
        with self._lock:
            return self._snapshot


@runtime_checkable
class _EventLike(Protocol):
    def is_set(self) -> bool: ...


@runtime_checkable
class _ContextLike(Protocol):
    def cancelled(self) -> bool: ...


CancelSource = _EventLike | _ContextLike | Callable[[], bool] | None


class Cancel:
    """Adapts a threading.Event, an object with `cancelled()`, or a callable to one flag."""

    def __init__(self, source: CancelSource = None) -> None:
        self._source = source
        self._event = source if isinstance(source, threading.Event) else None

    def is_set(self) -> bool:
        src = self._source
        if src is None:
            return False
        if isinstance(src, _EventLike):
            return src.is_set()
        if isinstance(src, _ContextLike):
            return src.cancelled()
        return bool(src())

    def check(self) -> None:
        if self.is_set():
            raise Interrupted("Sync was cancelled; it carries on at the next sync.")

    def sleep(self, seconds: float) -> None:
        """A backoff pause that ends early (Interrupted) when the rep cancels."""
        if self._event is not None:
            if self._event.wait(seconds):
                self.check()
            return
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self.check()
            time.sleep(min(left, 0.1))  # polling a flag that offers no wait()
        self.check()


__all__ = ["Cancel", "CancelSource", "Phase", "ProgressCallback", "Snapshot", "SyncProgress"]
