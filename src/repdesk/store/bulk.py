"""The bulk write path: Core-built upserts run through executemany, no per-row FTS work."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, DateTime, Table, func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from repdesk.domain.changes import Changes
from repdesk.domain.leads import Lead, NurtureEvent
from repdesk.store import fts
from repdesk.store.convert import (
    EVENT_COLUMNS,
    LEAD_COLUMNS,
    datetime_text,
    event_db_rows,
    event_row,
    lead_db_rows,
    lead_row,
)
from repdesk.store.derived import recompute_last_touch, recompute_readiness
from repdesk.store.models import EVENTS, LEADS, SYNC

BULK_THRESHOLD = 500
"""Pages bigger than this skip per-row FTS upkeep; finish_sync rebuilds the indexes."""


def upsert_rows(
    conn: Connection,
    table: Table,
    key: str,
    rows: list[dict[str, Any]],
    keep: tuple[str, ...] = (),
) -> None:
    """Core INSERT .. ON CONFLICT DO UPDATE, only if version >= the stored one; executemany.

    The statement is built and compiled by SQLAlchemy Core once, values go through each
    column type's own bind processor, and the driver's executemany runs it: per-row
    parameter compilation cost more than SQLite itself on million-row pages.
    """
    if not rows:
        return
    columns = list(rows[0])
    if "lead_id" in columns and len(rows) > BULK_THRESHOLD:
        # Grouped by lead, the inserts walk the (lead_id, ...) indexes in order instead of
        # hopping across them: about a third faster on million-row loads.
        rows = sorted(rows, key=itemgetter("lead_id"))
    plan = _plan(conn, table, key, tuple(columns), keep)
    order, defaults, processors, sql = plan.order, plan.defaults, plan.processors, plan.sql
    values_of = itemgetter(*order)
    for start in range(0, len(rows), 20_000):
        chunk = rows[start : start + 20_000]
        source = [{**defaults, **row} for row in chunk] if defaults else chunk
        params: list[tuple[Any, ...]] = list(map(values_of, source))
        if processors:
            # Column by column (few columns need converting), transposed at C speed.
            by_column: list[tuple[Any, ...]] = list(zip(*params, strict=True))
            for i, proc in processors:
                by_column[i] = tuple(map(proc, by_column[i]))
            params = list(zip(*by_column, strict=True))
        conn.exec_driver_sql(sql, params)


def upsert_tuples(
    conn: Connection,
    table: Table,
    key: str,
    columns: tuple[str, ...],
    rows: Sequence[tuple[Any, ...]],
    *,
    group_by: int | None = None,
) -> int:
    """As `upsert_rows`, for rows that are tuples of `columns` whose values are already
    what the database takes (no bind processing, no dict per row; columns left out get
    their default on insert and keep their value on update); `group_by`: the
    position of the lead id, to write them grouped by lead (see `upsert_rows`). Returns
    the rows inserted or updated."""
    if not rows:
        return 0
    if group_by is not None and len(rows) > BULK_THRESHOLD:
        rows = sorted(rows, key=itemgetter(group_by))
    plan = _plan(conn, table, key, columns, ())
    if plan.defaults:
        # Columns the rows leave out (the derived ones): their default, on insert only.
        tail = tuple(plan.defaults.values())
        columns = (*columns, *plan.defaults)
        rows = [row + tail for row in rows]
    pick = [columns.index(name) for name in plan.order]
    params = rows if pick == list(range(len(columns))) else list(map(itemgetter(*pick), rows))
    written = 0
    for start in range(0, len(params), 20_000):
        written += conn.exec_driver_sql(plan.sql, list(params[start : start + 20_000])).rowcount
    return written


@dataclass(frozen=True, slots=True)
class _Plan:
    order: list[str]
    defaults: dict[str, Any]
    processors: list[tuple[int, Callable[[Any], Any]]]
    sql: str


_PLANS: dict[tuple[Any, ...], _Plan] = {}


def _plan(
    conn: Connection, table: Table, key: str, columns: tuple[str, ...], keep: tuple[str, ...]
) -> _Plan:
    """The compiled upsert for these columns, built once: compiling cost ~1.5 ms a call."""
    cache_key = (table.name, key, columns, keep, conn.dialect.name)
    plan = _PLANS.get(cache_key)
    if plan is not None:
        return plan
    stmt = sqlite_insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c[key]],
        set_={c: stmt.excluded[c] for c in columns if c != key and c not in keep},
        where=table.c.version <= stmt.excluded.version,
    )
    compiled = stmt.compile(dialect=conn.dialect, column_keys=list(columns))
    order = list(compiled.positiontup or ())
    # Columns the rows leave out (the derived ones) are bound to their Python-side default.
    defaults = {name: _default(table, name) for name in order if name not in columns}
    processors = [
        (i, proc)
        for i, name in enumerate(order)
        if (proc := bind_processor(table, name, conn)) is not None
    ]
    plan = _Plan(order, defaults, processors, str(compiled))
    _PLANS[cache_key] = plan
    return plan


def _datetime_text(value: datetime | None) -> str | None:
    """SQLAlchemy's SQLite DATETIME text ("2026-01-05 09:00:00.000000"), several times faster
    (`convert.datetime_text`)."""
    return None if value is None else datetime_text(value)


def bind_processor(table: Table, name: str, conn: Connection) -> Callable[[Any], Any] | None:
    """The column type's own bind processor for this dialect (a fast twin for DATETIME)."""
    column_type = table.c[name].type
    if isinstance(column_type, DateTime) and not column_type.timezone:
        return _datetime_text
    return column_type.dialect_impl(conn.dialect).bind_processor(conn.dialect)


def _default(table: Table, name: str) -> Any:
    default = table.c[name].default
    if default is None:
        return None
    arg: Any = getattr(default, "arg", None)
    if default.is_scalar:
        return arg
    # SQLAlchemy wraps a plain callable default (list, dict) to take an execution context.
    return arg(None) if default.is_callable else None


BULK_TABLES = (LEADS, EVENTS)
"""The tables a first sync fills by the hundred thousand: their secondary indexes are built
once after the load, not kept in step row by row."""


def begin_bulk(conn: Connection) -> None:
    """Before the first bulk page into an empty cache (a first sync, a full resync): drop
    the secondary indexes of leads and events (SQLite builds an index from sorted rows
    several times faster than it updates it per insert). The caller marks the cache stale
    (`fts_stale`) in the same transaction, so whatever stops the sync, `finish_bulk` runs
    at its end or at the next open. Primary and unique keys stay: the upserts need them."""
    conn.info.pop(FTS_KEPT, None)
    if not empty(conn):
        return  # rows are there already: keep their indexes
    for table in BULK_TABLES:
        for index in table.indexes:
            index.drop(conn, checkfirst=True)
    conn.info[EMPTY_LOAD] = True
    if conn.execute(select(LEADS.c.pk).limit(1)).first() is None:
        # No lead either: the full-text indexes of leads and events are filled page by
        # page (`keep_fts`), emptied first of whatever a resync's deletes left in them.
        for _table, kept in _KEPT:
            conn.exec_driver_sql(f"INSERT INTO {kept.name}({kept.name}) VALUES('delete-all')")
        conn.info[FTS_KEPT] = {LEADS.name: 0, EVENTS.name: 0}


FTS_KEPT = "repdesk.fts_kept"
"""In the connection's `info` while a load into an empty cache keeps the full-text indexes
of leads and events in step (`keep_fts`): per table, the pk up to which every row is
indexed. Only in memory: a load that stops (a crash, a restart) rebuilds them at the
next open, as before; the store puts back the value a failed transaction began with."""

_KEPT = ((LEADS, fts.LEADS_FTS), (EVENTS, fts.EVENTS_FTS))


def max_pk(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.coalesce(func.max(table.c.pk), 0))).scalar_one())


def keep_fts(conn: Connection, in_step: bool) -> None:
    """After a bulk page of a load into an empty cache: index its new leads and events
    (rows past what is indexed; an upsert that appends its rows only). `in_step` False (a
    row updated or removed, which the index would still hold as it was): stop, and let
    `finish_bulk` rebuild. Indexed here, during the download, where the client has time
    to spare, instead of by finish_sync's rebuild, which nothing overlaps (L: ~1.3 s)."""
    kept: dict[str, int] | None = conn.info.get(FTS_KEPT)
    if kept is None:
        return
    if not in_step:
        del conn.info[FTS_KEPT]
        return
    now = dict(kept)
    for table, index in _KEPT:
        cols = ", ".join(index.columns)
        conn.exec_driver_sql(
            f"INSERT INTO {index.name}(rowid, {cols}) "
            f"SELECT pk, {cols} FROM {index.table} WHERE pk > ?",
            (kept[table.name],),
        )
        now[table.name] = max_pk(conn, table)
    conn.info[FTS_KEPT] = now


EMPTY_LOAD = "repdesk.empty_load"
"""Set in the connection's `info` by `begin_bulk` when a load into an empty cache begins:
once that transaction commits, the store writes the rest of the load with a rollback
journal (`Store.apply_pull_page`)."""


def empty(conn: Connection) -> bool:
    """No nurture events yet: a cache a load fills from nothing."""
    return conn.execute(select(EVENTS.c.pk).limit(1)).first() is None


def finish_bulk(conn: Connection) -> None:
    """After bulk pages (or at the open after a sync that stopped): the indexes the bulk
    pages dropped, every lead's derived columns, the full-text indexes, once.

    The events' indexes first (the last touch of every lead is read through the
    (lead, time) one), then the derived columns, then the leads' indexes: three of those
    lead with a derived column, and built after it they are sorted once instead of kept
    in step by 100,000 updates (L: readiness + last touch 1.86 -> 1.34 s of CPU)."""
    _create_indexes(conn, EVENTS)
    recompute_readiness(conn)
    recompute_last_touch(conn)
    _create_indexes(conn, LEADS)
    kept: dict[str, int] | None = conn.info.pop(FTS_KEPT, None)
    if kept is not None and all(kept[t.name] == max_pk(conn, t) for t, _index in _KEPT):
        fts.rebuild(conn, (fts.NOTES_FTS,))  # leads and events indexed page by page
    else:
        fts.rebuild(conn)
    conn.execute(update(SYNC).values(fts_stale=False))


def _create_indexes(conn: Connection, table: Table) -> None:
    for index in table.indexes:
        index.create(conn, checkfirst=True)


def bulk_load(
    conn: Connection, leads: Sequence[Lead], events: Sequence[NurtureEvent], chunk: int
) -> Changes:
    """The bulk path: rows into executemany upserts (into an empty cache without the
    secondary indexes, `begin_bulk`), no FTS upkeep, then one index rebuild."""
    begin_bulk(conn)
    for start in range(0, len(leads), chunk):
        rows = lead_db_rows([lead_row(x, x.version) for x in leads[start : start + chunk]])
        upsert_tuples(conn, LEADS, "id", LEAD_COLUMNS, rows)
    for start in range(0, len(events), chunk):
        part = events[start : start + chunk]
        rows = event_db_rows([event_row(x, x.version) for x in part])
        upsert_tuples(conn, EVENTS, "id", EVENT_COLUMNS, rows, group_by=2)
    finish_bulk(conn)
    return Changes(leads=True, timeline=True)
