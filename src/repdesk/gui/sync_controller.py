"""Runs sync on the network worker: on a schedule, on F5, one at a time, cancellable."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence

from repdesk.domain.changes import LEAD_DATA, Changes
from repdesk.domain.errors import (
    AccountDisabledError,
    AuthError,
    ClientTooOldError,
    Interrupted,
    NetworkError,
    RepdeskError,
)
from repdesk.domain.ids import ensure_utc, utcnow
from repdesk.gui.context import AppContext
from repdesk.gui.ops import PROGRESS_DELAY_MS, Lane, OpContext, QueryOp
from repdesk.gui.session import SessionStatus
from repdesk.gui.text import tr
from repdesk.store import settings as registry
from repdesk.store.api import SyncState
from repdesk.sync.api import SyncReport

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_MINUTES = 15
#: First retry after going offline; doubles per failure up to the normal interval.
OFFLINE_RETRY_FIRST_MS = 30_000


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """What the status bar shows; emitted on `SyncController.status_changed`."""

    online: bool | None = None
    """None until the first sync has said either way."""
    running: bool = False
    last_sync_at: datetime | None = None
    last_error: str = ""
    failures: int = 0
    """Failed syncs in a row (reset by a success)."""
    signed_in: bool = True


def backoff_ms(failures: int, interval_ms: int, rand: Callable[[], float] = random.random) -> int:
    """How long to wait before retrying after `failures` failed syncs in a row.

    Exponential from `OFFLINE_RETRY_FIRST_MS`, capped at the normal interval, with jitter
    in the upper half so many reps coming back online do not hit the hub together.
    """
    if failures <= 0:
        return interval_ms
    ceiling = min(interval_ms, OFFLINE_RETRY_FIRST_MS * 2 ** min(failures - 1, 16))
    return max(1000, int(ceiling * (0.5 + 0.5 * rand())))


class SyncController(QObject):
    """The GUI's handle on the sync engine (`ctx.sync`, a `SyncApi`).

    Follows the session's owner (`ctx.session`): a new sign-in syncs at once and restarts
    the schedule; signed out or needing to sign in, nothing is scheduled. When the hub
    refuses the token it tells the owner, which asks the rep to sign in again.

    Never runs two syncs at once; sync runs on `Lane.NETWORK` (store writes happen inside
    the engine under the store's own lock). Progress comes back on the GUI thread through
    `progress`; `progress_visible` turns True only once a sync has lasted past
    `PROGRESS_DELAY_MS`, so quick syncs never flicker an indicator.
    """

    started = Signal()
    progress = Signal(str, int, int)
    """(phase, done, total) — total 0 means unknown."""
    progress_visible = Signal(bool)
    finished = Signal(object)
    """The engine's `SyncReport` after a successful sync."""
    failed = Signal(str)
    """A plain-text reason a sync did not complete (not emitted for a cancel)."""
    online_changed = Signal(bool)
    ended = Signal()
    """Every sync that started ends with this, whatever the outcome (cancel included)."""
    sign_in_required = Signal(str)
    """The hub refused our token: the rep must sign in again (the outbox is kept)."""
    status_changed = Signal(object)
    """A `SyncStatus`."""

    _worker_progress = Signal(str, int, int)

    def __init__(
        self,
        ctx: AppContext,
        parent: QObject | None = None,
        *,
        prompt_sign_in: bool = True,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.prompt_sign_in = prompt_sign_in
        """Ask the session's owner to open the sign-in dialog when the hub refuses us."""
        self._op: OpContext | None = None
        self._cancel = threading.Event()
        self._status = SyncStatus()
        self._scheduling = True
        """False after `stop_schedule` (signed out, quitting): syncs then only run on demand."""
        self._progress_shown = False
        self.progress_delay_ms = PROGRESS_DELAY_MS
        """Syncs ending sooner than this never show progress (tests set it to pin timing)."""
        self._syncs_started = 0
        self.session = ctx.session
        self._sign_ins = self.session.status.sign_ins
        self._status = SyncStatus(signed_in=self.session.status.may_sync)
        self.session.changed.connect(self._follow_session)
        # Emitted on the network thread; Qt queues it to this object's (GUI) thread.
        self._worker_progress.connect(self._on_worker_progress, Qt.ConnectionType.QueuedConnection)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer)
        self._progress_delay = QTimer(self)
        self._progress_delay.setSingleShot(True)
        self._progress_delay.timeout.connect(self._show_progress)

        self.action = QAction(tr("sync", "Sync now"), self)
        self.action.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.action.setStatusTip(tr("sync", "Send your changes and fetch marketing's updates"))
        self.action.triggered.connect(self.sync_now)
        self._read_saved_state()

    # --- state -----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._op is not None

    @property
    def status(self) -> SyncStatus:
        return self._status

    @property
    def online(self) -> bool | None:
        return self._status.online

    def interval_ms(self) -> int:
        minutes = DEFAULT_INTERVAL_MINUTES
        settings = self.ctx.settings
        if isinstance(settings, registry.Settings):
            minutes = int(settings.get(registry.SYNC_INTERVAL_MINUTES))
        return max(1, minutes) * 60_000

    def auto_sync(self) -> bool:
        settings = self.ctx.settings
        return not isinstance(settings, registry.Settings) or settings.get(registry.AUTO_SYNC)

    def _read_saved_state(self) -> None:
        """Start from what the store knows: a sync that just succeeded (e.g. the demo's,
        before the window opened) means online, not "not connected yet"."""
        started = self._syncs_started

        def adopt(state: SyncState) -> None:
            if self._syncs_started != started:
                return  # a sync has run (or runs) since: its outcome is newer than the store's
            self._adopt(state)

        # Only the store is read (DB lane); whether the saved token still works is for the
        # next sync to find out (and reading the keyring may ask the rep to unlock it).
        QueryOp(parent=self, op=lambda c: c.store.sync_state(), success=adopt).failure(
            lambda exc: log.warning("could not read the last sync state: %s", exc)
        ).run_in_background(self.ctx.ops)

    def _adopt(self, state: SyncState) -> None:
        fields: dict[str, Any] = {
            "last_sync_at": state.last_sync_at,
            "last_error": state.last_error,
        }
        recent = state.last_sync_at is not None and (
            utcnow() - ensure_utc(state.last_sync_at) <= timedelta(milliseconds=self.interval_ms())
        )
        if recent and not state.last_error:
            # The last sync succeeded within one interval: as good as knowing we are online.
            fields["online"] = True
        self._set_status(**fields)

    def _set_status(self, **fields: Any) -> None:
        old = self._status
        self._status = replace(old, **fields)
        if self._status.online is not None and self._status.online != old.online:
            self.online_changed.emit(self._status.online)
            self.ctx.events.online_changed.emit(self._status.online)
        self.status_changed.emit(self._status)

    # --- schedule --------------------------------------------------------------------------

    def start_schedule(self, first_delay_ms: int = 0) -> None:
        """Sync after `first_delay_ms`, then every interval (sooner while offline).

        Does nothing when the rep turned automatic sync off (F5 still works).
        """
        self._scheduling = True
        if self.auto_sync():
            self._timer.start(max(0, first_delay_ms))

    def stop_schedule(self) -> None:
        """No scheduled syncs (F5 still works) until `start_schedule` or a new sign-in."""
        self._scheduling = False
        self._timer.stop()

    def shutdown(self) -> None:
        """Before the app quits: no more scheduled syncs, and the running one stops early."""
        self.stop_schedule()
        if self.running:
            self.cancel()

    @property
    def scheduled_in_ms(self) -> int:
        """Milliseconds until the next scheduled sync, or -1 when none is scheduled."""
        return self._timer.remainingTime() if self._timer.isActive() else -1

    def reschedule(self) -> None:
        """Re-read the interval (after the rep changed it) and plan the next sync."""
        if self.running:
            return
        if not self._scheduling or not self.auto_sync():
            self._timer.stop()
            return
        failures = self._status.failures if self._status.online is False else 0
        self._timer.start(backoff_ms(failures, self.interval_ms()))

    def _on_timer(self) -> None:
        if not self.sync_now():
            self.reschedule()

    # --- running ---------------------------------------------------------------------------

    def sync_now(self) -> bool:
        """Start a sync; False (and nothing happens) when one is already running."""
        if self.running:
            return False
        if self.ctx.ops.closed:
            self._timer.stop()  # a late timer after the app stopped its workers
            return False
        engine = self.ctx.sync
        if engine is None:
            log.info("sync requested while signed out")
            self._set_status(signed_in=False)
            return False
        self._cancel = threading.Event()
        cancel = self._cancel
        emit_progress = self._worker_progress.emit

        def run(op: OpContext) -> SyncReport:
            def report(phase: str, done: int = 0, total: int = 0) -> None:
                op.report(phase, done, total)
                emit_progress(str(phase), int(done), int(total))

            return engine.sync(progress=report, cancel=cancel)

        self._timer.stop()
        self._syncs_started += 1
        self._progress_shown = False
        self._progress_delay.start(self.progress_delay_ms)
        self._op = (
            QueryOp(parent=self, op=run, success=self._on_success)
            .failure(self._on_failure)
            .on_lane(Lane.NETWORK)
            .run_in_background(self.ctx.ops)
        )
        self.action.setEnabled(False)
        self._set_status(running=True)
        self.started.emit()
        return True

    def cancel(self) -> None:
        """Ask the running sync to stop at its next safe point (a page or a file)."""
        self._cancel.set()
        if self._op is not None:
            self._op.cancel()

    def _on_worker_progress(self, phase: str, done: int, total: int) -> None:
        if self.running:
            self.progress.emit(phase, done, total)

    def _show_progress(self) -> None:
        if self.running and not self._progress_shown:
            self._progress_shown = True
            self.progress_visible.emit(True)

    def _end(self) -> None:
        self._op = None
        self._progress_delay.stop()
        if self._progress_shown:
            self._progress_shown = False
            self.progress_visible.emit(False)
        self.action.setEnabled(True)

    def _on_success(self, report: SyncReport) -> None:
        self._end()
        self.ctx.events.emit_changes(report.changes | Changes(outbox=True, session=True))
        self._set_status(
            running=False,
            online=True,
            last_sync_at=utcnow(),
            last_error="",
            failures=0,
            signed_in=True,
        )
        self.finished.emit(report)
        self.reschedule()
        self.ended.emit()

    def _on_failure(self, exc: BaseException) -> None:
        self._end()
        # Whatever the engine applied before failing is in the store: let views catch up.
        changes = Changes(outbox=True, session=True)
        if isinstance(exc, AccountDisabledError):  # the local lead data was erased
            changes = changes | LEAD_DATA | Changes(followups=True)
        self.ctx.events.emit_changes(changes)
        try:
            self._handle_failure(exc)
        finally:
            self.ended.emit()

    def _handle_failure(self, exc: BaseException) -> None:
        if isinstance(exc, Interrupted):
            self._set_status(running=False)
            self.reschedule()
            return
        message = self._message_for(exc)
        failures = self._status.failures + 1
        if isinstance(exc, AuthError):
            self._set_status(running=False, last_error=message, failures=failures, signed_in=False)
            self.failed.emit(message)
            self.sign_in_required.emit(message)
            self.session.token_refused(message, ask=self.prompt_sign_in)
            return  # no schedule until the rep has signed in again
        online = False if isinstance(exc, NetworkError) else self._status.online
        self._set_status(running=False, online=online, last_error=message, failures=failures)
        self.failed.emit(message)
        if isinstance(exc, ClientTooOldError):
            return  # retrying cannot help until repdesk is updated
        self.reschedule()

    @staticmethod
    def _message_for(exc: BaseException) -> str:
        if isinstance(exc, RepdeskError) and str(exc):
            return str(exc)
        log.error("sync failed unexpectedly", exc_info=exc)
        return tr(
            "sync",
            "Sync failed for an unexpected reason. Your work is kept; the details are in the "
            "log file.",
        )

    # --- following the session -------------------------------------------------------------

    def _follow_session(self, status: SessionStatus) -> None:
        """A new sign-in: sync right away, then on the usual schedule. Signed out or
        needing to sign in: no scheduled syncs (F5 still tries, and finds out)."""
        if status.sign_ins > self._sign_ins:
            self._sign_ins = status.sign_ins
            self._set_status(signed_in=True, last_error="", failures=0)
            self._scheduling = True
            if not self.sync_now():
                self.reschedule()
            return
        self._set_status(signed_in=status.may_sync)
        if not status.may_sync:
            self.stop_schedule()
