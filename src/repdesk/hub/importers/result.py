"""What an import returns: the good records, one error per bad row, and the format found."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from repdesk.domain.errors import ValidationError

T = TypeVar("T")


class ImportFileError(ValidationError):
    """The whole file cannot be imported (not text, empty, or an unknown header)."""


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
    encoding_how: str = "UTF-8"
    """How the encoding was chosen: "BOM", "UTF-8", "cp1252", "guessed" or "forced"."""
    sample: tuple[str, ...] = ()
    """A few decoded names, accented ones first: where mojibake would show."""

    @property
    def ok(self) -> bool:
        return not self.errors


class Sample:
    """Up to `size` decoded texts for people to eyeball, those with non-ASCII letters first
    (plain ASCII reads the same in every encoding, so it proves nothing)."""

    def __init__(self, size: int = 5) -> None:
        self.size = size
        self._accented: list[str] = []
        self._plain: list[str] = []

    def add(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        bucket = self._plain if text.isascii() else self._accented
        if len(bucket) < self.size and text not in bucket:
            bucket.append(text)

    def values(self) -> tuple[str, ...]:
        return tuple((self._accented + self._plain)[: self.size])
