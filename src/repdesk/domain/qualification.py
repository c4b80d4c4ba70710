"""BANT answers and marketing's rubric: the agreed definition of a sales-ready lead."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum


class BantDimension(StrEnum):
    BUDGET = "budget"
    AUTHORITY = "authority"
    NEED = "need"
    TIMEFRAME = "timeframe"


BANT_ORDER: tuple[BantDimension, ...] = (
    BantDimension.BUDGET,
    BantDimension.AUTHORITY,
    BantDimension.NEED,
    BantDimension.TIMEFRAME,
)


class Confidence(IntEnum):
    """How sure the rep is of an answer; ordered so rubrics can demand a minimum."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3


@dataclass(frozen=True, slots=True)
class BantAnswer:
    dimension: BantDimension
    value: str
    """A code from the rubric's scale for this dimension (e.g. "approved")."""
    verbatim: str = ""
    """The prospect's own words."""
    confidence: Confidence = Confidence.MEDIUM
    recorded_by: str = ""
    recorded_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Bant:
    """The current BANT state of one lead; a missing dimension is None."""

    lead_id: str
    budget: BantAnswer | None = None
    authority: BantAnswer | None = None
    need: BantAnswer | None = None
    timeframe: BantAnswer | None = None
    version: int = 0

    def get(self, dimension: BantDimension) -> BantAnswer | None:
        answer: BantAnswer | None = getattr(self, dimension.value)
        return answer


@dataclass(frozen=True, slots=True)
class ScaleOption:
    code: str
    label: str
    qualifies: bool
    key: str = ""
    """Single-key quick pick in the call console (e.g. "1")."""


@dataclass(frozen=True, slots=True)
class RubricDimension:
    dimension: BantDimension
    title: str
    question: str
    options: tuple[ScaleOption, ...]
    required: bool = True

    def option(self, code: str) -> ScaleOption | None:
        return next((o for o in self.options if o.code == code), None)


@dataclass(frozen=True, slots=True)
class Rubric:
    """Marketing's published definition of a sales-ready lead."""

    name: str
    dimensions: tuple[RubricDimension, ...]
    min_confidence: Confidence = Confidence.MEDIUM
    min_qualifying: int = 4
    """How many dimensions must qualify (required ones always must)."""
    version: int = 0

    def for_dimension(self, dimension: BantDimension) -> RubricDimension | None:
        return next((d for d in self.dimensions if d.dimension == dimension), None)


class GapReason(StrEnum):
    UNANSWERED = "unanswered"
    NOT_QUALIFYING = "not_qualifying"
    LOW_CONFIDENCE = "low_confidence"
    UNKNOWN_VALUE = "unknown_value"


@dataclass(frozen=True, slots=True)
class Gap:
    dimension: BantDimension
    reason: GapReason
    explanation: str


@dataclass(frozen=True, slots=True)
class RubricResult:
    ready: bool
    met: tuple[BantDimension, ...] = field(default_factory=tuple)
    gaps: tuple[Gap, ...] = field(default_factory=tuple)

    @property
    def summary(self) -> str:
        if self.ready:
            return "Sales-ready"
        return "Not yet: " + ", ".join(g.explanation for g in self.gaps)
