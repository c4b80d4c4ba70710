"""The rep's queued writes (the outbox) and the conflicts sync can surface."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class MutationKind(StrEnum):
    CALL_NOTE_CREATE = "call_note.create"
    QUALIFICATION_UPDATE = "qualification.update"
    OBJECTION_CREATE = "objection.create"
    DISPOSITION_SET = "disposition.set"
    COLLATERAL_USED = "collateral.used"
    FOLLOWUP_SET = "followup.set"


class OutboxState(StrEnum):
    PENDING = "pending"
    APPLIED = "applied"
    """The hub accepted it (or had it already: a duplicate is a success)."""
    REJECTED = "rejected"
    CONFLICT = "conflict"


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: str
    """The mutation id: the idempotency key sent to the hub."""
    seq: int
    kind: MutationKind
    entity_id: str
    lead_id: str
    recorded_at: datetime
    payload: dict[str, Any]
    base_version: int | None = None
    state: OutboxState = OutboxState.PENDING
    attempts: int = 0
    detail: str = ""
    """The hub's reason for a rejection, shown to the rep as plain text."""
    sent_at: datetime | None = None


class ConflictState(StrEnum):
    OPEN = "open"
    KEPT_MINE = "kept_mine"
    TOOK_THEIRS = "took_theirs"


@dataclass(frozen=True, slots=True)
class Conflict:
    id: str
    mutation_id: str
    lead_id: str
    field: str
    mine: str
    theirs: str
    server_version: int
    state: ConflictState = ConflictState.OPEN
    created_at: datetime | None = None

    def describe(self, lead_name: str = "") -> str:
        who = f" on {lead_name}" if lead_name else ""
        return (
            f"Marketing changed {self.field.capitalize()}{who} to {self.theirs!r} "
            f"while you set {self.mine!r}"
        )
