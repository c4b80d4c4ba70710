"""Background operations: every store, sync and file call the GUI makes runs through here.

Modelled on Anki's `aqt.operations`: a call site is one line,

    QueryOp(parent=self, op=lambda c: c.store.lead(lead_id), success=self._show).run_in_background()

    CollectionOp(parent=self, op=lambda c: c.store.add_call_note(note)).success(
        self._saved
    ).run_in_background()

`run_in_background()` finds the runner through `parent`'s ancestors (the first one holding an
`AppContext` as `.ctx`); pass `ctx.ops` explicitly where there is no such ancestor.

Rules the runner enforces so views never think about threads:

* Work runs on one of three single-thread lanes (`Lane`). `Lane.DB` is the ONLY thread that
  touches the store from the GUI (SQLite has one writer; ordering of writes is the order of
  `run_in_background` calls). `Lane.NETWORK` runs sync beside it so a slow hub never blocks
  a lead lookup. `Lane.FILES` renders PDFs and hashes files without holding up either.
* Results and exceptions come back on the GUI thread. A callback whose `parent` widget has
  been destroyed by then is dropped silently (a closed dialog never gets a late result),
  and so is every outcome arriving after `OpRunner.shutdown()`. A job (and whatever its
  functions close over) is released on the GUI thread, never by a worker.
* Errors: `Interrupted` is silent; a `RepdeskError` is shown as its plain-text message;
  anything else is logged with its traceback and shown as a generic message. `.failure(cb)`
  replaces that default for one op.
* `.with_progress(label)` shows a busy dialog only if the work is still running after
  `PROGRESS_DELAY_MS` (no flicker for quick work). The op may report progress and check for
  cancellation through its `OpContext`; the dialog polls that state, never the other way.
* A `CollectionOp` returns `Changes` (or `ChangesWith`); the runner re-emits them through
  `AppEvents.changed` on the GUI thread BEFORE the op's own success callback runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject

from repdesk.domain.changes import Changes
from repdesk.domain.errors import RepdeskError
from repdesk.gui.op_runner import (
    PROGRESS_DELAY_MS,
    Job,
    Lane,
    OpContext,
    OpRunner,
    Progress,
    ProgressDialog,
    is_alive,
    resolve_runner,
    runner_for,
    show_message,
)
from repdesk.gui.text import tr

__all__ = [
    "PROGRESS_DELAY_MS",
    "ChangesWith",
    "CollectionOp",
    "Lane",
    "OpContext",
    "OpRunner",
    "Progress",
    "ProgressDialog",
    "QueryOp",
    "runner_for",
    "show_message",
]

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ChangesWith(Generic[T]):
    """What a `CollectionOp` returns when it has a value for its caller besides `Changes`."""

    changes: Changes
    value: T


class _BaseOp:
    def __init__(
        self,
        *,
        parent: QObject | None,
        op: Callable[[OpContext], Any],
        success: Callable[[Any], None] | None = None,
    ) -> None:
        self.parent = parent
        self.fn = op
        self._success = success
        self._failure: Callable[[BaseException], None] | None = None
        self.progress_label: str | None = None
        self.cancellable = False
        self.lane = Lane.DB
        # Only liveness matters; None (no parent) means "always deliver".
        self._had_parent = parent is not None

    def _parent_gone(self) -> bool:
        return self._had_parent and not is_alive(self.parent)

    def deliver(self, runner: OpRunner, job: Job) -> None:
        raise NotImplementedError

    #: A failed write still matters after its window closed (the rep must learn it was not
    #: saved); a failed read does not.
    report_when_orphaned = False

    def _fail(self, runner: OpRunner, exc: BaseException) -> None:
        if self._parent_gone():
            if self.report_when_orphaned:
                runner.report_error(None, exc)
            elif not isinstance(exc, RepdeskError):
                log.error("background op failed after its window closed", exc_info=exc)
            return
        if self._failure is not None:
            self._failure(exc)
        else:
            runner.report_error(self.parent, exc)


class QueryOp(_BaseOp, Generic[T]):
    """Run `op(ctx)` off the GUI thread and hand its result to `success` on the GUI thread."""

    def __init__(
        self,
        *,
        parent: QObject | None,
        op: Callable[[OpContext], T],
        success: Callable[[T], None] | None = None,
    ) -> None:
        super().__init__(parent=parent, op=op, success=success)

    def failure(self, callback: Callable[[BaseException], None]) -> QueryOp[T]:
        self._failure = callback
        return self

    def with_progress(self, label: str = "", cancellable: bool = False) -> QueryOp[T]:
        self.progress_label = label or tr("ops", "Working…")
        self.cancellable = cancellable
        return self

    def on_lane(self, lane: Lane) -> QueryOp[T]:
        self.lane = lane
        return self

    def run_in_background(self, runner: OpRunner | None = None) -> OpContext:
        """Queue the op; the returned context lets the caller cancel it.

        Without `runner`, the one of the nearest ancestor of `parent` holding an
        `AppContext` as `.ctx` is used (see `runner_for`).
        """
        return resolve_runner(runner, self.parent).submit(self)

    def deliver(self, runner: OpRunner, job: Job) -> None:
        if job.error is not None:
            self._fail(runner, job.error)
            return
        if self._parent_gone() or self._success is None:
            return
        self._success(job.result)


class CollectionOp(_BaseOp):
    """A write through the store: `op(ctx)` returns `Changes` (or `ChangesWith`).

    Always runs on `Lane.DB`. The changes are emitted on `AppEvents.changed` even if the
    parent has gone (the write happened; other views must still learn about it), and a
    failure is still reported then (the rep must learn a write did not happen).
    """

    report_when_orphaned = True

    def __init__(
        self,
        *,
        parent: QObject | None,
        op: Callable[[OpContext], Changes | ChangesWith[Any]],
        success: Callable[[Any], None] | None = None,
    ) -> None:
        super().__init__(parent=parent, op=op, success=success)

    def success(self, callback: Callable[[Any], None]) -> CollectionOp:
        """`callback` gets the `Changes`, or the value of a `ChangesWith`."""
        self._success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> CollectionOp:
        self._failure = callback
        return self

    def with_progress(self, label: str = "") -> CollectionOp:
        self.progress_label = label or tr("ops", "Saving…")
        return self

    def run_in_background(self, runner: OpRunner | None = None) -> OpContext:
        """Queue the write (see `QueryOp.run_in_background` for how `runner` is found)."""
        return resolve_runner(runner, self.parent).submit(self)

    def deliver(self, runner: OpRunner, job: Job) -> None:
        if job.error is not None:
            self._fail(runner, job.error)
            return
        result = job.result
        if isinstance(result, ChangesWith):
            changes, value = result.changes, result.value
        elif isinstance(result, Changes):
            changes, value = result, result
        else:
            self._fail(runner, TypeError(f"a CollectionOp returned {type(result).__name__}"))
            return
        runner.events.emit_changes(changes)
        if self._parent_gone() or self._success is None:
            return
        self._success(value)
