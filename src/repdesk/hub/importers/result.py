"""What an import returns: the good records, one error per bad row, and the format found."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    """The PHYSICAL line in the file where the bad record starts (1 = first line)."""
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ImportResult(Generic[T]):
    records: list[T]
    errors: list[RowError]
    format: str
    """"salesforce", "hubspot", "repdesk-csv" or "repdesk-jsonl" (events: "csv"/"jsonl")."""
    encoding: str = "utf-8"
    extra_columns: tuple[str, ...] = field(default_factory=tuple)
    """Header columns that were not used (an export carries many; shown for reassurance)."""

    @property
    def ok(self) -> bool:
        return not self.errors
