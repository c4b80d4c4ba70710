"""The sync service as the GUI sees it: `SyncApi`, a Protocol the engine satisfies.

Like `repdesk.store.api` for the store: the GUI codes against this module (and the value
types it re-exports), never against `SyncEngine` or the wire schema. Every method may
block on the network or the keyring: the GUI calls them on `Lane.NETWORK` only (the
composition root may call `signed_in` before the event loop starts).
"""

from __future__ import annotations

from typing import Protocol

from repdesk.domain.changes import Changes
from repdesk.sync.progress import CancelSource, ProgressCallback
from repdesk.sync.results import (
    NO_KEYRING_MESSAGE,
    LoginResult,
    SetAside,
    SetAsideReason,
    SyncReport,
    UnsentWorkError,
)


class SyncApi(Protocol):
    """What `repdesk.sync.engine.SyncEngine` offers the GUI."""

    @property
    def signed_in(self) -> bool:
        """A session is remembered AND its token is at hand (keyring or memory)."""
        ...

    @property
    def token_note(self) -> str:
        """What to tell the rep about where the token is kept: `NO_KEYRING_MESSAGE` while it
        lives in memory only (no usable keyring), "" when the keyring keeps it."""
        ...

    def login(self, hub_url: str, email: str, password: str) -> LoginResult:
        """Sign in; the result says what was set aside, if anything (another rep/hub)."""
        ...

    def logout(self, force: bool = False) -> Changes:
        """Revoke the token and forget the session; `UnsentWorkError` unless `force`."""
        ...

    def sync(
        self, progress: ProgressCallback | None = None, cancel: CancelSource = None
    ) -> SyncReport:
        """Push, pull, fetch collateral; raises AuthError, NetworkError, Interrupted, ..."""
        ...


__all__ = [
    "CancelSource",
    "NO_KEYRING_MESSAGE",
    "LoginResult",
    "ProgressCallback",
    "SetAside",
    "SetAsideReason",
    "SyncApi",
    "SyncReport",
    "UnsentWorkError",
]
