"""FTS5 search: safe prefix queries, keeping the external-content indexes in step, rebuilds."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select

from repdesk.store.models import EVENTS, LEADS, NOTES


@dataclass(frozen=True, slots=True)
class FtsIndex:
    name: str
    table: str
    columns: tuple[str, ...]


LEADS_FTS = FtsIndex(
    "leads_fts", LEADS.name, ("first_name", "last_name", "company", "title", "email")
)
EVENTS_FTS = FtsIndex("events_fts", EVENTS.name, ("asset", "detail"))
NOTES_FTS = FtsIndex("notes_fts", NOTES.name, ("body",))
ALL_INDEXES = (LEADS_FTS, EVENTS_FTS, NOTES_FTS)
_TABLES = {t.name: t for t in (LEADS, EVENTS, NOTES)}

# The rep's text is cut into words the way unicode61 would (runs of letters and digits), so
# punctuation can never reach the FTS5 parser; each word is still quoted, which makes the
# bare words AND / OR / NOT / NEAR plain text too.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_MAX_TERMS = 16


def query_words(user_text: str) -> list[str]:
    return list(_WORD.findall(user_text)[:_MAX_TERMS])


def match_expression(user_text: str) -> str | None:
    """Each word of the rep's text as a quoted prefix term, ANDed; None when nothing to match."""
    words = query_words(user_text)
    if not words:
        return None
    return " ".join(f'"{w}"*' for w in words)


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def excerpt(body: str, words: list[str], width: int = 12) -> str:
    """Plain-text window of about `width` words around the first word a query word starts."""
    tokens = body.split()
    if not tokens:
        return ""
    wanted = [_fold(w) for w in words]
    first = next(
        (
            i
            for i, token in enumerate(tokens)
            if any(part.startswith(w) for part in _WORD.findall(_fold(token)) for w in wanted)
        ),
        0,
    )
    start = max(0, first - width // 3)
    window = tokens[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(tokens) else ""
    return prefix + " ".join(window) + suffix


def _chunks(values: Sequence[int], size: int = 500) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def forget(conn: Connection, index: FtsIndex, pks: Sequence[int]) -> None:
    """Remove rows from the index using their CURRENT stored values (call before a change)."""
    cols = ", ".join(index.columns)
    for chunk in _chunks(pks):
        marks = ", ".join(str(int(pk)) for pk in chunk)
        conn.exec_driver_sql(
            f"INSERT INTO {index.name}({index.name}, rowid, {cols}) "
            f"SELECT 'delete', pk, {cols} FROM {index.table} WHERE pk IN ({marks})"
        )


def index_rows(conn: Connection, index: FtsIndex, pks: Sequence[int]) -> None:
    """Add rows to the index from their current values (call after a change)."""
    cols = ", ".join(index.columns)
    for chunk in _chunks(pks):
        marks = ", ".join(str(int(pk)) for pk in chunk)
        conn.exec_driver_sql(
            f"INSERT INTO {index.name}(rowid, {cols}) "
            f"SELECT pk, {cols} FROM {index.table} WHERE pk IN ({marks})"
        )


def pks_where(conn: Connection, index: FtsIndex, column: str, values: Sequence[str]) -> list[int]:
    """The pks of rows whose `column` (id or lead_id) is in `values`."""
    table = _TABLES[index.table]
    found: list[int] = []
    for start in range(0, len(values), 500):
        chunk = list(values[start : start + 500])
        rows = conn.execute(select(table.c.pk).where(table.c[column].in_(chunk)))
        found.extend(int(r[0]) for r in rows)
    return found


def rebuild(conn: Connection, indexes: Sequence[FtsIndex] = ALL_INDEXES) -> None:
    for index in indexes:
        conn.exec_driver_sql(f"INSERT INTO {index.name}({index.name}) VALUES('rebuild')")


def integrity_check(conn: Connection) -> None:
    """Raises if an index disagrees with its table (used by tests)."""
    for index in ALL_INDEXES:
        conn.exec_driver_sql(
            f"INSERT INTO {index.name}({index.name}, rank) VALUES('integrity-check', 1)"
        )
