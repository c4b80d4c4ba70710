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
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, literal, select, tuple_
from sqlalchemy.orm import Session

from repdesk.hub.db import models as m
from repdesk.hub.db.engine import writers_horizon
from repdesk.hub.sync import serialize as ser
from repdesk.hub.sync.changes import ALL
from repdesk.hub.sync.cursor import Position
from repdesk.protocol.schema import Change, Entity

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PullPage:
    changes: list[Change]
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
    ).where(
        log_table.audience.in_((rep_id, ALL)),
        tuple_(log_table.xid, log_table.seq) > tuple_(literal(after.xid), literal(after.seq)),
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.where(log_table.xid < writers_horizon(session))
    return query.order_by(log_table.xid, log_table.seq).limit(limit)


_LEAD_ITEM_MODELS: dict[str, Any] = {
    "nurture_event": (m.NurtureEvent, ser.event_data),
    "call_note": (m.CallNote, ser.call_note_data),
    "objection": (m.ObjectionRow, ser.objection_data),
    "disposition": (m.DispositionRow, ser.disposition_data),
    "collateral_use": (m.CollateralUseRow, ser.collateral_use_data),
    "followup": (m.FollowUpRow, ser.followup_data),
}


_UNSERVABLE: dict[str, Any] = {}
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
    if entity == "lead":
        for lead in session.scalars(select(m.Lead).where(m.Lead.id.in_(ids))):
            if lead.owner_rep_id == rep_id and not lead.deleted:
                out[lead.id] = (lead.version, _data(entity, lead.id, ser.lead_data, lead))
        return out
    if entity == "qualification":
        owned = _owned_leads(session, rep_id, ids)
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
    if entity in _LEAD_ITEM_MODELS:
        model, to_data = _LEAD_ITEM_MODELS[entity]
        rows = list(session.scalars(select(model).where(model.id.in_(ids))))
        owned = _owned_leads(session, rep_id, [r.lead_id for r in rows])
        for r in rows:
            if r.lead_id in owned:
                out[r.id] = (r.version, _data(entity, r.id, to_data, r))
        return out
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


def _owned_leads(session: Session, rep_id: str, lead_ids: Sequence[str]) -> set[str]:
    if not lead_ids:
        return set()
    return set(
        session.scalars(
            select(m.Lead.id).where(
                m.Lead.id.in_(set(lead_ids)),
                m.Lead.owner_rep_id == rep_id,
                m.Lead.deleted.is_(False),
            )
        )
    )


def pull_page(session: Session, rep_id: str, after: Position | int, limit: int) -> PullPage:
    """`after`: a position, or a bare seq (xid 0: SQLite, and tests)."""
    start = after if isinstance(after, Position) else Position(0, after)
    # Plain column tuples, not ORM objects: a page is thousands of rows read once.
    rows = session.execute(rows_after(session, rep_id, start, limit + 1)).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    wanted: dict[str, list[str]] = defaultdict(list)
    for _seq, entity_name, entity_id, op, _version, _xid in rows:
        if op == "upsert":
            wanted[entity_name].append(entity_id)
    current = {entity: _load(session, rep_id, entity, ids) for entity, ids in wanted.items()}
    entities = {e.value: e for e in Entity}
    changes: list[Change] = []
    # model_construct: every value comes from the hub's own rows and the `data` dicts were
    # already checked against their wire models by `serialize`; validating each Change
    # again cost about a third of a page.
    for _seq, entity_name, entity_id, op, logged_version, _xid in rows:
        entity = entities.get(entity_name)
        if entity is None:
            continue  # an entity this hub version no longer serves
        found = current.get(entity_name, {}).get(entity_id) if op == "upsert" else None
        if found is None:
            # Logged as a remove, or gone / retired / not the rep's any more: a remove.
            changes.append(
                Change.model_construct(
                    entity=entity, id=entity_id, op="remove", version=logged_version, data=None
                )
            )
        else:
            version, data = found
            if data is _UNSERVABLE:
                continue
            changes.append(
                Change.model_construct(
                    entity=entity, id=entity_id, op="upsert", version=version, data=data
                )
            )
    last = Position(rows[-1].xid, rows[-1].seq) if rows else start
    return PullPage(changes=changes, last=last, has_more=has_more)


__all__ = ["PullPage", "max_seq", "pull_page", "rows_after"]
