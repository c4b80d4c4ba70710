"""Leads, nurture events and the rep's own lead items (call notes, objections,
dispositions, collateral uses, follow-ups) for a pull page straight from column tuples
(leads and events: the driver's own, `driver_rows`).

They are nearly every row of a first sync (10k leads bring 300k events), so they skip the
ORM objects and the pydantic model per row that `serialize` uses for the other entities,
and events come in the page's own query (`with_events`: the change-log rows joined to
their events, no second lookup by a list of thousands of ids, no ORM result; their types
checked and their times made UTC a column at a time, each event's change one dict literal):
a row whose values have the column types the wire model wants becomes its `data` dict as
is (datetimes stay `datetime`; the page serialiser writes them as pydantic would), and
only a row that does not (a value some writer stored outside the hub's models) goes
through the wire model, which either fixes it up as before or marks it unservable.
A test holds the page bytes equal to the ORM + pydantic way on a seeded hub.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import ColumnElement, Select, String, Subquery, and_, select, type_coerce
from sqlalchemy.orm import Session

from repdesk.hub.db import models as m
from repdesk.protocol.schema import (
    CallNoteData,
    CollateralUseData,
    DispositionData,
    FollowUpData,
    LeadData,
    NurtureEventData,
    ObjectionData,
)

log = logging.getLogger(__name__)

UNSERVABLE: dict[str, Any] = {}
"""Marks a row whose stored data no longer fits the wire model (see `pull`)."""

_NONE = type(None)
_TEXT = (str,)
_INT = (int,)
_OPT_INT = (int, _NONE)
_OPT_TEXT = (str, _NONE)
_OPT_TIME = (datetime, _NONE)

LEADS = m.Lead.__table__.c
EVENTS = m.NurtureEvent.__table__.c

# wire field -> (column, accepted types), in the wire model's field order (the JSON's).
_LEAD_FIELDS: tuple[tuple[str, ColumnElement[Any], tuple[type, ...]], ...] = (
    ("first_name", LEADS.first_name, _TEXT),
    ("last_name", LEADS.last_name, _TEXT),
    ("company", LEADS.company, _TEXT),
    ("email", LEADS.email, _TEXT),
    ("title", LEADS.title, _TEXT),
    ("industry", LEADS.industry, _TEXT),
    ("company_size", LEADS.company_size, _OPT_INT),
    ("phone", LEADS.phone, _TEXT),
    ("country", LEADS.country, _TEXT),
    ("lifecycle_stage", LEADS.lifecycle_stage, _TEXT),
    ("lead_status", LEADS.lead_status, _TEXT),
    ("score", LEADS.score, _INT),
    ("source_campaign_id", LEADS.source_campaign_id, _OPT_TEXT),
    ("owner_rep_id", LEADS.owner_rep_id, _OPT_TEXT),
    ("marketing_notes", LEADS.marketing_notes, _TEXT),
    ("external_id", LEADS.external_id, _OPT_TEXT),  # None goes out as "" (below)
    ("created_at", LEADS.created_at, _OPT_TIME),
    ("updated_at", LEADS.updated_at, _OPT_TIME),
    ("assigned_at", LEADS.assigned_at, _OPT_TIME),
)
_EVENT_FIELDS: tuple[tuple[str, ColumnElement[Any], tuple[type, ...]], ...] = (
    ("lead_id", EVENTS.lead_id, _TEXT),
    ("type", EVENTS.type, _TEXT),
    ("occurred_at", EVENTS.occurred_at, (datetime,)),
    ("campaign_id", EVENTS.campaign_id, _OPT_TEXT),
    ("asset", EVENTS.asset, _TEXT),
    ("detail", EVENTS.detail, _TEXT),
    ("score_delta", EVENTS.score_delta, _OPT_INT),
)
_LEAD_NAMES = [name for name, _c, _t in _LEAD_FIELDS]
_LEAD_TYPES = [t for _n, _c, t in _LEAD_FIELDS]
_EXTERNAL_ID = _LEAD_NAMES.index("external_id")
_LEAD_TIMES = [i for i, t in enumerate(_LEAD_TYPES) if datetime in t]

_BOOL = (bool,)
_TIME = (datetime,)
_NOTES = m.CallNote.__table__.c
_OBJECTIONS = m.ObjectionRow.__table__.c
_DISPOSITIONS = m.DispositionRow.__table__.c
_USES = m.CollateralUseRow.__table__.c
_FOLLOWUPS = m.FollowUpRow.__table__.c
_Fields = tuple[tuple[str, ColumnElement[Any], tuple[type, ...]], ...]

# entity -> (its table's columns, wire model, fields as above in the model's order). The
# types are matched exactly (`_fits`), so a bool counts only where one is due.
LEAD_ITEMS: dict[str, tuple[Any, type[BaseModel], _Fields]] = {
    "call_note": (_NOTES, CallNoteData, (
        ("lead_id", _NOTES.lead_id, _TEXT),
        ("body", _NOTES.body, _TEXT),
        ("created_at", _NOTES.created_at, _TIME),
        ("author_rep_id", _NOTES.rep_id, _TEXT),
        ("call_started_at", _NOTES.call_started_at, _OPT_TIME),
        ("duration_seconds", _NOTES.duration_seconds, _OPT_INT),
        ("outcome", _NOTES.outcome, _TEXT),
    )),
    "objection": (_OBJECTIONS, ObjectionData, (
        ("lead_id", _OBJECTIONS.lead_id, _TEXT),
        ("category_code", _OBJECTIONS.category_code, _TEXT),
        ("created_at", _OBJECTIONS.created_at, _TIME),
        ("verbatim", _OBJECTIONS.verbatim, _TEXT),
        ("severity", _OBJECTIONS.severity, _INT),
        ("campaign_id", _OBJECTIONS.campaign_id, _OPT_TEXT),
        ("collateral_id", _OBJECTIONS.collateral_id, _OPT_TEXT),
        ("competitor", _OBJECTIONS.competitor, _TEXT),
        ("resolved", _OBJECTIONS.resolved, _BOOL),
    )),
    "disposition": (_DISPOSITIONS, DispositionData, (
        ("lead_id", _DISPOSITIONS.lead_id, _TEXT),
        ("kind", _DISPOSITIONS.kind, _TEXT),
        ("decided_at", _DISPOSITIONS.decided_at, _TIME),
        ("reason", _DISPOSITIONS.reason, _TEXT),
    )),
    "collateral_use": (_USES, CollateralUseData, (
        ("lead_id", _USES.lead_id, _TEXT),
        ("collateral_id", _USES.collateral_id, _TEXT),
        ("kind", _USES.kind, _TEXT),
        ("used_at", _USES.used_at, _TIME),
    )),
    "followup": (_FOLLOWUPS, FollowUpData, (
        ("lead_id", _FOLLOWUPS.lead_id, _TEXT),
        ("due_at", _FOLLOWUPS.due_at, _TIME),
        ("reason", _FOLLOWUPS.reason, _TEXT),
        ("state", _FOLLOWUPS.state, _TEXT),
        ("created_at", _FOLLOWUPS.created_at, _OPT_TIME),
        ("updated_at", _FOLLOWUPS.updated_at, _OPT_TIME),
    )),
}  # fmt: skip


def _fits(values: Sequence[Any], types: Sequence[tuple[type, ...]]) -> bool:
    # Exact types, as the column check `_column_fits`: a bool is an int to isinstance but
    # not to the wire (pydantic would say 1/0 the same way), so it counts only where due.
    return all(type(value) in accepted for value, accepted in zip(values, types, strict=True))


def _strict(
    entity: str, entity_id: str, model: type[BaseModel], data: dict[str, Any]
) -> dict[str, Any]:
    """The wire model's verdict on a row the fast path does not vouch for."""
    try:
        return model.model_validate(data).model_dump(mode="json")
    except ValidationError as exc:
        log.error(
            "cannot serve %s %s to reps, its stored data is invalid: %s", entity, entity_id, exc
        )
        return UNSERVABLE


def owned_leads(session: Session, rep_id: str, lead_ids: Collection[str]) -> set[str]:
    """Those of `lead_ids` the rep owns now (and not deleted).

    Looked up by id alone, the owner checked here: given `id IN (...) AND owner_rep_id =
    ?`, SQLite (no statistics) chose the owner index and walked every lead of the rep,
    twice a page (at 100k leads, 90 of the hub's 170 ms a page)."""
    if not lead_ids:
        return set()
    query = select(LEADS.id, LEADS.owner_rep_id, LEADS.deleted).where(LEADS.id.in_(set(lead_ids)))
    return {
        lead_id
        for lead_id, owner, deleted in session.execute(query)
        if owner == rep_id and not deleted
    }


def leads(
    session: Session, rep_id: str, ids: Sequence[str]
) -> dict[str, tuple[int, dict[str, Any]]]:
    """id -> (version, data) for the leads among `ids` the rep owns now (not deleted):
    driver tuples, times read as the driver gives them and made UTC (`_utc_column`), types
    checked a column at a time as the events' (`joined_events`)."""
    columns = [type_coerce(c, String) if datetime in t else c for _n, c, t in _LEAD_FIELDS]
    query = select(LEADS.id, LEADS.owner_rep_id, LEADS.deleted, LEADS.version, *columns).where(
        LEADS.id.in_(ids)  # by id alone, the owner checked here (see `owned_leads`)
    )
    rows = [row for row in driver_rows(session, query) if row[1] == rep_id and not row[2]]
    if not rows:
        return {}
    transposed: list[Sequence[Any]] = list(zip(*rows, strict=True))
    lead_ids, versions, fields = transposed[0], transposed[3], transposed[4:]
    fields[_EXTERNAL_ID] = ["" if value is None else value for value in fields[_EXTERNAL_ID]]
    for i in _LEAD_TIMES:
        fields[i] = _utc_column(fields[i])
    fits = _column_fits(versions, _INT) and all(
        _column_fits(column, t) for column, (_n, _c, t) in zip(fields, _LEAD_FIELDS, strict=True)
    )
    out: dict[str, tuple[int, dict[str, Any]]] = {}
    for lead_id, version, *values in zip(lead_ids, versions, *fields, strict=True):
        data = dict(zip(_LEAD_NAMES, values, strict=True))
        if not fits and (not _fits(values, _LEAD_TYPES) or type(version) is not int):
            data = _strict("lead", lead_id, LeadData, data)
        out[lead_id] = (version, data)
    return out


def lead_items(
    session: Session, rep_id: str, entity: str, ids: Sequence[str]
) -> dict[str, tuple[int, dict[str, Any]]]:
    """id -> (version, data) for the rows of a lead-scoped `entity` (a key of
    LEAD_ITEMS) among `ids` whose lead the rep owns now: one query for the rows, one for
    their few leads' owners; a row whose values are not exactly the wire model's types
    goes through the model, as every row did when they were ORM objects."""
    table, model, fields = LEAD_ITEMS[entity]
    names = [name for name, _c, _t in fields]
    types = [t for _n, _c, t in fields]
    # Times read as the driver gives them and made UTC datetimes by `_utc` (as the events'
    # `occurred_at`): text some other writer stored there is then the wire model's to
    # refuse, where the column type's own reading failed the whole pull.
    times = [i for i, (_n, _c, t) in enumerate(fields) if datetime in t]
    columns = [type_coerce(c, String) if datetime in t else c for _n, c, t in fields]
    rows = session.execute(select(table.id, table.version, *columns).where(table.id.in_(ids)))
    found = rows.all()
    owned = owned_leads(session, rep_id, {row[2] for row in found})  # lead_id comes first
    out: dict[str, tuple[int, dict[str, Any]]] = {}
    for item_id, version, *values in found:
        if values[0] not in owned:
            continue
        for i in times:
            values[i] = _utc(values[i])
        data = dict(zip(names, values, strict=True))
        if not _fits(values, types) or type(version) is not int:
            data = _strict(entity, item_id, model, data)
        out[item_id] = (version, data)
    return out


LOG_COLUMNS = 6
"""`with_events` rows start with the change log's (seq, entity, entity_id, op, version, xid)."""
_OCCURRED_AT = [name for name, _c, _t in _EVENT_FIELDS].index("occurred_at")


def with_events(log_rows: Subquery) -> Select[Any]:
    """A page's change-log rows (`pull.rows_after` as a subquery), in order, each followed
    by its event's version and wire fields when it is an event upsert (NULLs otherwise).

    `occurred_at` is read as the driver gives it (SQLite: its text), not through the
    column type's per-value processing; `joined_events` makes it a UTC datetime."""
    table = m.NurtureEvent.__table__
    joined = log_rows.outerjoin(
        table,
        and_(
            log_rows.c.entity == "nurture_event",
            log_rows.c.op == "upsert",
            EVENTS.id == log_rows.c.entity_id,
        ),
    )
    fields = [
        type_coerce(column, String) if name == "occurred_at" else column
        for name, column, _t in _EVENT_FIELDS
    ]
    return (
        select(*log_rows.c, EVENTS.version, *fields)
        .select_from(joined)
        .order_by(log_rows.c.xid, log_rows.c.seq)
    )


def _utc(value: Any) -> Any:
    """A stored time as a UTC datetime (SQLite's text is naive UTC); anything else as is,
    for the wire model to judge."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value + "+00:00")  # 5x faster than .replace()
        except ValueError:
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                return value
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def _column_fits(values: Sequence[Any], types: tuple[type, ...]) -> bool:
    return set(map(type, values)) <= set(types)


def driver_rows(session: Session, query: Select[Any]) -> list[Any]:
    """The rows of `query` as the driver's own tuples, without a SQLAlchemy `Row` each
    (7 of the ~60 ms a 5,000-change page took). Only for queries whose columns have no
    result processing (plain text and integers, times `type_coerce`d to text): the
    values are then what the `Row`s held."""
    result = session.connection().execute(query)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def _utc_column(values: Sequence[Any]) -> list[Any]:
    """`_utc` over a column: SQLite's naive UTC text (or NULL) parsed in one comprehension
    (3x faster than a call per value); anything else (PostgreSQL's datetimes, text with an
    offset or not a time) value by value through `_utc`."""
    try:
        return [
            None if value is None else datetime.fromisoformat(value + "+00:00") for value in values
        ]
    except (TypeError, ValueError):
        return list(map(_utc, values))


EVENT = "nurture_event"


def joined_events(
    session: Session, rep_id: str, rows: Sequence[Sequence[Any]], owned: Collection[str] = ()
) -> dict[str, dict[str, Any]]:
    """id -> the wire change (`pull.PulledChange`'s keys) of each event upsert in
    `with_events` rows whose lead the rep owns now; `UNSERVABLE` for one whose stored data
    the wire model refuses. An event gone since it was logged has no columns there and is
    not in the result: it goes out as a remove, as one whose lead is not the rep's.
    `owned`: leads already known, in this transaction, to be the rep's (the page's own
    leads, read by `leads`): only the others are looked up."""
    first = LOG_COLUMNS + 1
    found = [row for row in rows if row[LOG_COLUMNS] is not None]
    if not found:
        return {}
    columns: list[Sequence[Any]] = list(zip(*found, strict=True))  # one transpose in C
    # The owner check as one query over the page's few distinct leads: joining `leads` to
    # every event made SQLite probe the lead once per event, 10x the events' own lookup.
    unknown = set(columns[first]).difference(owned)
    if unknown:
        owned = set(owned).union(owned_leads(session, rep_id, unknown))
        found = [row for row in found if row[first] in owned]
        if not found:
            return {}
        columns = list(zip(*found, strict=True))
    ids, versions, fields = columns[2], columns[LOG_COLUMNS], columns[first:]
    fields[_OCCURRED_AT] = _utc_column(fields[_OCCURRED_AT])
    # Types checked a column at a time (C speed); a column with a value of another type
    # sends its rows one by one through the same check as before (`_fits`, `_strict`).
    fits = _column_fits(versions, _INT) and all(
        _column_fits(column, t) for column, (_n, _c, t) in zip(fields, _EVENT_FIELDS, strict=True)
    )
    if fits:
        # One dict literal per change and per data (the keys of `_EVENT_FIELDS`, in the
        # wire model's order, held by the page-bytes test): a third of what zip + dict +
        # a dataclass per event cost.
        return {
            event_id: {
                "entity": EVENT,
                "id": event_id,
                "op": "upsert",
                "version": version,
                "data": {
                    "lead_id": lead_id,
                    "type": kind,
                    "occurred_at": occurred_at,
                    "campaign_id": campaign_id,
                    "asset": asset,
                    "detail": detail,
                    "score_delta": score_delta,
                },
            }
            for (
                event_id,
                version,
                lead_id,
                kind,
                occurred_at,
                campaign_id,
                asset,
                detail,
                score_delta,
            ) in zip(ids, versions, *fields, strict=True)
        }
    out: dict[str, dict[str, Any]] = {}
    names = [name for name, _c, _t in _EVENT_FIELDS]
    types = [t for _n, _c, t in _EVENT_FIELDS]
    for event_id, version, *values in zip(ids, versions, *fields, strict=True):
        data = dict(zip(names, values, strict=True))
        if not _fits(values, types) or type(version) is not int:
            data = _strict(EVENT, event_id, NurtureEventData, data)
        change = {"entity": EVENT, "id": event_id, "op": "upsert", "version": version}
        out[event_id] = UNSERVABLE if data is UNSERVABLE else {**change, "data": data}
    return out


__all__ = [
    "EVENT",
    "LEAD_ITEMS",
    "LOG_COLUMNS",
    "UNSERVABLE",
    "driver_rows",
    "joined_events",
    "lead_items",
    "leads",
    "owned_leads",
    "with_events",
]
