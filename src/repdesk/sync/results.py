"""What the engine hands back: sign-in results, sync reports, and the sign-out refusal."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from repdesk.domain.changes import NO_CHANGES, Changes
from repdesk.domain.errors import RepdeskError
from repdesk.store.api import OutboxCounts, SessionInfo

NO_KEYRING_MESSAGE = (
    "No system keyring found: you will need to sign in again next time repdesk starts. "
    "Your password is never written to disk."
)
"""The token's note (`SyncApi.token_note`) with no usable keyring; here, not beside the
keyring code, so the GUI's seam does not import keyring at start-up."""


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


class UnsentWorkError(RepdeskError):
    """Sign-out refused: queued work would be left behind (the GUI offers send or export).

    The message says what is actually queued: pending changes go with the next sync, but
    refused or conflicting ones never do (a sync does not clear them), so for those the rep
    is sent to the Outbox, or to export them and sign out with --force.
    """

    def __init__(
        self, count: int, *, pending: int | None = None, rejected: int = 0, conflicts: int = 0
    ) -> None:
        self.count = count
        self.pending = count - rejected - conflicts if pending is None else pending
        self.rejected = rejected
        self.conflicts = conflicts
        super().__init__(self._message())

    @classmethod
    def of(cls, counts: OutboxCounts) -> UnsentWorkError:
        total = counts.pending + counts.rejected + counts.conflicts
        return cls(
            total, pending=counts.pending, rejected=counts.rejected, conflicts=counts.conflicts
        )

    def _message(self) -> str:
        stuck = []
        if self.rejected:
            stuck.append(_n(self.rejected, "change the hub refused", "changes the hub refused"))
        if self.conflicts:
            stuck.append(
                _n(self.conflicts, "change in conflict", "changes in conflict")
                + " with marketing's"
            )
        parts = []
        if self.pending:
            it = "it" if self.pending == 1 else "them"
            unsent = _n(self.pending, "unsent change", "unsent changes")
            parts.append(
                f"You have {unsent}: sync to send {it}."
                if stuck
                else f"You have {unsent}. Sync to send {it}, or export {it} to a file "
                "(repdesk export-pending FILE), before signing out."
            )
        if stuck:
            them = "it" if self.rejected + self.conflicts == 1 else "them"
            parts.append(
                f"{'You also have' if self.pending else 'You have'} {' and '.join(stuck)}, "
                f"which syncing does not clear: open the Outbox to retry or resolve {them}, "
                f"or export {them} (repdesk export-pending FILE) and then sign out with "
                "repdesk logout --force."
            )
        return " ".join(parts) or "You have unsent changes; export them before signing out."


class SetAsideReason(StrEnum):
    ANOTHER_REP = "another_rep"
    """A different rep signed in on this data folder."""
    ANOTHER_HUB = "another_hub"
    """The same or another rep signed in to a different hub (by hub id; by address only
    when a hub sends no id)."""


@dataclass(frozen=True, slots=True)
class SetAside:
    """Unsent work taken off the queue at sign-in and saved to a file, never sent."""

    path: Path
    """The JSON file (`repdesk export-pending` format) holding the items."""
    count: int
    kinds: tuple[tuple[str, int], ...]
    """How many of each mutation kind (`call_note.create`, ...), in outbox order."""
    reason: SetAsideReason
    previous_rep: str
    """Who made them: the last session's email, else its rep id ("" if unknown)."""
    previous_hub: str
    """The address of the hub they were made for."""

    @property
    def folder(self) -> Path:
        return self.path.parent

    def text(self) -> str:
        """The plain-text note (the CLI prints it; the GUI builds its own, translated)."""
        if self.reason is SetAsideReason.ANOTHER_REP:
            return (
                f"{self.count} unsent change(s) made by the previous user of this computer "
                f"were saved to {self.path} and not sent as you: give that file to them or "
                "to marketing operations."
            )
        return (
            f"{self.count} unsent change(s) made for another hub ({self.previous_hub}) were "
            f"saved to {self.path} and not sent to this one: give that file to marketing "
            "operations."
        )


@dataclass(frozen=True, slots=True)
class LoginResult:
    session: SessionInfo
    warnings: tuple[str, ...] = ()
    """Plain-text notes for the rep (clock off, token kept in memory only, set aside)."""
    set_aside: SetAside | None = None
    """Unsent work of another rep or another hub, saved to a file at this sign-in."""


@dataclass(slots=True)
class SyncReport:
    pushed: int = 0
    """Mutations sent to the hub."""
    applied: int = 0
    """Accepted by the hub (a `duplicate` counts: it was accepted earlier)."""
    rejected: int = 0
    conflicts: int = 0
    waiting: int = 0
    """Sent but kept queued: the hub does not know their kind yet (an older hub)."""
    pulled: int = 0
    """Changes received."""
    downloaded: int = 0
    full_resync: bool = False
    collateral_failed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changes: Changes = NO_CHANGES

    def __str__(self) -> str:
        parts = [
            f"Sent {self.pushed} change{'s' if self.pushed != 1 else ''} "
            f"({self.applied} accepted, {self.rejected} refused, {self.conflicts} in conflict)",
            f"received {self.pulled} update{'s' if self.pulled != 1 else ''}"
            + (" (full refresh)" if self.full_resync else ""),
            f"downloaded {self.downloaded} file{'s' if self.downloaded != 1 else ''}",
        ]
        text = "; ".join(parts) + "."
        if self.collateral_failed:
            text += f" {len(self.collateral_failed)} file(s) could not be downloaded."
        if self.waiting:
            text += (
                f" {self.waiting} change(s) stay queued: the hub does not know them yet "
                "(it needs an update)."
            )
        return " ".join([text, *self.warnings])


__all__ = ["LoginResult", "SetAside", "SetAsideReason", "SyncReport", "UnsentWorkError"]
