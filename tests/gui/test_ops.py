"""Ops run off the GUI thread on fixed lanes and deliver outcomes back on the GUI thread."""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from repdesk.domain.changes import Changes
from repdesk.domain.errors import Interrupted, NetworkError
from repdesk.gui.events import AppEvents
from repdesk.gui.ops import (
    PROGRESS_DELAY_MS,
    ChangesWith,
    CollectionOp,
    Lane,
    OpContext,
    OpRunner,
    QueryOp,
)


def _ident(_ctx: OpContext) -> int:
    return threading.get_ident()


def test_results_arrive_on_the_gui_thread_and_db_work_shares_one_thread(
    qtbot: Any, runner: OpRunner
) -> None:
    gui = threading.get_ident()
    seen: list[tuple[int, int]] = []
    widget = QWidget()
    qtbot.addWidget(widget)

    def record(worker_ident: int) -> None:
        seen.append((worker_ident, threading.get_ident()))

    for _ in range(5):
        QueryOp(parent=widget, op=_ident, success=record).run_in_background(runner)
    CollectionOp(
        parent=widget, op=lambda _c: ChangesWith(Changes(), threading.get_ident())
    ).success(record).run_in_background(runner)
    qtbot.waitUntil(lambda: len(seen) == 6)

    workers = {w for w, _ in seen}
    assert len(workers) == 1, "every store op must run on the single DB thread"
    assert gui not in workers
    assert {d for _, d in seen} == {gui}, "callbacks must run on the GUI thread"

    network: list[int] = []
    QueryOp(parent=widget, op=_ident, success=network.append).on_lane(
        Lane.NETWORK
    ).run_in_background(runner)
    qtbot.waitUntil(lambda: len(network) == 1)
    assert network[0] not in workers | {gui}


def test_db_ops_run_in_submission_order(qtbot: Any, runner: OpRunner) -> None:
    order: list[int] = []
    done: list[int] = []
    for i in range(20):
        QueryOp(
            parent=None, op=lambda _c, i=i: order.append(i) or i, success=done.append
        ).run_in_background(runner)
    qtbot.waitUntil(lambda: len(done) == 20)
    assert order == list(range(20)) == done


def test_repdesk_error_is_shown_as_plain_text(qtbot: Any, runner: OpRunner) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    hostile = "<b>hub down</b><img src=x>"

    def boom(_c: OpContext) -> None:
        raise NetworkError(hostile)

    succeeded: list[object] = []
    with qtbot.waitSignal(runner.error_reported) as blocker:
        QueryOp(parent=widget, op=boom, success=succeeded.append).run_in_background(runner)
    assert blocker.args == [hostile]
    assert succeeded == []
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    assert any(b.text() == hostile for b in boxes)
    for box in boxes:
        box.close()


def test_unexpected_error_is_logged_and_shown_generically(
    qtbot: Any, runner: OpRunner, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(_c: OpContext) -> None:
        raise KeyError("internal detail")

    with caplog.at_level(logging.ERROR), qtbot.waitSignal(runner.error_reported) as blocker:
        QueryOp(parent=None, op=boom).run_in_background(runner)
    assert "internal detail" not in blocker.args[0]
    assert "unexpected" in blocker.args[0]
    assert any(r.exc_info and r.exc_info[0] is KeyError for r in caplog.records)
    for box in QApplication.topLevelWidgets():
        if isinstance(box, QMessageBox):
            box.close()


def test_failure_callback_and_interrupted(qtbot: Any, runner: OpRunner) -> None:
    errors: list[BaseException] = []
    reported: list[str] = []
    runner.error_reported.connect(reported.append)

    def interrupted(_c: OpContext) -> None:
        raise Interrupted("stop")

    def broken(_c: OpContext) -> None:
        raise NetworkError("offline")

    QueryOp(parent=None, op=interrupted).run_in_background(runner)
    QueryOp(parent=None, op=broken).failure(errors.append).run_in_background(runner)
    qtbot.waitUntil(lambda: runner.idle)
    assert [str(e) for e in errors] == ["offline"]
    assert reported == [], "Interrupted is silent and .failure() replaces the default"


def test_callbacks_are_dropped_when_the_parent_is_destroyed(qtbot: Any, runner: OpRunner) -> None:
    gate = threading.Event()
    widget = QWidget()
    delivered: list[object] = []
    changes_seen: list[Changes] = []
    runner.events.changed.connect(changes_seen.append)
    QueryOp(parent=widget, op=lambda _c: gate.wait(60), success=delivered.append).run_in_background(
        runner
    )
    CollectionOp(parent=widget, op=lambda _c: Changes(feedback=True)).success(
        delivered.append
    ).run_in_background(runner)
    widget.deleteLater()
    qtbot.waitUntil(lambda: not _valid(widget))
    gate.set()
    qtbot.waitUntil(lambda: runner.idle)
    assert delivered == []
    assert changes_seen == [Changes(feedback=True)], "a finished write is still announced"


def _valid(obj: object) -> bool:
    import shiboken6

    return bool(shiboken6.isValid(obj))


def test_collection_op_emits_changes_before_success(qtbot: Any, runner: OpRunner) -> None:
    order: list[str] = []
    runner.events.changed.connect(lambda c: order.append(f"changed:{sorted(c.lead_ids)}"))
    CollectionOp(
        parent=None, op=lambda _c: Changes(leads=True, lead_ids=frozenset({"L1"}))
    ).success(lambda _c: order.append("success")).run_in_background(runner)
    CollectionOp(parent=None, op=lambda _c: Changes()).success(
        lambda _c: order.append("empty")
    ).run_in_background(runner)
    qtbot.waitUntil(lambda: runner.idle)
    assert order == ["changed:['L1']", "success", "empty"], "empty Changes are not broadcast"


def test_progress_shows_only_for_slow_work(qtbot: Any, runner: OpRunner) -> None:
    shown: list[str] = []
    runner.progress_shown.connect(shown.append)
    fast: list[int] = []
    # What counts as quick is pinned for the first op: on a loaded box even `lambda: 1`
    # can take longer than the real delay to come back.
    runner.progress_delay_ms = 120_000
    QueryOp(parent=None, op=lambda _c: 1, success=fast.append).with_progress(
        "Quick"
    ).run_in_background(runner)
    qtbot.waitUntil(lambda: fast == [1])
    assert shown == [], "work that ends before the delay never shows a dialog"

    runner.progress_delay_ms = PROGRESS_DELAY_MS
    gate = threading.Event()
    slow: list[bool] = []
    QueryOp(parent=None, op=lambda _c: gate.wait(60), success=slow.append).with_progress(
        "Loading leads"
    ).run_in_background(runner)
    qtbot.waitUntil(lambda: shown != [])
    assert shown == ["Loading leads"]
    assert _progress_dialogs_visible() == 1
    gate.set()
    qtbot.waitUntil(lambda: slow == [True])
    qtbot.waitUntil(lambda: _progress_dialogs_visible() == 0)


def _progress_dialogs_visible() -> int:
    from repdesk.gui.ops import ProgressDialog

    return sum(
        1 for w in QApplication.topLevelWidgets() if isinstance(w, ProgressDialog) and w.isVisible()
    )


def test_cancel_from_the_progress_dialog_interrupts_silently(qtbot: Any, runner: OpRunner) -> None:
    from repdesk.gui.ops import ProgressDialog

    reported: list[str] = []
    runner.error_reported.connect(reported.append)
    succeeded: list[object] = []

    def long_job(ctx: OpContext) -> str:
        ctx.report("Step 1 of 3", 1, 3)
        ctx.wait_cancelled(60)
        ctx.check_cancelled()
        return "finished"

    QueryOp(parent=None, op=long_job, success=succeeded.append).with_progress(
        "Syncing", cancellable=True
    ).run_in_background(runner)
    qtbot.waitUntil(lambda: _progress_dialogs_visible() == 1)
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, ProgressDialog))
    qtbot.waitUntil(lambda: dialog.labelText() == "Step 1 of 3")
    assert dialog.maximum() == 3
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    qtbot.mouseClick(dialog.findChild(QPushButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: runner.idle)
    assert succeeded == [] and reported == []


def test_shutdown_finishes_queued_work_and_refuses_more(qapp: Any) -> None:
    events = AppEvents()
    ops = OpRunner(None, events)
    ran: list[int] = []
    for i in range(3):
        QueryOp(parent=None, op=lambda _c, i=i: ran.append(i)).run_in_background(ops)
    ops.shutdown()
    assert ran == [0, 1, 2]
    with pytest.raises(RuntimeError):
        QueryOp(parent=None, op=_ident).run_in_background(ops)


def test_a_failing_callback_is_logged_and_reported(
    qtbot: Any, runner: OpRunner, caplog: pytest.LogCaptureFixture
) -> None:
    def broken_callback(_value: object) -> None:
        raise ValueError("bug in a view")

    with caplog.at_level(logging.ERROR), qtbot.waitSignal(runner.error_reported):
        QueryOp(parent=None, op=lambda _c: 1, success=broken_callback).run_in_background(runner)
    assert any(r.exc_info and r.exc_info[0] is ValueError for r in caplog.records)
    assert runner.idle
    for box in QApplication.topLevelWidgets():
        if isinstance(box, QMessageBox):
            box.close()


def test_the_runner_is_found_through_the_parent_chain(qtbot: Any, runner: OpRunner) -> None:
    from types import SimpleNamespace

    from repdesk.gui.ops import runner_for

    window = QWidget()
    window.ctx = SimpleNamespace(ops=runner)  # type: ignore[attr-defined]
    child = QWidget(window)
    qtbot.addWidget(window)
    assert runner_for(child) is runner
    got: list[int] = []
    QueryOp(parent=child, op=lambda _c: 7, success=got.append).run_in_background()
    qtbot.waitUntil(lambda: got == [7])
    orphan = QWidget()
    qtbot.addWidget(orphan)
    with pytest.raises(RuntimeError, match="no op runner"):
        QueryOp(parent=orphan, op=lambda _c: 1).run_in_background()


def test_a_failed_write_is_reported_even_after_its_window_closed(
    qtbot: Any, runner: OpRunner
) -> None:
    from repdesk.domain.errors import DiskFullError

    gate = threading.Event()
    widget = QWidget()

    def write(_c: OpContext) -> Changes:
        gate.wait(60)
        raise DiskFullError("The disk is full: your last change was not saved.")

    reported: list[str] = []
    runner.error_reported.connect(reported.append)
    CollectionOp(parent=widget, op=write).run_in_background(runner)
    widget.deleteLater()
    qtbot.waitUntil(lambda: not _valid(widget))
    gate.set()
    qtbot.waitUntil(lambda: runner.idle)
    assert reported == ["The disk is full: your last change was not saved."]
    for box in QApplication.topLevelWidgets():
        if isinstance(box, QMessageBox):
            box.close()


def test_outcomes_arriving_after_shutdown_are_dropped(qapp: Any) -> None:
    """Work finished by shutdown() is never delivered later (to a gone window or test)."""
    from PySide6.QtCore import QCoreApplication

    ops = OpRunner(None, AppEvents())
    delivered: list[object] = []
    changes_seen: list[Changes] = []
    ops.events.changed.connect(changes_seen.append)
    QueryOp(parent=None, op=lambda _c: 1, success=delivered.append).run_in_background(ops)
    CollectionOp(parent=None, op=lambda _c: Changes(leads=True)).success(
        delivered.append
    ).run_in_background(ops)
    ops.shutdown()  # both jobs ran: their outcomes are posted to this (GUI) thread
    QCoreApplication.sendPostedEvents()
    QCoreApplication.processEvents()
    assert delivered == [] and changes_seen == []
    assert ops.closed and ops.idle


def test_a_message_box_without_a_parent_stays_open_until_closed(qapp: Any) -> None:
    import gc

    import shiboken6

    from repdesk.gui.op_runner import open_message_boxes, show_message

    box = show_message(None, "<b>The hub is down</b>")
    ref = weakref.ref(box)
    del box
    gc.collect()
    kept = ref()
    assert kept is not None and shiboken6.isValid(kept) and kept.isVisible()
    assert kept.textFormat() == Qt.TextFormat.PlainText
    assert kept in open_message_boxes()
    kept.close()
    assert kept not in open_message_boxes()


def test_the_last_reference_to_a_job_is_dropped_on_the_gui_thread(
    qtbot: Any, runner: OpRunner
) -> None:
    """Whatever an op closes over (widgets!) must not be destroyed by a worker thread."""
    dropped_on: list[int] = []

    class Canary:
        def __del__(self) -> None:
            dropped_on.append(threading.get_ident())

    def submit_with_canary() -> None:
        canary = Canary()
        QueryOp(parent=None, op=lambda _c, c=canary: id(c)).run_in_background(runner)

    submit_with_canary()
    qtbot.waitUntil(lambda: runner.idle)
    # Another job on the same lane: a worker still holding the first would drop it now.
    done: list[int] = []
    QueryOp(parent=None, op=_ident, success=done.append).run_in_background(runner)
    qtbot.waitUntil(lambda: done != [])
    assert dropped_on == [threading.get_ident()]
