"""Progress is readable from any thread; cancellation works with every flag the app uses."""

from __future__ import annotations

import threading

import pytest

from repdesk.domain.errors import Interrupted
from repdesk.sync.progress import Cancel, SyncProgress


class OpContextLike:
    def __init__(self) -> None:
        self.flag = False

    def cancelled(self) -> bool:
        return self.flag


def test_progress_snapshot_and_callback() -> None:
    seen: list[tuple[str, int, int]] = []
    progress = SyncProgress(lambda *a: seen.append(a))
    progress("Receiving updates", 3, 0)
    assert progress.snapshot().done == 3
    assert seen == [("Receiving updates", 3, 0)]


def test_progress_from_many_threads_stays_consistent() -> None:
    progress = SyncProgress()

    def writer(n: int) -> None:
        for i in range(500):
            progress(f"p{n}", i, i)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    snap = progress.snapshot()
    assert snap.done == snap.total == 499


def test_cancel_sources() -> None:
    event = threading.Event()
    ctx = OpContextLike()
    box = {"stop": False}
    sources = [Cancel(event), Cancel(ctx), Cancel(lambda: box["stop"])]
    assert not any(c.is_set() for c in sources)
    assert not Cancel(None).is_set()
    event.set()
    ctx.flag = True
    box["stop"] = True
    for c in sources:
        with pytest.raises(Interrupted):
            c.check()


def test_backoff_pause_ends_when_the_rep_cancels() -> None:
    event = threading.Event()
    cancel = Cancel(event)
    timer = threading.Timer(0.05, event.set)
    timer.start()
    with pytest.raises(Interrupted):
        cancel.sleep(30)  # would be 30 s; the cancel ends it at once
    timer.join()
