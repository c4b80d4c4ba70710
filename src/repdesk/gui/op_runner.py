"""The op runner: worker threads (one per lane), job delivery on the GUI thread, progress.

Call sites use `repdesk.gui.ops` (QueryOp / CollectionOp); this module is the machinery
behind them, and `OpRunner` is what `AppContext.ops` holds.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import weakref
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMessageBox, QProgressDialog, QWidget

from repdesk.domain.errors import Interrupted, RepdeskError
from repdesk.gui.events import AppEvents
from repdesk.gui.text import tr
from repdesk.store.api import StoreApi

if TYPE_CHECKING:
    from repdesk.gui.ops import _BaseOp

log = logging.getLogger(__name__)

#: Work finishing sooner than this never shows a progress dialog.
PROGRESS_DELAY_MS = 600
_PROGRESS_POLL_MS = 100


class Lane(Enum):
    DB = "db"
    NETWORK = "network"
    FILES = "files"


@dataclass(frozen=True, slots=True)
class Progress:
    """A snapshot of what a running op reported; read by the GUI's poll timer."""

    label: str = ""
    done: int = 0
    total: int = 0
    """0 means "unknown": the dialog shows a busy bar."""


class OpContext:
    """What an op function receives on its worker thread.

    `store` is the app's store (call it only from `Lane.DB` ops); `sync` is the sync
    service handle or None. `report()` and `check_cancelled()` are thread-safe.
    """

    def __init__(self, store: StoreApi | None, sync: object | None, lane: Lane) -> None:
        self._store = store
        self.sync = sync
        self.lane = lane
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._progress = Progress()

    @property
    def store(self) -> StoreApi:
        if self._store is None:
            raise RuntimeError("this op runner was made without a store")
        return self._store

    def report(self, label: str = "", done: int = 0, total: int = 0) -> None:
        with self._lock:
            self._progress = Progress(label, done, total)

    def progress(self) -> Progress:
        with self._lock:
            return self._progress

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def wait_cancelled(self, timeout: float) -> bool:
        """Block up to `timeout` seconds (a backoff pause); True if cancelled meanwhile."""
        return self._cancel.wait(timeout)

    def check_cancelled(self) -> None:
        """Raise `Interrupted` (silent in the GUI) if the rep pressed Cancel."""
        if self._cancel.is_set():
            raise Interrupted("cancelled")


class Job:
    """One queued op; lives on the GUI thread except for `execute`, run by the worker."""

    def __init__(self, op: _BaseOp, ctx: OpContext) -> None:
        self.op = op
        self.ctx = ctx
        self.result: Any = None
        self.error: BaseException | None = None
        self.done = False
        self.progress_dialog: ProgressDialog | None = None
        self.progress_timer: QTimer | None = None

    def execute(self) -> None:
        try:
            self.result = self.op.fn(self.ctx)
        except BaseException as exc:  # delivered to the GUI thread, never swallowed here
            self.error = exc


class _Worker(QThread):
    """A single thread draining a queue of jobs in order."""

    job_done = Signal(int)
    """The number of the job just executed (the runner holds the job itself)."""

    def __init__(self, lane: Lane) -> None:
        super().__init__()
        self.lane = lane
        self.setObjectName(f"repdesk-{lane.value}")
        self._queue: queue.Queue[tuple[int, Job] | None] = queue.Queue()

    def put(self, number: int, job: Job) -> None:
        self._queue.put((number, job))

    def stop(self) -> None:
        """Finish the jobs already queued, then end the thread."""
        self._queue.put(None)

    def run(self) -> None:
        threading.current_thread().name = self.objectName()
        while True:
            entry = self._queue.get()
            if entry is None:
                return
            number, job = entry
            job.execute()
            # Only the number crosses back: the runner's own reference keeps the job (and
            # the widgets its callbacks close over) alive until the GUI thread has delivered
            # it, so the last reference to a QObject is never dropped on this thread.
            del entry, job
            self.job_done.emit(number)


class ProgressDialog(QProgressDialog):
    """A busy/progress dialog whose label is always plain text."""

    def __init__(self, label: str, parent: QWidget | None, cancellable: bool) -> None:
        super().__init__(parent)
        text = QLabel()
        text.setTextFormat(Qt.TextFormat.PlainText)
        text.setWordWrap(True)
        self.setLabel(text)
        self.setLabelText(label)
        self.setWindowTitle(tr("ops", "Working…"))
        self.setMinimumWidth(360)
        self.setRange(0, 0)
        self.setMinimumDuration(0)
        self.setAutoClose(False)
        self.setAutoReset(False)
        # Modal to its own window only; with no window it must not freeze the whole app.
        self.setWindowModality(
            Qt.WindowModality.WindowModal if parent is not None else Qt.WindowModality.NonModal
        )
        if not cancellable:
            self.setCancelButton(None)


_LIVE_RUNNERS: weakref.WeakSet[OpRunner] = weakref.WeakSet()


@atexit.register
def _stop_forgotten_runners() -> None:
    """Last resort when a script exits (or fails) without shutting its runner down."""
    for runner in list(_LIVE_RUNNERS):
        if shiboken6.isValid(runner):
            runner.shutdown(timeout_ms=2000)


class OpRunner(QObject):
    """Owns the worker threads and delivers every op's outcome on the GUI thread.

    Made once by the composition root (see `AppContext`); call `shutdown()` before the
    QApplication goes away.
    """

    error_reported = Signal(str)
    """The plain-text message shown to the rep for a failed op (status bars and tests)."""
    busy_changed = Signal(bool)
    """True while any op is queued or running."""
    progress_shown = Signal(str)
    """A progress dialog appeared (work outlasted `PROGRESS_DELAY_MS`); its label."""

    def __init__(
        self,
        store: StoreApi | None,
        events: AppEvents,
        sync: object | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.events = events
        self.sync = sync
        self._workers: dict[Lane, _Worker] = {}
        self._jobs: dict[int, Job] = {}
        """Jobs queued or running, by number; only the GUI thread touches this."""
        self._next_number = 0
        self._pending = 0
        self._closed = False
        self.progress_delay_ms = PROGRESS_DELAY_MS
        """Ops finishing sooner than this never show their progress dialog."""
        app = QCoreApplication.instance()
        if app is not None:
            # Threads must stop before Qt tears down (a QThread destroyed while running
            # aborts the process); AppContext.shutdown() normally does it earlier.
            app.aboutToQuit.connect(self.shutdown)
        _LIVE_RUNNERS.add(self)
        for lane in Lane:
            worker = _Worker(lane)
            worker.job_done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
            worker.start()
            self._workers[lane] = worker

    @property
    def pending(self) -> int:
        """Ops queued or running whose outcome has not been delivered yet."""
        return self._pending

    @property
    def idle(self) -> bool:
        return self._pending == 0

    def submit(self, op: _BaseOp) -> OpContext:
        if self._closed:
            raise RuntimeError("the op runner was shut down")
        ctx = OpContext(self.store, self.sync, op.lane)
        job = Job(op, ctx)
        if op.progress_label is not None:
            self._arm_progress(job)
        self._next_number += 1
        self._jobs[self._next_number] = job
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        self._workers[op.lane].put(self._next_number, job)
        return ctx

    @property
    def closed(self) -> bool:
        """True once `shutdown()` was called: no more ops, no more deliveries."""
        return self._closed

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        """Finish queued work, then stop the threads. Outcomes not yet delivered are dropped.

        Dropped, not delivered later: a callback run after shutdown would act on views of a
        window (or a test) that is gone, and could only queue follow-up work that fails.
        """
        if self._closed:
            return
        self._closed = True
        for worker in self._workers.values():
            worker.stop()
        for worker in self._workers.values():
            if not worker.wait(timeout_ms):
                log.error("worker %s did not stop within %d ms", worker.objectName(), timeout_ms)
        for job in self._jobs.values():
            self._end_progress(job)
        if self._pending:
            log.info("shut down with %d outcome(s) not delivered", self._pending)
        # Workers that did not stop in time still finish their job: `_deliver` drops it.
        self._pending = 0

    # --- GUI-thread side -------------------------------------------------------------------

    def _arm_progress(self, job: Job) -> None:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(lambda: self._show_progress(job))
        timer.start(self.progress_delay_ms)
        job.progress_timer = timer

    def _show_progress(self, job: Job) -> None:
        if job.done:
            return
        parent = job.op.parent if is_alive(job.op.parent) else None
        widget = parent if isinstance(parent, QWidget) else None
        dialog = ProgressDialog(job.op.progress_label or "", widget, job.op.cancellable)
        dialog.canceled.connect(job.ctx.cancel)
        job.progress_dialog = dialog
        dialog.show()
        self.progress_shown.emit(dialog.labelText())
        # Poll the op's thread-safe progress state rather than signalling from the worker.
        assert job.progress_timer is not None
        job.progress_timer.timeout.disconnect()
        job.progress_timer.setSingleShot(False)
        job.progress_timer.timeout.connect(lambda: self._poll_progress(job))
        job.progress_timer.start(_PROGRESS_POLL_MS)

    @staticmethod
    def _poll_progress(job: Job) -> None:
        dialog = job.progress_dialog
        if dialog is None or job.done:
            return
        state = job.ctx.progress()
        if state.label:
            dialog.setLabelText(state.label)
        if state.total > 0:
            dialog.setRange(0, state.total)
            dialog.setValue(min(state.done, state.total))

    @staticmethod
    def _end_progress(job: Job) -> None:
        job.done = True
        if job.progress_timer is not None:
            job.progress_timer.stop()
            job.progress_timer.deleteLater()
            job.progress_timer = None
        if job.progress_dialog is not None:
            job.progress_dialog.close()
            job.progress_dialog.deleteLater()
            job.progress_dialog = None

    def _deliver(self, number: int) -> None:
        job = self._jobs.pop(number, None)
        if job is None:
            return
        self._end_progress(job)
        if self._closed:
            return  # see shutdown(): outcomes arriving after it are dropped
        self._pending -= 1
        try:
            job.op.deliver(self, job)
        except Exception as exc:
            # A bug in a GUI callback: log it with its traceback and tell the rep, once.
            log.error("an op's result handler failed", exc_info=exc)
            self.report_error(job.op.parent, exc)
        finally:
            if self._pending == 0:
                self.busy_changed.emit(False)

    def report_error(self, parent: QObject | None, exc: BaseException) -> None:
        """The default failure handling shared by every op (see the module docstring)."""
        if isinstance(exc, Interrupted):
            return
        if isinstance(exc, RepdeskError):
            message = str(exc) or tr("ops", "Something went wrong.")
            log.info("op failed: %s: %s", type(exc).__name__, message)
        else:
            log.error("unexpected error in a background op", exc_info=exc)
            message = tr(
                "ops",
                "Something unexpected went wrong. Nothing you entered was lost; "
                "the details are in the log file.",
            )
        self.error_reported.emit(message)
        widget = parent if isinstance(parent, QWidget) and is_alive(parent) else None
        show_message(widget, message)


#: Parentless message boxes still open: Python must hold them, or they vanish at once.
_OPEN_BOXES: set[QMessageBox] = set()


def show_message(parent: QWidget | None, message: str) -> QMessageBox:
    """A non-blocking warning box with plain text (never HTML, whatever `message` holds)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(tr("ops", "repdesk"))
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(message)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if parent is None:
        # A box with a parent is kept by it; one without is owned by this wrapper alone,
        # and garbage collection would destroy it before the rep could read it.
        _OPEN_BOXES.add(box)
        box.finished.connect(lambda _result: _OPEN_BOXES.discard(box))
    box.open()
    return box


def open_message_boxes() -> list[QMessageBox]:
    """The parentless message boxes still open (tests close them)."""
    return [box for box in _OPEN_BOXES if shiboken6.isValid(box)]


def runner_for(obj: QObject | None) -> OpRunner | None:
    """The op runner of `obj` or its nearest ancestor that holds an `AppContext` as `ctx`."""
    while obj is not None and is_alive(obj):
        ops = getattr(getattr(obj, "ctx", None), "ops", None)
        if isinstance(ops, OpRunner):
            return ops
        obj = obj.parent()
    return None


def resolve_runner(runner: OpRunner | None, parent: QObject | None) -> OpRunner:
    found = runner or runner_for(parent)
    if found is None:
        raise RuntimeError(
            "no op runner: pass one to run_in_background() or give the op a parent "
            "widget under a window that holds an AppContext as .ctx"
        )
    return found


def is_alive(obj: QObject | None) -> bool:
    return obj is not None and shiboken6.isValid(obj)
