"""The pull pages' feed: in order, a few ahead of the store, already-fetched pages taken
together up to a size, a fetch's error in its place. The fetches are plain functions the
test gates with events (no hub: what is tested is the hand-over between two threads)."""

from __future__ import annotations

import threading

import msgspec
import pytest

from repdesk.sync.http import CursorExpired
from repdesk.sync.page_feed import PageFeed
from repdesk.sync.pages import PageHead

WAIT = 30  # seconds: only reached if the feed is broken


def _page(n: int, size: int, more: bool) -> PageHead:
    changes = [msgspec.Raw(b"{}") for _ in range(size)]
    return PageHead(changes=changes, cursor=f"c{n}", has_more=more)


class Hub:
    """Pages c1..c{count} of `size` changes; page n's fetch waits for `release[n]`, and
    says it began in `began[n]`."""

    def __init__(self, count: int, size: int = 2, fail_at: int | None = None) -> None:
        self.count, self.size, self.fail_at = count, size, fail_at
        self.release = [threading.Event() for _ in range(count + 2)]
        self.began = [threading.Event() for _ in range(count + 2)]
        self.asked: list[str | None] = []

    def fetch(self, cursor: str | None) -> tuple[PageHead, bytes]:
        n = 1 if cursor is None else int(cursor[1:]) + 1
        self.asked.append(cursor)
        self.began[n].set()
        assert self.release[n].wait(WAIT)
        if n == self.fail_at:
            raise CursorExpired("gone")
        return _page(n, self.size, n < self.count), b""

    def let_through(self, *pages: int) -> None:
        for n in pages:
            self.release[n].set()


def _numbers(taken: list[object]) -> list[str]:
    return [item.page.cursor for item in taken]  # type: ignore[attr-defined]


def test_pages_come_in_order_and_those_already_fetched_come_together() -> None:
    hub = Hub(count=5)
    feed = PageFeed(hub.fetch, None, depth=8)  # type: ignore[arg-type]
    try:
        hub.let_through(1)
        assert _numbers(feed.take(100)) == ["c1"]  # waits for the first page only
        hub.let_through(2, 3, 4)
        assert hub.began[5].wait(WAIT)  # pages 2-4 are in the feed once 5 is asked for
        assert _numbers(feed.take(100)) == ["c2", "c3", "c4"]
        hub.let_through(5)
        last = feed.take(100)
        assert _numbers(last) == ["c5"] and last[-1].last
        assert hub.asked == [None, "c1", "c2", "c3", "c4"]
    finally:
        feed.close()


def test_a_take_stops_at_its_size_and_the_feed_at_its_depth() -> None:
    hub = Hub(count=6, size=2)
    feed = PageFeed(hub.fetch, None, depth=3)  # type: ignore[arg-type]
    try:
        hub.let_through(*range(1, 7))
        assert hub.began[4].wait(WAIT)  # pages 1-3 fill the feed; page 4 waits for room
        assert not hub.began[5].is_set()
        assert _numbers(feed.take(5)) == ["c1", "c2"]  # 4 changes; a third page makes 6
        assert _numbers(feed.take(1)) == ["c3"]  # one page even when it is bigger
        rest: list[str] = []
        while not rest or rest[-1] != "c6":
            rest += _numbers(feed.take(100))
        assert rest == ["c4", "c5", "c6"]
    finally:
        feed.close()


def test_an_error_comes_after_the_pages_before_it_and_ends_the_feed() -> None:
    hub = Hub(count=5, fail_at=3)
    feed = PageFeed(hub.fetch, None, depth=8)  # type: ignore[arg-type]
    try:
        hub.let_through(1, 2, 3)
        assert hub.began[3].wait(WAIT)  # pages 1 and 2 are in the feed
        assert _numbers(feed.take(100)) == ["c1", "c2"]
        with pytest.raises(CursorExpired):
            feed.take(100)
        assert hub.asked == [None, "c1", "c2"]  # nothing fetched after the failure
    finally:
        feed.close()


def test_closing_frees_a_fetcher_waiting_for_room() -> None:
    hub = Hub(count=9)
    feed = PageFeed(hub.fetch, None, depth=1)  # type: ignore[arg-type]
    hub.let_through(*range(1, 10))
    assert hub.began[2].wait(WAIT)  # page 1 waits in the feed; page 2 waits for room
    feed.close()
    feed._thread.join(WAIT)  # noqa: SLF001 (white-box: the helper thread ended)
    assert not feed._thread.is_alive()  # noqa: SLF001
    assert hub.asked == [None, "c1"]


def _take_in_thread(feed: PageFeed, most: int, gather: int) -> tuple[threading.Thread, list[str]]:
    got: list[str] = []
    thread = threading.Thread(target=lambda: got.extend(_numbers(feed.take(most, gather))))
    thread.start()
    return thread, got


def _finished(thread: threading.Thread) -> bool:
    thread.join(WAIT)
    return not thread.is_alive()


def test_a_gathering_take_waits_for_its_size_a_full_feed_or_the_last_page() -> None:
    """A first sync's take (`gather`) waits until the pages fetched hold that many changes,
    fill the feed, or end with the last page, so pages are written in batches even when
    the hub is the slower side."""
    hub = Hub(count=9, size=2)
    feed = PageFeed(hub.fetch, None, depth=4)  # type: ignore[arg-type]
    try:
        hub.let_through(1, 2)
        assert hub.began[3].wait(WAIT)  # pages 1 and 2 are in: 4 changes
        thread, got = _take_in_thread(feed, 100, 6)
        hub.let_through(3)
        assert _finished(thread)
        assert got == ["c1", "c2", "c3"]  # 4 changes were not enough: it waited for c3
        thread, got = _take_in_thread(feed, 100, 100)
        hub.let_through(4, 5, 6, 7)
        assert _finished(thread)
        assert got == ["c4", "c5", "c6", "c7"]  # the feed is full: no more can come
        thread, got = _take_in_thread(feed, 100, 100)
        hub.let_through(8, 9)
        assert _finished(thread)
        assert got == ["c8", "c9"]  # c9 is the last page
    finally:
        feed.close()


def test_a_gathering_take_hands_over_the_pages_before_an_error() -> None:
    hub = Hub(count=5, fail_at=2)
    feed = PageFeed(hub.fetch, None, depth=8)  # type: ignore[arg-type]
    try:
        thread, got = _take_in_thread(feed, 100, 100)
        hub.let_through(1, 2)
        assert _finished(thread)
        assert got == ["c1"]
        with pytest.raises(CursorExpired):
            feed.take(100, 100)
    finally:
        feed.close()


def test_a_gathering_take_stops_gathering_once_the_sync_is_cancelled() -> None:
    """A cancel during a first sync takes effect at the next page, as it does without
    `gather`: the take hands over what came in, and the engine's cancel check ends the
    sync, instead of waiting for a whole batch of pages first."""
    hub = Hub(count=9, size=2)
    feed = PageFeed(hub.fetch, None, depth=8)  # type: ignore[arg-type]
    cancelled = threading.Event()
    got: list[str] = []
    try:
        thread = threading.Thread(
            target=lambda: got.extend(_numbers(feed.take(100, 100, cancelled.is_set)))
        )
        thread.start()
        hub.let_through(1)
        assert hub.began[2].wait(WAIT)  # page 1 is in; the take still gathers
        cancelled.set()
        hub.let_through(2)  # wakes the take if it was waiting (or it saw the cancel first)
        assert _finished(thread)  # pages 3-9 never come: it did not wait for 100 changes
        assert got in (["c1"], ["c1", "c2"])
    finally:
        feed.close()
