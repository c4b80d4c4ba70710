"""Pull pages fetched one after another on a helper thread, a few ahead of the store.

The helper thread only fetches: it reads each body's head (`pages.PageHead`: the next
cursor, whether more follow) and asks for the next page at once, so the hub builds page
N+1 while this process decodes, converts and writes page N in the store's thread. When the
decoding was done here too, the hub waited for it between pages: at M a first sync's hub
was busy ~55% of the time, where a loop that only fetched kept it busy ~90%.

When the store is the slower side, pages wait here, and the engine takes the ones already
fetched together, so they are written in one transaction: a first sync's unique id
indexes are random, so every commit rewrites most of their pages into the WAL again (at
M, 63 commits of one page each wrote a 506 MB WAL for a 100 MB cache). When the hub is
the slower side, a later sync writes each page as soon as it arrives; a first sync (or a
full resync) waits for a batch (`take`'s `gather`) instead: the first sync's store is
empty, so nothing is shown earlier by writing a page at once, and one page a commit made
the client's apply cost 40 % more CPU (replayed M pages: 2.50 s one page a commit, 1.75 s
eight), CPU the hub needs on a machine whose cores it shares. A cancelled sync stops
gathering at the next page, as a later sync would.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from repdesk.sync.pages import PageHead


@dataclass(frozen=True, slots=True)
class Fetched:
    page: PageHead
    body: bytes
    """The whole body, for `pages.decode_page`."""
    last: bool
    """No page follows (the hub said so, or it said has_more without moving on)."""
    stuck: bool = False
    """The hub said has_more but gave nothing new: the pull stops here."""


Fetch = Callable[[str | None], tuple[PageHead, bytes]]
"""A page's head and body, after the cursor given (None: from the start)."""


def _never() -> bool:
    return False


class PageFeed:
    """`take` hands out fetched pages in order; an error of a fetch comes out of `take`
    in its place, and the feed stops there. `close` stops the helper thread's loop (a
    fetch under way finishes; its page is dropped)."""

    def __init__(self, fetch: Fetch, cursor: str | None, depth: int) -> None:
        self._fetch = fetch
        self._depth = max(1, depth)
        self._ready: deque[Fetched | BaseException] = deque()
        self._changed = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(
            target=self._run, args=(cursor,), name="repdesk-pull", daemon=True
        )
        self._thread.start()

    def _run(self, cursor: str | None) -> None:
        while True:
            try:
                page, body = self._fetch(cursor)
            except BaseException as exc:  # handed to the reader, in order
                self._put(exc)
                return
            stuck = page.has_more and not page.changes and page.cursor == cursor
            last = not page.has_more or stuck
            if not self._put(Fetched(page, body, last, stuck)) or last:
                return
            cursor = page.cursor

    def _put(self, item: Fetched | BaseException) -> bool:
        with self._changed:
            while len(self._ready) >= self._depth and not self._closed:
                self._changed.wait()
            if self._closed:
                return False
            self._ready.append(item)
            self._changed.notify_all()
            return True

    def take(
        self, max_changes: int, gather: int = 0, cancelled: Callable[[], bool] = _never
    ) -> list[Fetched]:
        """The next page (waiting for it), and after it those already fetched while their
        changes stay within `max_changes`. Raises what the next fetch raised.

        `gather`: first wait until the pages fetched hold that many changes, or fill the
        feed, or end with the last page or an error (a first sync: see the module); once
        `cancelled()`, no longer than for the next page, as without `gather`."""
        with self._changed:
            while not self._gathered(gather, cancelled):
                self._changed.wait()
            taken: list[Fetched] = []
            size = 0
            while self._ready:
                item = self._ready[0]
                if isinstance(item, BaseException):
                    if taken:
                        break  # the pages before it first; the error at the next take
                    self._ready.popleft()
                    raise item
                if taken and size + len(item.page.changes) > max_changes:
                    break
                self._ready.popleft()
                taken.append(item)
                size += len(item.page.changes)
                if item.last:
                    break
            self._changed.notify_all()
            return taken

    def _gathered(self, gather: int, cancelled: Callable[[], bool]) -> bool:
        if not self._ready:
            return False
        if gather <= 0 or len(self._ready) >= self._depth or cancelled():
            return True
        tail = self._ready[-1]
        if isinstance(tail, BaseException) or tail.last:
            return True
        size = sum(len(item.page.changes) for item in self._ready if isinstance(item, Fetched))
        return size >= gather

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._ready.clear()
            self._changed.notify_all()


class InlineFeed:
    """`PageFeed` without the helper thread: each page fetched when it is taken."""

    def __init__(self, fetch: Fetch, cursor: str | None) -> None:
        self._fetch = fetch
        self._cursor = cursor

    def take(
        self,
        max_changes: int,  # noqa: ARG002 (one page a time)
        gather: int = 0,  # noqa: ARG002
        cancelled: Callable[[], bool] = _never,  # noqa: ARG002
    ) -> list[Fetched]:
        page, body = self._fetch(self._cursor)
        stuck = page.has_more and not page.changes and page.cursor == self._cursor
        self._cursor = page.cursor
        return [Fetched(page, body, not page.has_more or stuck, stuck)]

    def close(self) -> None:
        pass


__all__ = ["Fetch", "Fetched", "InlineFeed", "PageFeed"]
