"""Importing leads and nurture history into the hub, recorded in the change log."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from repdesk.domain.ids import new_id
from repdesk.hub.admin.hub import Hub
from repdesk.hub.db.models import Campaign, Lead, NurtureEvent, Rep
from repdesk.hub.importers import EventRecord, LeadRecord, RowError, parse_events, parse_leads
from repdesk.hub.importers.encoding import Decoding, How
from repdesk.hub.sync.changes import (
    chunks,
    reassign_lead,
    touch_global,
    touch_lead,
    touch_lead_item,
)

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


class _Decoded:
    """What a report says about the file's encoding (fields on the reports below)."""

    encoding: str
    encoding_how: str

    @property
    def encoding_guessed(self) -> bool:
        return self.encoding_how == "guessed"

    @property
    def encoding_note(self) -> str:
        """Which encoding and why, for people (a guess says so)."""
        return Decoding(self.encoding, cast(How, self.encoding_how)).describe()


@dataclass
class LeadImportReport(_Decoded):
    format: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    assigned: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    encoding: str = "utf-8"
    encoding_how: str = "UTF-8"
    """How the encoding was chosen: "BOM", "UTF-8", "cp1252", "guessed" or "forced"."""
    sample: tuple[str, ...] = ()
    """A few decoded names, accented ones first, for a person to spot mojibake."""


@dataclass
class EventImportReport(_Decoded):
    format: str
    created: int = 0
    already_there: int = 0
    campaigns_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    encoding: str = "utf-8"
    encoding_how: str = "UTF-8"
    """How the encoding was chosen: "BOM", "UTF-8", "cp1252", "guessed" or "forced"."""
    sample: tuple[str, ...] = ()
    """A few decoded campaign names and assets, accented ones first."""


def _campaigns_by_name(session: Session) -> dict[str, Campaign]:
    return {c.name.casefold(): c for c in session.scalars(select(Campaign))}


def _reps_by_email(session: Session) -> dict[str, Rep]:
    return {r.email: r for r in session.scalars(select(Rep).where(Rep.disabled.is_(False)))}


def _values(record: LeadRecord) -> dict[str, Any]:
    out: dict[str, Any] = {name: getattr(record, name) for name in _LEAD_FIELDS}
    out["lifecycle_stage"] = record.lifecycle_stage.value
    out["lead_status"] = record.lead_status.value
    return out


class _LeadIndex:
    """The file's leads already in the hub, loaded in a few queries instead of per row."""

    def __init__(self, session: Session, records: list[LeadRecord]) -> None:
        self.by_external: dict[str, Lead] = {}
        self.by_email: dict[str, list[Lead]] = {}
        external_ids = sorted({r.external_id for r in records if r.external_id})
        emails = sorted({r.email for r in records if r.email})
        for chunk in chunks(external_ids):
            for lead in session.scalars(select(Lead).where(Lead.external_id.in_(chunk))):
                self.by_external[lead.external_id or ""] = lead
        for chunk in chunks(emails):
            query = select(Lead).where(func.lower(Lead.email).in_(chunk), Lead.deleted.is_(False))
            for lead in session.scalars(query.order_by(Lead.created_at, Lead.id)):
                self.by_email.setdefault(lead.email.lower(), []).append(lead)

    def find(self, record: LeadRecord) -> Lead | None:
        if record.external_id and record.external_id in self.by_external:
            return self.by_external[record.external_id]
        for lead in self.by_email.get(record.email, []) if record.email else []:
            # A record with its own CRM id only merges into a lead that has none yet, so
            # two CRM records sharing an address stay two leads.
            if not record.external_id or lead.external_id is None:
                return lead
        return None

    def add(self, lead: Lead) -> None:
        if lead.external_id:
            self.by_external[lead.external_id] = lead
        if lead.email:
            self.by_email.setdefault(lead.email.lower(), []).append(lead)


def import_leads(
    hub: Hub, path: Path, *, dry_run: bool = False, encoding: str | None = None
) -> LeadImportReport:
    """Upsert leads by external id, else email. Owners named by rep email are assigned.
    `encoding` forces the file's encoding (else it is found; the report says how)."""
    parsed = parse_leads(path, encoding=encoding)
    report = LeadImportReport(
        format=parsed.format,
        errors=list(parsed.errors),
        dry_run=dry_run,
        encoding=parsed.encoding,
        encoding_how=parsed.encoding_how,
        sample=parsed.sample,
    )
    try:
        with hub.db.write() as session:
            campaigns = _campaigns_by_name(session)
            reps = _reps_by_email(session)
            index = _LeadIndex(session, parsed.records)
            with session.no_autoflush:
                for record in parsed.records:
                    _upsert_lead(
                        session,
                        record,
                        index=index,
                        campaigns=campaigns,
                        reps=reps,
                        report=report,
                    )
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    log.info(
        "leads from %s (%s): %d new, %d updated, %d errors%s",
        path.name,
        report.encoding_note,
        report.created,
        report.updated,
        len(report.errors),
        " (dry run)" if dry_run else "",
    )
    return report


def _upsert_lead(
    session: Session,
    record: LeadRecord,
    *,
    index: _LeadIndex,
    campaigns: dict[str, Campaign],
    reps: dict[str, Rep],
    report: LeadImportReport,
) -> None:
    values = _values(record)
    campaign = campaigns.get(record.source.casefold()) if record.source else None
    lead = index.find(record)
    if lead is None:
        # The id is made here, not on flush, so new leads need no flush per row.
        lead = Lead(
            id=new_id(),
            external_id=record.external_id or None,
            source_campaign_id=campaign.id if campaign else None,
            version=1,
            **values,
        )
        if record.created_at is not None:
            lead.created_at = record.created_at
        session.add(lead)
        index.add(lead)
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


def import_events(
    hub: Hub, path: Path, *, dry_run: bool = False, encoding: str | None = None
) -> EventImportReport:
    """Add nurture events to known leads; the same event imported twice is kept once.
    `encoding` forces the file's encoding (else it is found; the report says how)."""
    parsed = parse_events(path, encoding=encoding)
    report = EventImportReport(
        format=parsed.format,
        errors=list(parsed.errors),
        dry_run=dry_run,
        encoding=parsed.encoding,
        encoding_how=parsed.encoding_how,
        sample=parsed.sample,
    )
    try:
        with hub.db.write() as session, session.no_autoflush:
            _add_events(session, parsed.records, report)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    report.errors.sort(key=lambda e: e.line)
    return report


def _event_leads(session: Session, records: list[EventRecord]) -> dict[tuple[str, str], Lead]:
    """{("id", external id) or ("email", address): lead} for every lead the file names."""
    out: dict[tuple[str, str], Lead] = {}
    ids = sorted({r.lead_external_id for r in records if r.lead_external_id})
    emails = sorted({r.lead_email for r in records if r.lead_email})
    alive = Lead.deleted.is_(False)
    for chunk in chunks(ids):
        for lead in session.scalars(select(Lead).where(Lead.external_id.in_(chunk), alive)):
            out[("id", lead.external_id or "")] = lead
    for chunk in chunks(emails):
        query = select(Lead).where(func.lower(Lead.email).in_(chunk), alive)
        # Oldest first wins when two leads share an address (setdefault keeps the first).
        for lead in session.scalars(query.order_by(Lead.created_at, Lead.id)):
            out.setdefault(("email", lead.email.lower()), lead)
    return out


def _add_events(session: Session, records: list[EventRecord], report: EventImportReport) -> None:
    campaigns = _campaigns_by_name(session)
    leads = _event_leads(session, records)
    known: set[tuple[str, str, object, str]] = set()
    lead_ids = sorted({lead.id for lead in leads.values()})
    for chunk in chunks(lead_ids):
        rows = session.execute(
            select(
                NurtureEvent.lead_id,
                NurtureEvent.type,
                NurtureEvent.occurred_at,
                NurtureEvent.asset,
            ).where(NurtureEvent.lead_id.in_(chunk))
        )
        known.update((a, b, c, d) for a, b, c, d in rows)
    for record in records:
        # The CRM id first; the email when the id is unknown here (or not given).
        lead = leads.get(("id", record.lead_external_id)) or leads.get(("email", record.lead_email))
        if lead is None:
            named = " or ".join(
                f"{what} {value!r}"
                for what, value in (("id", record.lead_external_id), ("email", record.lead_email))
                if value
            )
            report.errors.append(RowError(record.line, f"no lead with the {named}"))
            continue
        key = (lead.id, record.type.value, record.occurred_at, record.asset)
        if key in known:
            report.already_there += 1
            continue
        known.add(key)
        campaign_id = None
        if record.campaign:
            campaign = campaigns.get(record.campaign.casefold())
            if campaign is None:
                campaign = Campaign(id=new_id(), name=record.campaign, version=1)
                session.add(campaign)
                touch_global(session, "campaign", campaign.id, campaign.version)
                campaigns[record.campaign.casefold()] = campaign
                report.campaigns_created += 1
            campaign_id = campaign.id
        event = NurtureEvent(
            id=new_id(),
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
        touch_lead_item(session, "nurture_event", event.id, lead, event.version)
        report.created += 1
