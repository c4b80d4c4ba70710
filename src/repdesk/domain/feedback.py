"""What reps send back to marketing: notes, objections, dispositions and collateral use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum


@dataclass(frozen=True, slots=True)
class CallNote:
    id: str
    lead_id: str
    body: str
    created_at: datetime
    author_rep_id: str = ""
    call_started_at: datetime | None = None
    duration_seconds: int | None = None
    outcome: str = ""


@dataclass(frozen=True, slots=True)
class ObjectionCategory:
    code: str
    label: str
    description: str = ""


class Severity(IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    BLOCKER = 4


@dataclass(frozen=True, slots=True)
class Objection:
    id: str
    lead_id: str
    category_code: str
    verbatim: str
    created_at: datetime
    severity: Severity = Severity.MEDIUM
    campaign_id: str | None = None
    collateral_id: str | None = None
    competitor: str = ""
    resolved: bool = False


class DispositionKind(StrEnum):
    ACCEPT = "accept"
    RETURN_TO_NURTURE = "return_to_nurture"
    DISQUALIFY = "disqualify"


@dataclass(frozen=True, slots=True)
class Disposition:
    id: str
    lead_id: str
    kind: DispositionKind
    decided_at: datetime
    reason: str = ""
    """Required for return-to-nurture and disqualify; free text or a reason code."""

    def __post_init__(self) -> None:
        if self.kind is not DispositionKind.ACCEPT and not self.reason.strip():
            raise ValueError(f"a {self.kind.value} disposition needs a reason")


class UseKind(StrEnum):
    SHOWN = "shown"
    SENT = "sent"


@dataclass(frozen=True, slots=True)
class CollateralUse:
    id: str
    lead_id: str
    collateral_id: str
    kind: UseKind
    used_at: datetime
