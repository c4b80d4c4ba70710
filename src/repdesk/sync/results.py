"""What the engine hands back: sign-in results, sync reports, and the sign-out refusal."""

from __future__ import annotations

from dataclasses import dataclass, field

from repdesk.domain.changes import NO_CHANGES, Changes
from repdesk.domain.errors import RepdeskError
from repdesk.store.api import SessionInfo


class UnsentWorkError(RepdeskError):
    """Sign-out refused: queued work would be left behind (the GUI offers send or export)."""

    def __init__(self, count: int) -> None:
        super().__init__(
            f"You have {count} unsent change{'s' if count != 1 else ''}. Sync to send them, "
            "or export them to a file, before signing out."
        )
        self.count = count


@dataclass(frozen=True, slots=True)
class LoginResult:
    session: SessionInfo
    warnings: tuple[str, ...] = ()
    """Plain-text notes for the rep (clock off, token kept in memory only)."""


@dataclass(slots=True)
class SyncReport:
    pushed: int = 0
    """Mutations sent to the hub."""
    applied: int = 0
    """Accepted by the hub (a `duplicate` counts: it was accepted earlier)."""
    rejected: int = 0
    conflicts: int = 0
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
        return " ".join([text, *self.warnings])


__all__ = ["LoginResult", "SyncReport", "UnsentWorkError"]
