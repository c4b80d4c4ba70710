"""Loading the generated demo hub into a database with bulk inserts (a few seconds)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from repdesk.domain.defaults import DEFAULT_RUBRIC
from repdesk.domain.errors import ValidationError
from repdesk.domain.leads import Campaign, Lead, NurtureEvent
from repdesk.domain.qualification import BANT_ORDER
from repdesk.hub.admin.hub import Hub
from repdesk.hub.admin.reference import seed_defaults
from repdesk.hub.auth import hash_password, normalize_email
from repdesk.hub.db import models as m
from repdesk.hub.demo import DemoData, DemoFile, DemoRep, DemoUser, generate_demo
from repdesk.hub.sync import changes
from repdesk.hub.sync.changes import ALL, Touch
from repdesk.protocol.convert import rubric_to_data

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DemoSummary:
    reps: tuple[DemoRep, ...]
    users: tuple[DemoUser, ...]
    campaigns: int
    leads: int
    assigned: int
    events: int
    collateral: int
    rep_writes: int


def _refuse_if_not_empty(session: Session, data: DemoData) -> None:
    leads = session.scalar(select(func.count()).select_from(m.Lead)) or 0
    if leads:
        raise ValidationError(
            f"This hub already has {leads} leads; demo data only goes into an empty hub "
            "(use a new --home)."
        )
    emails = [r.email for r in data.reps]
    taken = session.scalars(select(m.Rep.email).where(m.Rep.email.in_(emails))).all()
    if taken:
        raise ValidationError(f"This hub already has the demo rep {taken[0]}; use a new --home.")
    emails = [u.email for u in data.users]
    taken = session.scalars(select(m.User.email).where(m.User.email.in_(emails))).all()
    if taken:
        raise ValidationError(f"This hub already has the demo user {taken[0]}; use a new --home.")


def seed_demo(hub: Hub, data: DemoData | None = None) -> DemoSummary:
    """Fill an empty hub with the demo data; every row is logged so reps' pulls see it."""
    data = data or generate_demo()
    for f in data.files:
        hub.files.put_bytes(f.content)
    log_rows: list[Touch] = []
    # argon2 is slow on purpose (~0.2 s a hash): one hash per distinct demo password, shared.
    passwords = {r.password for r in data.reps} | {u.password for u in data.users}
    hashes = {p: hash_password(p) for p in passwords}
    with hub.db.write() as session:
        _refuse_if_not_empty(session, data)
        log_rows += _insert_rubric_history(session, data)
        seed_defaults(session)  # the objection taxonomy (the rubric is already there)
        session.execute(
            insert(m.Rep),
            [
                {
                    "id": r.id,
                    "email": r.email,
                    "name": r.name,
                    "password_hash": hashes[r.password],
                }
                for r in data.reps
            ],
        )
        _insert_users(session, data.users, hashes)
        session.execute(insert(m.Campaign), [_campaign(c) for c in data.campaigns])
        session.execute(insert(m.Collateral), [_collateral(f) for f in data.files])
        log_rows += [_log("campaign", c.id, ALL) for c in data.campaigns]
        log_rows += [_log("collateral", f.collateral.id, ALL) for f in data.files]
        session.execute(insert(m.Lead), [_lead(lead) for lead in data.leads])
        session.execute(insert(m.NurtureEvent), [_event(e) for e in data.events])
        writes = _insert_activity(session, data)
        log_rows += _lead_log_rows(data)
        changes.touch_many(session, log_rows)
    assigned = sum(1 for lead in data.leads if lead.owner_rep_id)
    log.info("demo hub seeded: %d leads, %d events", len(data.leads), len(data.events))
    return DemoSummary(
        data.reps,
        data.users,
        len(data.campaigns),
        len(data.leads),
        assigned,
        len(data.events),
        len(data.files),
        writes,
    )


def _insert_users(session: Session, users: tuple[DemoUser, ...], hashes: dict[str, str]) -> None:
    """Marketing's workspace accounts, written as rows here on purpose: the demo must not
    depend on the workspace's account module (`hub/admin/users.py`), and these rows are
    exactly what its `add_user` stores (email normalised, argon2 hash, role)."""
    session.execute(
        insert(m.User),
        [
            {
                "id": u.id,
                "email": normalize_email(u.email),
                "name": u.name,
                "role": u.role,
                "password_hash": hashes[u.password],
                "disabled": False,
            }
            for u in users
        ],
    )


def _insert_rubric_history(session: Session, data: DemoData) -> list[Touch]:
    """Every published rubric, the last one active (what reps pull).

    `repdesk-hub init` (and so `open_hub(create=True)`) already stored the default rubric as
    version 1: that row becomes the demo's rubric and its one-entry history is replaced. A
    hub whose marketing already published a rubric of its own keeps it and its history.
    """
    history = data.rubric_history
    current = history[-1]
    row = session.scalar(select(m.RubricRow).where(m.RubricRow.active.is_(True)).limit(1))
    if row is None:
        row = m.RubricRow(name=current.name, data=current.data, active=True)
        session.add(row)
    elif row.version != 1 or row.data != rubric_to_data(DEFAULT_RUBRIC).model_dump(mode="json"):
        return []
    session.execute(delete(m.RubricVersion))
    row.name, row.data, row.version = current.name, current.data, current.version
    row.updated_at = current.published_at
    session.flush()  # the id is made on flush
    session.execute(
        insert(m.RubricVersion),
        [
            {
                "rubric_id": row.id,
                "version": v.version,
                "name": v.name,
                "data": v.data,
                "published_at": v.published_at,
                "published_by": v.published_by,
            }
            for v in history
        ],
    )
    return [Touch("rubric", row.id, ALL, "upsert", row.version, None)]


def _log(entity: str, entity_id: str, audience: str, lead_id: str | None = None) -> Touch:
    return Touch(entity, entity_id, audience, "upsert", 1, lead_id)


def _lead_log_rows(data: DemoData) -> list[Touch]:
    """The lead first, then everything under it, for the lead's owner only."""
    items: dict[str, list[tuple[str, str]]] = {}
    act = data.activity
    for entity, rows in (
        ("nurture_event", data.events),
        ("call_note", act.call_notes),
        ("objection", act.objections),
        ("disposition", act.dispositions),
        ("collateral_use", act.collateral_uses),
    ):
        for row in rows:
            items.setdefault(row.lead_id, []).append((entity, row.id))
    for bant in act.qualifications:
        items.setdefault(bant.lead_id, []).append(("qualification", bant.lead_id))
    out: list[Touch] = []
    for lead in data.leads:
        if lead.owner_rep_id is None:
            continue
        out.append(_log("lead", lead.id, lead.owner_rep_id, lead.id))
        out += [_log(e, i, lead.owner_rep_id, lead.id) for e, i in items.get(lead.id, [])]
    return out


def _campaign(c: Campaign) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "channel": c.channel,
        "status": c.status,
        "description": c.description,
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "version": 1,
    }


def _collateral(f: DemoFile) -> dict[str, Any]:
    c = f.collateral
    return {
        "id": c.id,
        "sha256": c.sha256,
        "size": c.size,
        "media_type": c.media_type,
        "title": c.title,
        "original_name": f.file_name,
        "campaign_id": c.campaign_id,
        "tags": list(c.tags),
        "problem": c.problem,
        "version": 1,
    }


def _lead(lead: Lead) -> dict[str, Any]:
    return {
        "id": lead.id,
        "external_id": lead.external_id or None,
        "email": lead.email,
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "company": lead.company,
        "title": lead.title,
        "industry": lead.industry,
        "company_size": lead.company_size,
        "phone": lead.phone,
        "country": lead.country,
        "lifecycle_stage": lead.lifecycle_stage.value,
        "lead_status": lead.lead_status.value,
        "score": lead.score,
        "source_campaign_id": lead.source_campaign_id,
        "owner_rep_id": lead.owner_rep_id,
        "assigned_at": lead.assigned_at,
        "marketing_notes": lead.marketing_notes,
        "version": 1,
        "created_at": lead.created_at,
        "updated_at": lead.updated_at,
    }


def _event(e: NurtureEvent) -> dict[str, Any]:
    return {
        "id": e.id,
        "lead_id": e.lead_id,
        "type": e.type.value,
        "occurred_at": e.occurred_at,
        "campaign_id": e.campaign_id,
        "asset": e.asset,
        "detail": e.detail,
        "score_delta": e.score_delta,
        "version": 1,
    }


def _insert_activity(session: Session, data: DemoData) -> int:
    owner = {lead.id: lead.owner_rep_id for lead in data.leads}
    act = data.activity

    def base(row: Any) -> dict[str, Any]:
        return {
            "id": row.id,
            "lead_id": row.lead_id,
            "rep_id": owner[row.lead_id],
            "mutation_id": f"demo-{row.id}",
            "version": 1,
        }

    if act.call_notes:
        session.execute(
            insert(m.CallNote),
            [
                {
                    **base(n),
                    "body": n.body,
                    "call_started_at": n.call_started_at,
                    "duration_seconds": n.duration_seconds,
                    "outcome": n.outcome,
                    "created_at": n.created_at,
                    "received_at": n.created_at,
                }
                for n in act.call_notes
            ],
        )
    if act.objections:
        session.execute(
            insert(m.ObjectionRow),
            [
                {
                    **base(o),
                    "category_code": o.category_code,
                    "verbatim": o.verbatim,
                    "severity": int(o.severity),
                    "campaign_id": o.campaign_id,
                    "collateral_id": o.collateral_id,
                    "competitor": o.competitor,
                    "resolved": o.resolved,
                    "created_at": o.created_at,
                    "received_at": o.created_at,
                }
                for o in act.objections
            ],
        )
    if act.dispositions:
        session.execute(
            insert(m.DispositionRow),
            [
                {
                    **base(d),
                    "kind": d.kind.value,
                    "reason": d.reason,
                    "decided_at": d.decided_at,
                    "received_at": d.decided_at,
                }
                for d in act.dispositions
            ],
        )
    if act.collateral_uses:
        session.execute(
            insert(m.CollateralUseRow),
            [
                {
                    **base(u),
                    "collateral_id": u.collateral_id,
                    "kind": u.kind.value,
                    "used_at": u.used_at,
                    "received_at": u.used_at,
                }
                for u in act.collateral_uses
            ],
        )
    fields: list[dict[str, Any]] = []
    for bant in act.qualifications:
        for dim in BANT_ORDER:
            answer = bant.get(dim)
            if answer is not None:
                fields.append(
                    {
                        "lead_id": bant.lead_id,
                        "dimension": dim.value,
                        "value": answer.value,
                        "verbatim": answer.verbatim,
                        "confidence": int(answer.confidence),
                        "recorded_by": answer.recorded_by,
                        "recorded_at": answer.recorded_at,
                        "version": 1,
                        "mutation_id": f"demo-bant-{bant.lead_id}"[:64],
                    }
                )
    if act.qualifications:
        session.execute(
            insert(m.Qualification),
            [{"lead_id": b.lead_id, "version": 1} for b in act.qualifications],
        )
    if fields:
        session.execute(insert(m.QualificationField), fields)
    return (
        len(act.call_notes)
        + len(act.objections)
        + len(act.dispositions)
        + len(act.collateral_uses)
        + len(fields)
    )
