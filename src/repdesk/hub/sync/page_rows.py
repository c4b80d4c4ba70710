"""Leads and nurture events for a pull page straight from Core column tuples.

They are nearly every row of a first sync (10k leads bring 300k events), so they skip the
ORM objects and the pydantic model per row that `serialize` uses for the other entities:
a row whose values have the column types the wire model wants becomes its `data` dict as
is (datetimes stay `datetime`; the page serialiser writes them as pydantic would), and
only a row that does not (a value some writer stored outside the hub's models) goes
through the wire model, which either fixes it up as before or marks it unservable.
A test holds the page bytes equal to the ORM + pydantic way on a seeded hub.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from repdesk.hub.db import models as m
from repdesk.protocol.schema import LeadData, NurtureEventData

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
_EXTERNAL_ID = [name for name, _c, _t in _LEAD_FIELDS].index("external_id")


def _fits(values: Sequence[Any], types: Sequence[tuple[type, ...]]) -> bool:
    # bool is an int to isinstance but not to the wire (pydantic would say 1/0 the same way,
    # but a bool in an int column is not something the hub writes): checked like the rest.
    return all(map(isinstance, values, types)) and bool not in map(type, values)


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
    """Those of `lead_ids` the rep owns now (and not deleted)."""
    if not lead_ids:
        return set()
    query = (
        select(LEADS.id)
        .where(LEADS.id.in_(lead_ids))
        .where(LEADS.owner_rep_id == rep_id)
        .where(LEADS.deleted.is_(False))
    )
    return set(session.scalars(query))


def leads(
    session: Session, rep_id: str, ids: Sequence[str]
) -> dict[str, tuple[int, dict[str, Any]]]:
    """id -> (version, data) for the leads among `ids` the rep owns now (not deleted)."""
    names = [name for name, _c, _t in _LEAD_FIELDS]
    types = [t for _n, _c, t in _LEAD_FIELDS]
    query = (
        select(LEADS.id, LEADS.version, *(c for _n, c, _t in _LEAD_FIELDS))
        .where(LEADS.id.in_(ids))
        .where(LEADS.owner_rep_id == rep_id)
        .where(LEADS.deleted.is_(False))
    )
    out: dict[str, tuple[int, dict[str, Any]]] = {}
    for lead_id, version, *values in session.execute(query):
        if values[_EXTERNAL_ID] is None:
            values[_EXTERNAL_ID] = ""
        data = dict(zip(names, values, strict=True))
        if not _fits(values, types) or not isinstance(version, int):
            data = _strict("lead", lead_id, LeadData, data)
        out[lead_id] = (version, data)
    return out


def events(
    session: Session, rep_id: str, ids: Sequence[str]
) -> dict[str, tuple[int, dict[str, Any]]]:
    """id -> (version, data) for the events among `ids` of leads the rep owns now."""
    names = [name for name, _c, _t in _EVENT_FIELDS]
    types = [t for _n, _c, t in _EVENT_FIELDS]
    rows = session.execute(
        select(EVENTS.id, EVENTS.version, *(c for _n, c, _t in _EVENT_FIELDS)).where(
            EVENTS.id.in_(ids)
        )
    ).all()
    # The owner check as one query over the page's few distinct leads: joining `leads` to
    # every event made SQLite probe the lead once per event, 10x the events' own lookup.
    owned = owned_leads(session, rep_id, {row[2] for row in rows})
    out: dict[str, tuple[int, dict[str, Any]]] = {}
    for event_id, version, *values in rows:
        if values[0] not in owned:
            continue
        data = dict(zip(names, values, strict=True))
        if not _fits(values, types) or not isinstance(version, int):
            data = _strict("nurture_event", event_id, NurtureEventData, data)
        out[event_id] = (version, data)
    return out


__all__ = ["UNSERVABLE", "events", "leads", "owned_leads"]
