"""What each imported value must fit, read from the hub's SQLAlchemy models.

PostgreSQL refuses a 321-character email in a `String(320)` column or 3,000,000,000 in an
`Integer` one, and the whole import failed; SQLite stores both, so the same file behaved
differently per database, and a number beyond 64 bits failed even on SQLite. Every value
is now checked here, the same way for both, and a value that does not fit is one skipped
row naming the column and the limit. The limits come from the column types (`String(n)`,
`Integer` = 32-bit signed, `BigInteger` = 64-bit), so they cannot drift from the schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import BigInteger, Integer, SmallInteger, String, Table

from repdesk.hub.db.base import table_of
from repdesk.hub.db.models import Campaign, Lead, NurtureEvent
from repdesk.hub.importers.values import BadValue

_INT_BITS: tuple[tuple[type[Integer], int], ...] = (
    (BigInteger, 64),
    (SmallInteger, 16),
    (Integer, 32),
)


@dataclass(frozen=True, slots=True)
class Limit:
    """A column's bounds: `length` in characters for text, `minimum`/`maximum` for whole
    numbers; None where the column has none (Text)."""

    length: int | None = None
    minimum: int | None = None
    maximum: int | None = None

    def check_text(self, value: str, column: str) -> str:
        fits = self.length is None or len(value) <= self.length
        if fits and value.isascii() and "\x00" not in value:
            return value  # the common case, in a few C calls
        if "\x00" in value:
            raise BadValue(f"{column} contains a NUL character, which the hub cannot store")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise BadValue(
                f"{column} holds a broken character (an unpaired surrogate) that cannot be stored"
            ) from None
        if self.length is not None and len(value) > self.length:
            raise BadValue(
                f"{column} is {len(value)} characters long; the hub keeps at most {self.length}"
            )
        return value

    def check_number(self, value: int | None, column: str) -> int | None:
        if value is None or self.minimum is None or self.maximum is None:
            return value
        if not self.minimum <= value <= self.maximum:
            raise BadValue(
                f"{column} {value} is out of range (the hub keeps whole numbers from "
                f"{self.minimum} to {self.maximum})"
            )
        return value


def column_limits(table: Table) -> dict[str, Limit]:
    """{column name: Limit} for the text and integer columns of `table`."""
    out: dict[str, Limit] = {}
    for name, column in table.columns.items():
        kind = column.type
        if isinstance(kind, String):
            out[name] = Limit(length=kind.length)
        elif isinstance(kind, Integer):
            bits = next(b for t, b in _INT_BITS if isinstance(kind, t))
            out[name] = Limit(minimum=-(2 ** (bits - 1)), maximum=2 ** (bits - 1) - 1)
    return out


LEAD_LIMITS: Mapping[str, Limit] = column_limits(table_of(Lead))
EVENT_LIMITS: Mapping[str, Limit] = column_limits(table_of(NurtureEvent))
CAMPAIGN_LIMITS: Mapping[str, Limit] = column_limits(table_of(Campaign))


__all__ = ["CAMPAIGN_LIMITS", "EVENT_LIMITS", "LEAD_LIMITS", "Limit", "column_limits"]
