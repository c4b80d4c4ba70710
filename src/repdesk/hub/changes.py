"""The change log every hub writer must feed, so reps' devices pull what changed.

Rules for any code that writes synced rows (the API, importers, admin services):

1. Bump the row's `version` (`row.version += 1`; new rows start at 1) in the same
   transaction as the change.
2. Call one of the functions below in that same transaction, after the row exists
   (they flush the session):

   - marketing's shared data (campaign, collateral, rubric, objection_category), visible
     to every rep: ``touch_global(session, "campaign", campaign.id, campaign.version)``;
     withdrawn items: ``touch_global(..., op="remove")``.
   - a lead that changed (fields, score, stage...): ``touch_lead(session, lead)``;
   - a row that belongs to a lead (nurture_event, call_note, qualification, objection,
     disposition, collateral_use): ``touch_lead_item(session, "nurture_event", ev.id,
     lead, ev.version)`` (the qualification's id is the lead id);
   - assigning / reassigning / un-assigning a lead: ``reassign_lead(session, lead,
     new_rep_id_or_None)`` (never set `owner_rep_id` by hand): the old owner gets
     `remove` rows for the lead and everything under it, the new owner `upsert` rows;
   - deleting a lead: ``delete_lead(session, lead)`` (soft delete + removes).

The log keeps only the latest row per (entity, entity_id, audience); each write gets a
new, larger `seq`, so pull (`seq > cursor`) sees it exactly once more. `audience` is a rep
id or `ALL`. Write inside `Database.write()`: it serialises writers, so change numbers
commit in the order they are drawn and a pull never skips one (a transaction opened some
other way gets the lock at its first touch; take it earlier with
`repdesk.hub.db.engine.lock_writers(session)` if you read-then-write synced rows).
"""

from __future__ import annotations

import logging
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from repdesk.hub.db.engine import lock_writers
from repdesk.hub.db.models import (
    CallNote,
    ChangeLog,
    CollateralUseRow,
    DispositionRow,
    Lead,
    NurtureEvent,
    ObjectionRow,
    Qualification,
)

log = logging.getLogger(__name__)

ALL = "*"
"""Audience of rows every rep sees (campaigns, collateral, rubric, taxonomy)."""

Op = Literal["upsert", "remove"]

GLOBAL_ENTITIES = frozenset({"campaign", "collateral", "rubric", "objection_category"})
LEAD_ITEM_ENTITIES = frozenset(
    {"nurture_event", "call_note", "qualification", "objection", "disposition", "collateral_use"}
)


def touch(
    session: Session,
    entity: str,
    entity_id: str,
    audience: str,
    *,
    op: Op = "upsert",
    version: int = 0,
    lead_id: str | None = None,
) -> int:
    """Record that `entity_id` changed for `audience` (a rep id or ALL); returns its seq."""
    lock_writers(session)
    session.flush()
    session.execute(
        delete(ChangeLog).where(
            ChangeLog.entity == entity,
            ChangeLog.entity_id == entity_id,
            ChangeLog.audience == audience,
        )
    )
    row = ChangeLog(
        entity=entity,
        entity_id=entity_id,
        op=op,
        audience=audience,
        version=version,
        lead_id=lead_id,
    )
    session.add(row)
    session.flush()
    return row.seq


def touch_global(
    session: Session, entity: str, entity_id: str, version: int, *, op: Op = "upsert"
) -> int:
    if entity not in GLOBAL_ENTITIES:
        raise ValueError(f"{entity} is not shared with every rep")
    return touch(session, entity, entity_id, ALL, op=op, version=version)


def touch_lead(session: Session, lead: Lead) -> None:
    """The lead's own fields changed: its owner (if any) pulls it again."""
    if lead.owner_rep_id is None:
        return
    op: Op = "remove" if lead.deleted else "upsert"
    touch(session, "lead", lead.id, lead.owner_rep_id, op=op, version=lead.version, lead_id=lead.id)


def touch_lead_item(
    session: Session, entity: str, entity_id: str, lead: Lead, version: int, *, op: Op = "upsert"
) -> None:
    """A row under `lead` changed; only the lead's current owner sees it."""
    if entity not in LEAD_ITEM_ENTITIES:
        raise ValueError(f"{entity} does not belong to a lead")
    if lead.owner_rep_id is None or lead.deleted:
        return
    touch(session, entity, entity_id, lead.owner_rep_id, op=op, version=version, lead_id=lead.id)


def lead_items(session: Session, lead_id: str) -> list[tuple[str, str, int]]:
    """(entity, id, version) of everything under a lead, oldest kinds first."""
    items: list[tuple[str, str, int]] = []
    for entity, model in (
        ("nurture_event", NurtureEvent),
        ("call_note", CallNote),
        ("objection", ObjectionRow),
        ("disposition", DispositionRow),
        ("collateral_use", CollateralUseRow),
    ):
        rows = session.execute(select(model.id, model.version).where(model.lead_id == lead_id))
        items.extend((entity, row_id, version) for row_id, version in rows)
    qual = session.get(Qualification, lead_id)
    if qual is not None:
        items.append(("qualification", lead_id, qual.version))
    return items


def _emit_lead(session: Session, lead: Lead, audience: str, op: Op) -> None:
    items = lead_items(session, lead.id)
    if op == "upsert":
        # The lead first, so a client that applies in order has it before its children.
        touch(session, "lead", lead.id, audience, op=op, version=lead.version, lead_id=lead.id)
    for entity, item_id, version in items:
        touch(session, entity, item_id, audience, op=op, version=version, lead_id=lead.id)
    if op == "remove":
        touch(session, "lead", lead.id, audience, op=op, version=lead.version, lead_id=lead.id)


def reassign_lead(session: Session, lead: Lead, new_owner_id: str | None) -> bool:
    """Give `lead` to `new_owner_id` (None: nobody). Returns False when nothing changed."""
    old = lead.owner_rep_id
    if old == new_owner_id:
        return False
    lead.owner_rep_id = new_owner_id
    lead.version += 1
    session.flush()
    if old is not None:
        _emit_lead(session, lead, old, "remove")
    if new_owner_id is not None and not lead.deleted:
        _emit_lead(session, lead, new_owner_id, "upsert")
    log.info("lead %s reassigned from %s to %s", lead.id, old, new_owner_id)
    return True


def delete_lead(session: Session, lead: Lead) -> None:
    """Soft-delete `lead`: its owner's devices drop it; the reps' writes stay for reports."""
    if lead.deleted:
        return
    lead.deleted = True
    lead.version += 1
    session.flush()
    if lead.owner_rep_id is not None:
        _emit_lead(session, lead, lead.owner_rep_id, "remove")


__all__ = [
    "ALL",
    "GLOBAL_ENTITIES",
    "LEAD_ITEM_ENTITIES",
    "delete_lead",
    "lead_items",
    "reassign_lead",
    "touch",
    "touch_global",
    "touch_lead",
    "touch_lead_item",
]
