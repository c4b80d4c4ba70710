"""FTS5 search: safe prefix queries, keeping the external-content indexes in step, rebuilds."""

from __future__ import annotations

import re
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

# unicode61 splits on anything that is not a letter, digit or mark; a word with none of
# those would make an empty phrase, so it is dropped.
_WORD_CHAR = re.compile(r"\w", re.UNICODE)
_MAX_TERMS = 16


def match_expression(user_text: str) -> str | None:
    """Each word of the rep's text as a quoted prefix term, ANDed; None when nothing to match.

    Quoting every word makes FTS5 syntax (quotes, `*`, `-`, `^`, `:`, NEAR, AND/OR/NOT,
    parentheses) plain text; an embedded `"` is doubled per the FTS5 string rules.
    """
    terms = []
    for word in user_text.replace("\x00", " ").split():
        if not _WORD_CHAR.search(word):
            continue
        terms.append('"' + word.replace('"', '""') + '"*')
        if len(terms) == _MAX_TERMS:
            break
    return " ".join(terms) if terms else None


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


def rebuild(conn: Connection) -> None:
    for index in ALL_INDEXES:
        conn.exec_driver_sql(f"INSERT INTO {index.name}({index.name}) VALUES('rebuild')")


def integrity_check(conn: Connection) -> None:
    """Raises if an index disagrees with its table (used by tests)."""
    for index in ALL_INDEXES:
        conn.exec_driver_sql(
            f"INSERT INTO {index.name}({index.name}, rank) VALUES('integrity-check', 1)"
        )
