"""`AppContext`: everything a window needs, passed explicitly (there is no global main window)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from repdesk.gui.events import AppEvents
from repdesk.gui.ops import OpRunner
from repdesk.store.api import StoreApi
from repdesk.store.call_drafts import drafts_dir
from repdesk.sync.api import SyncApi

if TYPE_CHECKING:
    from repdesk.gui.session import SessionController


class CollateralFiles(Protocol):
    """Where downloaded collateral lives: files are content-addressed by sha256."""

    def path_for(self, sha256: str) -> Path | None:
        """The verified local file, or None while it is not downloaded yet."""
        ...


@dataclass(eq=False)
class AppContext:
    """Handed to every window and dialog; hold it, never reach for a global.

    Views read and write ONLY through `ops` (see `repdesk.gui.ops`), never by calling
    `store` on the GUI thread; `store` is here so op functions can close over it and for
    the composition root. `sync` is the sync service handle (None when signed out or in
    tests), `collateral` the local collateral files (None until sync provides them),
    `settings` the typed settings registry of the app, `session` the one owner of the
    rep's session (sign-in, sign-out, the sign-in dialog; see `repdesk.gui.session`).
    """

    store: StoreApi
    events: AppEvents
    ops: OpRunner
    data_dir: Path
    settings: Any = None
    sync: SyncApi | None = None
    collateral: CollateralFiles | None = None
    rep_id: str = ""
    """The signed-in rep's hub id ("" before the first sign-in); stamped on BANT answers."""
    extras: dict[str, Any] = field(default_factory=dict)
    """Room for later services without changing every constructor."""
    _session: SessionController | None = field(default=None, repr=False)

    @classmethod
    def create(
        cls,
        store: StoreApi,
        data_dir: Path,
        *,
        settings: Any = None,
        sync: SyncApi | None = None,
        collateral: CollateralFiles | None = None,
        rep_id: str = "",
    ) -> AppContext:
        """Build the events hub and the op runner (which starts its worker threads)."""
        events = AppEvents()
        ops = OpRunner(store, events, sync=sync)
        return cls(
            store=store,
            events=events,
            ops=ops,
            data_dir=data_dir,
            settings=settings,
            sync=sync,
            collateral=collateral,
            rep_id=rep_id,
        )

    @property
    def session(self) -> SessionController:
        """The session's one owner, made on first use (the composition root reads its
        state with `read_now`; until then it is UNKNOWN)."""
        if self._session is None:
            from repdesk.gui.session import SessionController

            self._session = SessionController(self)
        return self._session

    @property
    def drafts_dir(self) -> Path:
        """Crash-safe drafts (call notes in progress) live here, one small file each,
        sealed with the cache key (`store/call_drafts.py`)."""
        return drafts_dir(self.data_dir)

    @property
    def clock(self) -> Any:
        """The app's `repdesk.gui.clock.Clock` (the system's unless one was set: tests set a
        `ManualClock` before building windows)."""
        clock = self.extras.get("clock")
        if clock is None:
            from repdesk.gui.clock import SystemClock

            clock = self.extras["clock"] = SystemClock()
        return clock

    @clock.setter
    def clock(self, value: Any) -> None:
        self.extras["clock"] = value

    def shutdown(self) -> None:
        """Let queued work finish and stop the worker threads (before QApplication quits)."""
        if self._session is not None:
            self._session.close()
        self.ops.shutdown()
