"""Giving leads to reps: by a CSV of lead -> rep, or by a rule; every move is logged for pull
and audited (in the same transaction, in the name of `actor`: "cli" for the command line).
A `dry_run` counts what a rule would move and changes nothing (the workspace's preview)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from repdesk.domain.errors import ValidationError
from repdesk.domain.leads import LifecycleStage
from repdesk.hub.admin import audit
from repdesk.hub.admin.hub import Hub
from repdesk.hub.admin.reps import find_rep
from repdesk.hub.db.models import Campaign, Lead, Rep
from repdesk.hub.importers import RowError, values
from repdesk.hub.importers.reading import ImportFileError, iter_dicts, read_table
from repdesk.hub.sync.changes import reassign_leads

log = logging.getLogger(__name__)

_TEXT_FIELDS = {
    "external_id": Lead.external_id,
    "email": Lead.email,
    "company": Lead.company,
    "industry": Lead.industry,
    "country": Lead.country,
    "title": Lead.title,
}
WHERE_FIELDS = (*_TEXT_FIELDS, "lifecycle_stage", "lead_status", "campaign", "min_score")
_LEAD_COLUMNS = {"lead", "leadid", "externalid", "leadexternalid", "id", "email", "leademail"}
_REP_COLUMNS = {"rep", "repemail", "owner", "owneremail", "assignto", "assignee"}


@dataclass
class AssignReport:
    assigned: int = 0
    moved: int = 0
    """Of `assigned`, leads taken from another rep (only with reassign)."""
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def parse_where(items: Sequence[str]) -> list[tuple[str, str]]:
    """["industry=Retail", ...] -> [("industry", "Retail"), ...], with clear errors."""
    out: list[tuple[str, str]] = []
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().lower()
        if not sep or not name:
            raise ValidationError(f"--where {item!r} must look like FIELD=VALUE.")
        if name not in WHERE_FIELDS:
            raise ValidationError(
                f"--where cannot filter on {name!r}; use one of: {', '.join(WHERE_FIELDS)}."
            )
        out.append((name, value.strip()))
    return out


def _condition(session: Session, name: str, value: str) -> ColumnElement[bool]:
    if name in _TEXT_FIELDS:
        return func.lower(_TEXT_FIELDS[name]) == value.lower()
    if name == "lifecycle_stage":
        stage = values.lifecycle_stage(value)
        if stage is None or (stage is LifecycleStage.OTHER and values.key(value) != "other"):
            known = ", ".join(s.value for s in LifecycleStage)
            raise ValidationError(f"{value!r} is not a lifecycle stage ({known}).")
        return Lead.lifecycle_stage == stage.value
    if name == "lead_status":
        status = values.lead_status(value)
        if status is None:
            raise ValidationError("lead_status needs a value.")
        return Lead.lead_status == status.value
    if name == "campaign":
        campaign_id = session.scalar(
            select(Campaign.id).where(func.lower(Campaign.name) == value.lower())
        )
        if campaign_id is None:
            raise ValidationError(f"There is no campaign named {value!r}.")
        return Lead.source_campaign_id == campaign_id
    try:
        minimum = values.integer(value, "min_score", minimum=None)
    except values.BadValue as exc:
        raise ValidationError(str(exc)) from exc
    return Lead.score >= (minimum or 0)


def _active_rep(session: Session, email: str) -> Rep:
    rep = find_rep(session, email)
    if rep.disabled:
        raise ValidationError(f"{rep.email} is disabled; enable or pick another rep.")
    return rep


def _selection(session: Session, where: Sequence[tuple[str, str]]) -> Select[tuple[Lead]]:
    query = select(Lead).where(Lead.deleted.is_(False))
    for name, value in where:
        query = query.where(_condition(session, name, value))
    # Hottest first, then oldest: a limited assignment takes the leads most worth a call.
    return query.order_by(Lead.score.desc(), Lead.created_at, Lead.id)


def assign_by_rule(
    hub: Hub,
    to_email: str,
    where: Sequence[tuple[str, str]] = (),
    *,
    limit: int | None = None,
    reassign: bool = False,
    dry_run: bool = False,
    actor: str = audit.CLI_ACTOR,
) -> AssignReport:
    """Give matching leads to a rep; only unassigned ones unless `reassign`. A dry run
    counts them (`assigned`, `moved`) and changes nothing."""
    if limit is not None and limit < 1:
        raise ValidationError("--limit must be at least 1.")
    report = AssignReport()
    with hub.db.read() if dry_run else hub.db.write() as session:
        rep = _active_rep(session, to_email)
        query = _selection(session, where)
        if reassign:
            query = query.where(or_(Lead.owner_rep_id.is_(None), Lead.owner_rep_id != rep.id))
        else:
            query = query.where(Lead.owner_rep_id.is_(None))
        if limit is not None:
            query = query.limit(limit)
        leads = session.scalars(query).all()
        report.moved = sum(1 for lead in leads if lead.owner_rep_id is not None)
        if dry_run:
            report.assigned = len(leads)
            return report
        report.assigned = reassign_leads(session, leads, rep.id)
        if report.assigned:
            audit.record(
                session,
                actor,
                "leads.assign",
                rep.email,
                {
                    "where": _describe(where),
                    "limit": limit,
                    "reassign": reassign,
                    "assigned": report.assigned,
                    "moved": report.moved,
                },
            )
    log.info("assigned %d leads to %s", report.assigned, to_email)
    return report


def _describe(where: Sequence[tuple[str, str]]) -> str:
    return ", ".join(f"{name}={value}" for name, value in where) or "all leads"


def unassign(
    hub: Hub,
    *,
    from_email: str | None = None,
    where: Sequence[tuple[str, str]] = (),
    limit: int | None = None,
    dry_run: bool = False,
    actor: str = audit.CLI_ACTOR,
) -> int:
    """Take matching leads away from their rep (back to the unassigned pool); returns how
    many (a dry run only counts them)."""
    if from_email is None and not where:
        raise ValidationError(
            "Say which leads to unassign: --from EMAIL and/or --where FIELD=VALUE."
        )
    if limit is not None and limit < 1:
        raise ValidationError("--limit must be at least 1.")
    count = 0
    with hub.db.read() if dry_run else hub.db.write() as session:
        query = _selection(session, where).where(Lead.owner_rep_id.is_not(None))
        rep = find_rep(session, from_email) if from_email is not None else None
        if rep is not None:
            query = query.where(Lead.owner_rep_id == rep.id)
        if limit is not None:
            query = query.limit(limit)
        leads = session.scalars(query).all()
        if dry_run:
            return len(leads)
        count = reassign_leads(session, leads, None)
        if count:
            audit.record(
                session,
                actor,
                "leads.unassign",
                rep.email if rep is not None else "",
                {"where": _describe(where), "limit": limit, "unassigned": count},
            )
    return count


def _pick(row: dict[str, str], names: set[str]) -> tuple[str, str]:
    for header, cell in row.items():
        if values.key(header) in names and cell.strip():
            return values.key(header), cell.strip()
    return "", ""


def assign_from_csv(
    hub: Hub, path: Path, *, reassign: bool = False, actor: str = audit.CLI_ACTOR
) -> AssignReport:
    """A CSV with a lead column (external id, email or hub id) and a rep column (email)."""

    def recognised(header: list[str]) -> bool:
        keys = {values.key(h) for h in header}
        return bool(keys & _LEAD_COLUMNS) and bool(keys & _REP_COLUMNS)

    table = read_table(path, recognised)
    if table.kind != "csv" or not recognised(table.header):
        raise ImportFileError(
            f"{path.name} needs a header row with a lead column (external_id, email or lead) "
            "and a rep column (rep or rep_email)."
        )
    report = AssignReport()
    with hub.db.write() as session:
        reps: dict[str, Rep] = {}
        # lead id -> (lead, new owner): applied at the end, in one batch per rep; a lead
        # listed twice goes to its last rep.
        planned: dict[str, tuple[Lead, str]] = {}
        for line, row, problem in iter_dicts(table):
            if problem:
                report.errors.append(RowError(line, problem))
                continue
            lead_column, lead_key = _pick(row, _LEAD_COLUMNS)
            _, rep_email = _pick(row, _REP_COLUMNS)
            if not lead_key or not rep_email:
                report.errors.append(RowError(line, "needs both a lead and a rep"))
                continue
            rep = reps.get(rep_email.lower())
            if rep is None:
                try:
                    rep = reps[rep_email.lower()] = _active_rep(session, rep_email)
                except ValidationError as exc:
                    report.errors.append(RowError(line, str(exc)))
                    continue
            lead = _lead_by_key(session, lead_column, lead_key)
            if lead is None:
                report.errors.append(RowError(line, f"no lead {lead_key!r}"))
                continue
            owner = planned[lead.id][1] if lead.id in planned else lead.owner_rep_id
            if owner == rep.id:
                report.unchanged += 1
                continue
            if owner is not None and not reassign:
                report.errors.append(
                    RowError(line, f"{lead_key} already has a rep; use --reassign to move it")
                )
                continue
            report.moved += owner is not None
            planned[lead.id] = (lead, rep.id)
            report.assigned += 1
        by_rep: dict[str, list[Lead]] = {}
        for lead, rep_id in planned.values():
            by_rep.setdefault(rep_id, []).append(lead)
        for rep_id, leads in by_rep.items():
            reassign_leads(session, leads, rep_id)
        if report.assigned:
            audit.record(
                session,
                actor,
                "leads.assign",
                "",
                {"csv": path.name, "assigned": report.assigned, "moved": report.moved},
            )
    return report


def _lead_by_key(session: Session, column: str, key: str) -> Lead | None:
    alive = Lead.deleted.is_(False)
    if "@" in key or column in {"email", "leademail"}:
        return session.scalar(
            select(Lead).where(func.lower(Lead.email) == key.lower(), alive).limit(1)
        )
    lead = session.scalar(select(Lead).where(Lead.external_id == key, alive))
    return lead if lead is not None else session.scalar(select(Lead).where(Lead.id == key, alive))
