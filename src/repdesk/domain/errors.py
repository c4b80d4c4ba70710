"""One error hierarchy for the whole core; each error carries a message a rep understands."""

from __future__ import annotations

import errno

_NO_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


class RepdeskError(Exception):
    """Base of every error repdesk raises on purpose. `str(e)` is fit to show a rep."""


class StoreError(RepdeskError):
    """The local database could not be read or written."""


class SchemaTooNewError(StoreError):
    """The data directory was written by a newer repdesk."""


class AlreadyRunningError(StoreError):
    """Another repdesk instance holds the data directory."""


def disk_full_message(where: object = "") -> str:
    """The one sentence a rep reads whenever a disk fills up, wherever it happened."""
    place = f" on the disk that holds {where}" if where else ""
    return f"The disk is full: free some space{place}; nothing you typed was lost."


def is_no_space(exc: BaseException) -> bool:
    """An OSError saying the disk (or the rep's quota) is full."""
    return isinstance(exc, OSError) and exc.errno in _NO_SPACE


class DiskFullError(StoreError):
    """The disk is full; nothing was lost, the write was not made.

    With no message, says `disk_full_message(where)`: SQLite's SQLITE_FULL and an OSError
    ENOSPC anywhere become this one error with this one sentence.
    """

    def __init__(self, message: str = "", *, where: object = "") -> None:
        super().__init__(message or disk_full_message(where))
        self.where = str(where)


class CacheKeyError(StoreError):
    """The encrypted local data could not be unlocked (wrong or missing key); nothing changed."""


class WrongCacheKeyError(CacheKeyError):
    """The key or passphrase given does not open the encrypted local data."""

    def __init__(self, message: str, *, passphrase: bool) -> None:
        super().__init__(message)
        self.passphrase = passphrase
        """True when the rep typed it (worth asking again), False for the keyring's key."""


class ValidationError(RepdeskError):
    """Input a rep or a file gave does not make sense (shown as is)."""


class NetworkError(RepdeskError):
    """The hub could not be reached, or stopped answering; safe to retry later."""


class TlsError(NetworkError):
    """The hub's certificate could not be verified."""


class AuthError(RepdeskError):
    """The hub refused our credentials or token: sign in again; nothing queued is lost."""


class AccountDisabledError(AuthError):
    """Marketing disabled this rep: the cached lead data is erased (unsent work exported)."""


class ClientTooOldError(RepdeskError):
    """The hub requires a newer repdesk."""


class Interrupted(RepdeskError):  # noqa: N818 - reads as a state, like Anki's
    """The rep cancelled; never shown as an error."""


class ConflictError(RepdeskError):
    """A change collided with marketing's; see the conflict records."""


class UntrustedServerError(RepdeskError):
    """The hub answered something we cannot use; its text is kept as plain text only."""

    def __init__(self, message: str, server_text: str = "") -> None:
        super().__init__(message)
        self.server_text = server_text


class CollateralError(RepdeskError):
    """A collateral file is missing, corrupt, or cannot be previewed."""


class UpdateError(RepdeskError):
    """A new repdesk build could not be downloaded, verified or unpacked; the running
    version and every piece of local work are untouched."""
