"""Importing leads and nurture history into the hub, recorded in the change log."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from repdesk.hub.admin.hub import Hub
from repdesk.hub.changes import reassign_lead, touch_global, touch_lead, touch_lead_item
from repdesk.hub.db.models import Campaign, Lead, NurtureEvent, Rep
from repdesk.hub.importers import LeadRecord, RowError, parse_events, parse_leads

log = logging.getLogger(__name__)

_LEAD_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "email",
    "title",
    "industry",
    "company_size",
    "phone",
    "country",
    "lifecycle_stage",
    "lead_status",
    "score",
    "marketing_notes",
)


class _DryRun(Exception):
    """Raised inside the write transaction so a dry run rolls everything back."""


@dataclass
class LeadImportReport:
    format: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    assigned: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False


@dataclass
class EventImportReport:
    format: str
    created: int = 0
    already_there: int = 0
    campaigns_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False


def _campaigns_by_name(session: Session) -> dict[str, Campaign]:
    return {c.name.casefold(): c for c in session.scalars(select(Campaign))}


def _reps_by_email(session: Session) -> dict[str, Rep]:
    return {r.email: r for r in session.scalars(select(Rep).where(Rep.disabled.is_(False)))}


def _values(record: LeadRecord) -> dict[str, Any]:
    out: dict[str, Any] = {name: getattr(record, name) for name in _LEAD_FIELDS}
    out["lifecycle_stage"] = record.lifecycle_stage.value
    out["lead_status"] = record.lead_status.value
    return out


def _find_lead(session: Session, record: LeadRecord) -> Lead | None:
    if record.external_id:
        lead = session.scalar(select(Lead).where(Lead.external_id == record.external_id))
        if lead is not None:
            return lead
    if not record.email:
        return None
    query = select(Lead).where(func.lower(Lead.email) == record.email, Lead.deleted.is_(False))
    if record.external_id:
        # A record with its own CRM id only merges into a lead that has none yet, so two
        # CRM records sharing an address stay two leads.
        query = query.where(Lead.external_id.is_(None))
    return session.scalar(query.order_by(Lead.created_at).limit(1))


def import_leads(hub: Hub, path: Path, *, dry_run: bool = False) -> LeadImportReport:
    """Upsert leads by external id, else email. Owners named by rep email are assigned."""
    parsed = parse_leads(path)
    report = LeadImportReport(parsed.format, errors=list(parsed.errors), dry_run=dry_run)
    try:
        with hub.db.write() as session:
            campaigns = _campaigns_by_name(session)
            reps = _reps_by_email(session)
            for record in parsed.records:
                _upsert_lead(session, record, campaigns, reps, report)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    log.info(
        "leads from %s: %d new, %d updated, %d errors%s",
        path.name,
        report.created,
        report.updated,
        len(report.errors),
        " (dry run)" if dry_run else "",
    )
    return report


def _upsert_lead(
    session: Session,
    record: LeadRecord,
    campaigns: dict[str, Campaign],
    reps: dict[str, Rep],
    report: LeadImportReport,
) -> None:
    values = _values(record)
    campaign = campaigns.get(record.source.casefold()) if record.source else None
    lead = _find_lead(session, record)
    if lead is None:
        lead = Lead(
            external_id=record.external_id or None,
            source_campaign_id=campaign.id if campaign else None,
            version=1,
            **values,
        )
        if record.created_at is not None:
            lead.created_at = record.created_at
        session.add(lead)
        session.flush()
        report.created += 1
    else:
        changed = {k: v for k, v in values.items() if getattr(lead, k) != v}
        if campaign is not None and lead.source_campaign_id != campaign.id:
            changed["source_campaign_id"] = campaign.id
        if record.external_id and not lead.external_id:
            changed["external_id"] = record.external_id
        if lead.deleted:
            changed["deleted"] = False
        if changed:
            for name, value in changed.items():
                setattr(lead, name, value)
            lead.version += 1
            touch_lead(session, lead)
            report.updated += 1
        else:
            report.unchanged += 1
    owner = reps.get(record.owner.strip().lower()) if record.owner else None
    if owner is not None and lead.owner_rep_id != owner.id:
        reassign_lead(session, lead, owner.id)
        report.assigned += 1


def import_events(hub: Hub, path: Path, *, dry_run: bool = False) -> EventImportReport:
    """Add nurture events to known leads; the same event imported twice is kept once."""
    parsed = parse_events(path)
    report = EventImportReport(parsed.format, errors=list(parsed.errors), dry_run=dry_run)
    try:
        with hub.db.write() as session:
            campaigns = _campaigns_by_name(session)
            leads: dict[tuple[str, str], Lead | None] = {}
            for record in parsed.records:
                lookup = (
                    ("id", record.lead_external_id)
                    if record.lead_external_id
                    else (
                        "email",
                        record.lead_email,
                    )
                )
                if lookup not in leads:
                    column = Lead.external_id if lookup[0] == "id" else func.lower(Lead.email)
                    leads[lookup] = session.scalar(
                        select(Lead)
                        .where(column == lookup[1], Lead.deleted.is_(False))
                        .order_by(Lead.created_at)
                        .limit(1)
                    )
                lead = leads[lookup]
                if lead is None:
                    what = "id" if lookup[0] == "id" else "email"
                    report.errors.append(
                        RowError(record.line, f"no lead with the {what} {lookup[1]!r}")
                    )
                    continue
                campaign_id = None
                if record.campaign:
                    campaign = campaigns.get(record.campaign.casefold())
                    if campaign is None:
                        campaign = Campaign(name=record.campaign, version=1)
                        session.add(campaign)
                        session.flush()
                        touch_global(session, "campaign", campaign.id, campaign.version)
                        campaigns[record.campaign.casefold()] = campaign
                        report.campaigns_created += 1
                    campaign_id = campaign.id
                duplicate = session.scalar(
                    select(NurtureEvent.id).where(
                        NurtureEvent.lead_id == lead.id,
                        NurtureEvent.type == record.type.value,
                        NurtureEvent.occurred_at == record.occurred_at,
                        NurtureEvent.asset == record.asset,
                    )
                )
                if duplicate is not None:
                    report.already_there += 1
                    continue
                event = NurtureEvent(
                    lead_id=lead.id,
                    type=record.type.value,
                    occurred_at=record.occurred_at,
                    campaign_id=campaign_id,
                    asset=record.asset,
                    detail=record.detail,
                    score_delta=record.score_delta,
                    version=1,
                )
                session.add(event)
                session.flush()
                touch_lead_item(session, "nurture_event", event.id, lead, event.version)
                report.created += 1
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    report.errors.sort(key=lambda e: e.line)
    return report
