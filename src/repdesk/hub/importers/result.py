"""What an import returns: the good records, one error per bad row, and the format found."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from repdesk.domain.errors import ValidationError
from repdesk.hub.importers.hashes import HashTable

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

    @property
    def full(self) -> bool:
        """Both kinds are in: nothing more will be kept (callers can stop offering)."""
        return len(self._accented) >= self.size and len(self._plain) >= self.size

    def add(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        bucket = self._plain if text.isascii() else self._accented
        if len(bucket) < self.size and text not in bucket:
            bucket.append(text)

    def values(self) -> tuple[str, ...]:
        return tuple((self._accented + self._plain)[: self.size])


class FirstSeen:
    """Where each identity (a lead's id/email, an event's key) first occurred in a file,
    with a digest of that row: 16 bytes per entry in a compact `HashTable`, so a
    million-row file costs about 32 MB here instead of holding every record."""

    def __init__(self) -> None:
        self._first = HashTable()

    def check(self, identity: object, digest: int, line: int) -> tuple[int, bool] | None:
        """None the first time `identity` is seen (remembered at `line`); afterwards
        (first line, whether that row had the same digest)."""
        packed = self._first.setdefault(hash(identity), (line << 32) | (digest & 0xFFFFFFFF))
        if packed is None:
            return None
        return packed >> 32, (packed & 0xFFFFFFFF) == (digest & 0xFFFFFFFF)


class BoundedErrors:
    """Row errors of an import: the first `keep` in line order, and a count of all."""

    def __init__(self, keep: int = 1000) -> None:
        self.keep = keep
        self.kept: list[RowError] = []
        self.count = 0

    def add(self, error: RowError) -> None:
        self.count += 1
        if len(self.kept) < self.keep:
            self.kept.append(error)


def split_rows(items: Iterable[T | RowError]) -> tuple[list[T], list[RowError]]:
    """A whole streamed file in memory: its records and its row errors, apart."""
    records: list[T] = []
    errors: list[RowError] = []
    for item in items:
        if isinstance(item, RowError):
            errors.append(item)
        else:
            records.append(item)
    return records, errors
