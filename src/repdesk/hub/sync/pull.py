"""Pull: a rep's page of changes after a change seq, joined to the entities' CURRENT data.

The change log holds at most one row per (entity, id, audience); a page is the rows after
the cursor's position whose audience is the rep or everyone, in (xid, seq) order, and on
PostgreSQL only rows whose xid lies below the safe horizon (`rows_after`; the reasoning is
in `repdesk.hub.sync.changes`). Upserts carry the row as
it is now (and its current version); a row that is gone, or a lead-scoped row whose lead
is no longer the rep's, goes out as `remove`, so nothing leaks across reps.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

import orjson
from pydantic import ValidationError
from sqlalchemy import func, literal, select, tuple_
from sqlalchemy.orm import Session

from repdesk.hub.db import models as m
from repdesk.hub.db.engine import writers_horizon
from repdesk.hub.sync import page_rows
from repdesk.hub.sync import serialize as ser
from repdesk.hub.sync.changes import ALL
from repdesk.hub.sync.cursor import Position
from repdesk.protocol.schema import Entity

log = logging.getLogger(__name__)


class PulledChange(TypedDict):
    """One change of a page, as `Change` goes on the wire (same keys, same order): a plain
    dict the page serialiser writes directly (see `page_json`), thousands per page, so no
    pydantic model per change, and built as a dict literal (a slotted dataclass's
    `__init__` per change cost 3 ms a 5,000-change page)."""

    entity: str
    id: str
    op: str
    version: int
    data: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class PullPage:
    changes: list[PulledChange]
    last: Position
    """The position of the page's last row (the cursor's, for an empty page)."""
    has_more: bool

    @property
    def last_seq(self) -> int:
        return self.last.seq


def max_seq(session: Session) -> int:
    return int(session.scalar(select(func.max(m.ChangeLog.seq))) or 0)


def rows_after(session: Session, rep_id: str, after: Position, limit: int) -> Any:
    """The WHERE/ORDER of a page: the rep's and everyone's rows after `after`, in (xid,
    seq) order, `limit` rows at most; on PostgreSQL only rows below the writers' horizon,
    looked up here in its own statement BEFORE the rows are read (`writers_horizon` says
    why that order). Returns a select of (seq, entity, entity_id, op, version, xid)."""
    log_table = m.ChangeLog
    query = select(
        log_table.seq,
        log_table.entity,
        log_table.entity_id,
        log_table.op,
        log_table.version,
        log_table.xid,
    ).where(log_table.audience.in_((rep_id, ALL)))
    if session.get_bind().dialect.name != "postgresql":
        # SQLite has one writer, so seq alone orders commits and every xid is 0: the
        # plain comparison lets it seek (audience, xid, seq) to the cursor, where the
        # row-value one scanned the rep's whole log and sorted it (a no-change pull at
        # 10k leads: 16 ms instead of ~100).
        query = query.where(log_table.xid == 0, log_table.seq > after.seq)
        return query.order_by(log_table.seq).limit(limit)
    query = query.where(
        tuple_(log_table.xid, log_table.seq) > tuple_(literal(after.xid), literal(after.seq)),
        log_table.xid < writers_horizon(session),
    )
    return query.order_by(log_table.xid, log_table.seq).limit(limit)


_UNSERVABLE: dict[str, Any] = page_rows.UNSERVABLE
"""Marks a row whose stored data no longer fits the wire model: it is left out of the
page (clients keep what they had) and logged for the operator, instead of failing every
pull of every rep."""


def _data(
    entity: str, entity_id: str, to_data: Callable[[Any], dict[str, Any]], row: Any
) -> dict[str, Any]:
    try:
        return to_data(row)
    except ValidationError as exc:
        log.error(
            "cannot serve %s %s to reps, its stored data is invalid: %s", entity, entity_id, exc
        )
        return _UNSERVABLE


def _load(
    session: Session, rep_id: str, entity: str, ids: Sequence[str]
) -> dict[str, tuple[int, dict[str, Any]]]:
    """id -> (version, data) for the rows of `entity` the rep may see now."""
    out: dict[str, tuple[int, dict[str, Any]]] = {}
    if entity == "lead":  # leads: Core tuples (see page_rows); events come with the page
        return page_rows.leads(session, rep_id, ids)
    if entity == "qualification":
        owned = page_rows.owned_leads(session, rep_id, ids)
        quals = session.scalars(select(m.Qualification).where(m.Qualification.lead_id.in_(owned)))
        fields: dict[str, list[m.QualificationField]] = defaultdict(list)
        for f in session.scalars(
            select(m.QualificationField).where(m.QualificationField.lead_id.in_(owned))
        ):
            fields[f.lead_id].append(f)
        for q in quals:
            data = _data(
                entity, q.lead_id, lambda q: ser.qualification_data(q.lead_id, fields[q.lead_id]), q
            )
            out[q.lead_id] = (q.version, data)
        return out
    if entity in page_rows.LEAD_ITEMS:  # Core tuples, as the leads (see page_rows)
        return page_rows.lead_items(session, rep_id, entity, ids)
    simple: dict[str, tuple[Any, Any, Callable[[Any], dict[str, Any]]]] = {
        "campaign": (m.Campaign, m.Campaign.id, ser.campaign_data),
        "collateral": (m.Collateral, m.Collateral.id, ser.collateral_data),
        "rubric": (m.RubricRow, m.RubricRow.id, ser.rubric_data),
        "objection_category": (m.ObjectionCategory, m.ObjectionCategory.code, ser.category_data),
    }
    if entity in simple:
        model, key, to_data = simple[entity]
        for row in session.scalars(select(model).where(key.in_(ids))):
            if getattr(row, "retired", False) or getattr(row, "active", True) is False:
                continue
            row_id = row.code if entity == "objection_category" else row.id
            out[row_id] = (row.version, _data(entity, row_id, to_data, row))
    return out


def pull_page(session: Session, rep_id: str, after: Position | int, limit: int) -> PullPage:
    """`after`: a position, or a bare seq (xid 0: SQLite, and tests)."""
    start = after if isinstance(after, Position) else Position(0, after)
    # Plain driver tuples, not ORM objects nor `Row`s: a page is thousands of rows read
    # once; the events (nearly all of a first sync) in the same query (`with_events`).
    query = page_rows.with_events(rows_after(session, rep_id, start, limit + 1).subquery())
    joined = page_rows.driver_rows(session, query)
    has_more = len(joined) > limit
    del joined[limit:]
    event = page_rows.EVENT
    wanted: dict[str, list[str]] = defaultdict(list)
    for row in [row for row in joined if row[1] != event]:
        if row[3] == "upsert":
            wanted[row[1]].append(row[2])
    current = {entity: _load(session, rep_id, entity, ids) for entity, ids in wanted.items()}
    # The page's leads just read are the rep's: their events need no second owner check.
    events = page_rows.joined_events(session, rep_id, joined, owned=current.get("lead", {}).keys())
    served = {e.value for e in Entity}
    changes: list[PulledChange] = []
    # Every value comes from the hub's own rows and the `data` dicts were already checked
    # (see `page_rows`, `serialize`), so no wire model per change.
    for row in joined:
        entity, entity_id, op = row[1], row[2], row[3]
        if entity == event and op == "upsert":
            change = events.get(entity_id)
            if change is not None:
                if change is not _UNSERVABLE:
                    changes.append(change)  # type: ignore[arg-type]
                continue
        elif entity not in served:
            continue  # an entity this hub version no longer serves
        found = current.get(entity, {}).get(entity_id) if op == "upsert" else None
        if found is None:
            # Logged as a remove, or gone / retired / not the rep's any more: a remove.
            changes.append(
                {"entity": entity, "id": entity_id, "op": "remove", "version": row[4], "data": None}
            )
        else:
            version, data = found
            if data is _UNSERVABLE:
                continue
            changes.append(
                {
                    "entity": entity,
                    "id": entity_id,
                    "op": "upsert",
                    "version": version,
                    "data": data,
                }
            )
    last = Position(joined[-1][5], joined[-1][0]) if joined else start
    return PullPage(changes=changes, last=last, has_more=has_more)


def page_json(page: PullPage, cursor: str) -> bytes:
    """The body of `GET /v1/sync/pull` (`PullResponse`), byte for byte what pydantic's
    `model_dump_json` wrote, in one orjson call (datetimes as `...Z`, like pydantic)."""
    body = {"changes": page.changes, "cursor": cursor, "has_more": page.has_more}
    return orjson.dumps(body, option=orjson.OPT_UTC_Z)


__all__ = ["PullPage", "PulledChange", "max_seq", "page_json", "pull_page", "rows_after"]
