"""The sync controller: one sync at a time, off the GUI thread, cancellable, with late progress.

These tests inject a sync that blocks on a gate (a hub that answers slowly, precisely
timed) through a stand-in engine; the end-to-end syncs against a real hub are in
test_offline_flow.py and test_sync_controller_hub.py.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import pytest

from repdesk.domain.changes import Changes
from repdesk.domain.errors import AuthError, Interrupted, NetworkError
from repdesk.gui.sync_controller import SyncController, backoff_ms
from repdesk.store import settings as registry


@dataclass
class _Report:
    changes: Changes = field(default_factory=lambda: Changes(leads=True))


class _GatedEngine:
    """A stand-in for SyncEngine.sync: reports a phase, then waits for the test's gate.

    `fail` makes the next sync raise that error once the gate opens.
    """

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.calls = 0
        self.threads: list[int] = []
        self.fail: BaseException | None = None
        self._lock = threading.Lock()
        self.concurrent = 0
        self.max_concurrent = 0

    def sync(self, progress: Any, cancel: threading.Event) -> _Report:
        with self._lock:
            self.calls += 1
            self.concurrent += 1
            self.max_concurrent = max(self.max_concurrent, self.concurrent)
        self.threads.append(threading.get_ident())
        try:
            progress("Receiving updates", 1, 4)
            self.entered.set()
            while not self.gate.wait(0.01):
                if cancel.is_set():
                    raise Interrupted("cancelled")
            if self.fail is not None:
                raise self.fail
            return _Report()
        finally:
            with self._lock:
                self.concurrent -= 1


@pytest.fixture
def engine(app_ctx: Any) -> _GatedEngine:
    gated = _GatedEngine()
    app_ctx.sync = gated
    return gated


def _controller(app_ctx: Any) -> SyncController:
    return SyncController(app_ctx, prompt_sign_in=False)


def test_quick_sync_never_shows_progress_and_emits_changes(
    qtbot: Any, app_ctx: Any, engine: _GatedEngine
) -> None:
    controller = _controller(app_ctx)
    # "Quick" is pinned, not left to the scheduler: on a loaded box a sync of a few
    # milliseconds can take longer than the real delay.
    controller.progress_delay_ms = 120_000
    shown: list[bool] = []
    controller.progress_visible.connect(shown.append)
    engine.gate.set()
    with qtbot.waitSignals([controller.finished, app_ctx.events.changed]):
        assert controller.sync_now()
    assert shown == []
    assert controller.online is True
    assert controller.status.last_sync_at is not None
    assert threading.get_ident() not in engine.threads


def test_long_sync_shows_progress_after_the_delay_and_never_runs_twice(
    qtbot: Any, app_ctx: Any, engine: _GatedEngine
) -> None:
    controller = _controller(app_ctx)
    progress: list[tuple[str, int, int]] = []
    controller.progress.connect(lambda *a: progress.append(a))
    assert controller.sync_now()
    assert not controller.sync_now(), "a second sync while one runs is refused"
    assert not controller.action.isEnabled()
    with qtbot.waitSignal(controller.progress_visible) as shown:
        pass
    assert shown.args == [True]
    # The phase is queued from the network thread, which may not have run yet by the time
    # the delay expired (a starved thread): wait for it, do not assume it came first.
    qtbot.waitUntil(lambda: ("Receiving updates", 1, 4) in progress)
    with qtbot.waitSignal(controller.progress_visible) as hidden:
        engine.gate.set()
    assert hidden.args == [False]
    qtbot.waitUntil(lambda: not controller.running)
    assert engine.calls == 1
    assert engine.max_concurrent == 1
    assert controller.action.isEnabled()


def test_cancel_stops_the_sync_silently(qtbot: Any, app_ctx: Any, engine: _GatedEngine) -> None:
    controller = _controller(app_ctx)
    failures: list[str] = []
    controller.failed.connect(failures.append)
    controller.sync_now()
    qtbot.waitUntil(engine.entered.is_set)
    with qtbot.waitSignal(controller.ended):
        controller.cancel()
    assert failures == []
    assert not controller.running


def test_network_error_goes_offline_and_retries_sooner_with_backoff(
    qtbot: Any, app_ctx: Any, engine: _GatedEngine
) -> None:
    controller = _controller(app_ctx)
    engine.fail = NetworkError("repdesk could not reach the hub.")
    engine.gate.set()
    with qtbot.waitSignal(controller.online_changed) as blocker:
        controller.sync_now()
    assert blocker.args == [False]
    qtbot.waitUntil(lambda: not controller.running)
    interval = app_ctx.settings.get(registry.SYNC_INTERVAL_MINUTES) * 60_000
    assert 0 < controller.scheduled_in_ms <= 30_000 * 1.05 < interval
    assert controller.status.failures == 1

    engine.fail = None
    with qtbot.waitSignal(controller.online_changed) as back:
        controller.sync_now()
    assert back.args == [True]
    qtbot.waitUntil(lambda: not controller.running)
    assert controller.status.failures == 0
    assert controller.scheduled_in_ms > 30_000


def test_auth_error_asks_to_sign_in_and_stops_the_schedule(
    qtbot: Any, app_ctx: Any, engine: _GatedEngine
) -> None:
    controller = _controller(app_ctx)
    engine.fail = AuthError("Your session with the hub has ended.")
    engine.gate.set()
    with qtbot.waitSignal(controller.sign_in_required) as blocker:
        controller.sync_now()
    assert "session" in blocker.args[0]
    qtbot.waitUntil(lambda: not controller.running)
    assert controller.scheduled_in_ms == -1
    assert controller.status.signed_in is False


def test_schedule_uses_the_interval_setting(qtbot: Any, app_ctx: Any, engine: _GatedEngine) -> None:
    app_ctx.settings.set(registry.SYNC_INTERVAL_MINUTES, 7)
    controller = _controller(app_ctx)
    engine.gate.set()
    with qtbot.waitSignal(controller.finished):
        controller.start_schedule(0)
    qtbot.waitUntil(lambda: not controller.running)
    # Qt's coarse timers may report up to 5 % more than asked.
    assert 6 * 60_000 < controller.scheduled_in_ms <= 7 * 60_000 * 1.05


def test_automatic_sync_off_means_no_schedule_but_f5_works(
    qtbot: Any, app_ctx: Any, engine: _GatedEngine
) -> None:
    app_ctx.settings.set(registry.AUTO_SYNC, False)
    controller = _controller(app_ctx)
    controller.start_schedule(0)
    assert controller.scheduled_in_ms == -1
    engine.gate.set()
    with qtbot.waitSignal(controller.finished):
        controller.action.trigger()
    qtbot.waitUntil(lambda: not controller.running)
    assert controller.scheduled_in_ms == -1


def test_shutdown_cancels_the_running_sync(qtbot: Any, app_ctx: Any, engine: _GatedEngine) -> None:
    controller = _controller(app_ctx)
    controller.start_schedule(60_000)
    controller.sync_now()
    qtbot.waitUntil(engine.entered.is_set)
    with qtbot.waitSignal(controller.ended):
        controller.shutdown()
    assert controller.scheduled_in_ms == -1


def test_backoff_grows_and_is_capped_by_the_interval() -> None:
    interval = 15 * 60_000
    upper = [backoff_ms(n, interval, rand=lambda: 1.0) for n in range(1, 8)]
    assert upper[:4] == [30_000, 60_000, 120_000, 240_000]
    assert max(upper) == interval
    assert backoff_ms(1, interval, rand=lambda: 0.0) == 15_000
    assert backoff_ms(0, interval) == interval


def test_a_late_timer_after_the_workers_stopped_starts_nothing(
    qtbot: Any, app_ctx: Any, engine: _GatedEngine
) -> None:
    """The schedule's timer can fire once more after the app stopped its op runner (seen
    in a full run: a controller's timer raised 'the op runner was shut down' inside a later
    test). It starts nothing and stops the schedule."""
    controller = _controller(app_ctx)
    controller.start_schedule(60_000)
    app_ctx.ops.shutdown()
    assert controller.sync_now() is False
    assert not controller.running and controller.scheduled_in_ms == -1
