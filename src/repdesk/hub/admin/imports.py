"""Importing leads and nurture history into the hub, recorded in the change log.

Files are streamed (`LeadStream`, `EventStream`) and written in batches of BATCH rows
inside one transaction (a dry run rolls it back): per batch, one bulk lookup of the leads
the rows name (for leads, only those the hub may hold: `lead_batches`), one bulk INSERT of
the new rows, ORM updates of the changed ones and one bulk change-log write
(`deferred_touches`); then the session forgets the batch. Memory
stays flat however long the file; row errors keep the first MAX_KEPT_ERRORS by line and a
count of all.
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from repdesk.domain.ids import new_id
from repdesk.hub.admin import audit
from repdesk.hub.admin.fresh_load import FreshLoad
from repdesk.hub.admin.hub import Hub
from repdesk.hub.admin.lead_batches import (
    BATCH,
    KnownKeys,
    LeadContext,
    RowWriter,
    bulk_lead_facts,
    import_batch,
    sqlite_cache,
)
from repdesk.hub.db.base import table_of
from repdesk.hub.db.models import Campaign, Lead, NurtureEvent, Rep
from repdesk.hub.importers import EventRecord, RowError
from repdesk.hub.importers.encoding import Decoding, How
from repdesk.hub.importers.events import EventStream
from repdesk.hub.importers.leads import LeadStream
from repdesk.hub.importers.result import BoundedErrors
from repdesk.hub.importers.worker import batches_read_elsewhere
from repdesk.hub.sync.changes import (
    Touch,
    chunks,
    touch_global,
    touch_many,
)

log = logging.getLogger(__name__)

MAX_KEPT_ERRORS = 1000
"""Row errors kept for the report (the CLI shows 20); the rest are counted."""

_T = TypeVar("_T")


class _DryRun(Exception):
    """Raised inside the write transaction so a dry run rolls everything back."""


class _EncodingNotes:
    """What both import reports say about the file's encoding (their fields hold it)."""

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
class LeadImportReport(_EncodingNotes):
    format: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    assigned: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    skipped: int = 0
    """Rows skipped in all; `errors` keeps the first MAX_KEPT_ERRORS of them, by line."""
    encoding: str = "utf-8"
    encoding_how: str = "UTF-8"
    """How the encoding was chosen: "BOM", "UTF-8", "cp1252", "guessed" or "forced"."""
    sample: tuple[str, ...] = ()
    """A few decoded names, accented ones first, for a person to spot mojibake."""


@dataclass
class EventImportReport(_EncodingNotes):
    format: str
    created: int = 0
    already_there: int = 0
    campaigns_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    skipped: int = 0
    """Rows skipped in all; `errors` keeps the first MAX_KEPT_ERRORS of them, by line."""
    encoding: str = "utf-8"
    encoding_how: str = "UTF-8"
    """How the encoding was chosen: "BOM", "UTF-8", "cp1252", "guessed" or "forced"."""
    sample: tuple[str, ...] = ()
    """A few decoded campaign names and assets, accented ones first."""


def _batches(
    items: Iterable[_T | RowError], errors: BoundedErrors
) -> Generator[list[_T], None, None]:
    """Good records in lists of BATCH; row errors go to `errors` as they come, so errors
    found while writing a batch (always about its own, later, lines) keep line order."""
    batch: list[_T] = []
    for item in items:
        if isinstance(item, RowError):
            errors.add(item)
            continue
        batch.append(item)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _campaign_ids(session: Session) -> dict[str, str]:
    return {
        name.casefold(): cid for cid, name in session.execute(select(Campaign.id, Campaign.name))
    }


def _rep_ids(session: Session) -> dict[str, str]:
    active = select(Rep.email, Rep.id).where(Rep.disabled.is_(False))
    return {email: rep_id for email, rep_id in session.execute(active)}


def _mixed_case_emails(session: Session) -> dict[str, list[str]]:
    """{lower-cased email: lead ids} of live leads stored with capitals (imports store
    lower case; rows written otherwise may not). Lookups by email then use the index on
    `email` instead of scanning the table for lower(email) once per batch."""
    query = select(Lead.email, Lead.id).where(
        Lead.email != func.lower(Lead.email), Lead.deleted.is_(False)
    )
    out: dict[str, list[str]] = {}
    for email, lead_id in session.execute(query):
        out.setdefault(email.lower(), []).append(lead_id)
    return out


def import_leads(
    hub: Hub,
    path: Path,
    *,
    dry_run: bool = False,
    encoding: str | None = None,
    actor: str = audit.CLI_ACTOR,
    file_name: str | None = None,
    parallel: bool = False,
) -> LeadImportReport:
    """Upsert leads by external id, else email. Owners named by rep email are assigned.
    `encoding` forces the file's encoding (else it is found; the report says how). A real
    import writes its audit entry (`leads.import` by `actor`, naming `file_name`, the
    name the person knows the file by: text only) in the same transaction. `parallel`:
    read the file in a second process while this one writes (`importers.worker`). Off by
    default: measured on the 2-core hub machine it cost 9 CPU seconds more per million rows
    (pickling both ways) and was slower, 110 s against 77 s (benchmarks/RESULTS-import.md)."""
    stream = LeadStream(path, encoding=encoding)
    report = LeadImportReport(
        format=stream.format,
        dry_run=dry_run,
        encoding=stream.decoding.encoding,
        encoding_how=stream.decoding.how,
    )
    errors = BoundedErrors(MAX_KEPT_ERRORS)
    try:
        with hub.db.write() as session:
            context = LeadContext(
                _campaign_ids(session),
                _rep_ids(session),
                _mixed_case_emails(session),
                report,
                KnownKeys.of_hub(session),
                RowWriter(session),
            )
            with sqlite_cache(session), bulk_lead_facts(session) as copy_facts:
                context.copy_facts = copy_facts
                context.fresh = FreshLoad.begin(session)
                batches = (
                    batches_read_elsewhere(stream, BATCH, errors)
                    if parallel
                    else _batches(stream, errors)
                )
                with closing(batches):
                    for batch in batches:
                        import_batch(session, batch, context)
                if context.fresh is not None and not dry_run:
                    context.fresh.finish(session)
            if dry_run:
                raise _DryRun
            audit.record(
                session,
                actor,
                "leads.import",
                file_name or path.name,
                {
                    "format": report.format,
                    "encoding": report.encoding,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "assigned": report.assigned,
                    "errors": errors.count,
                },
            )
    except _DryRun:
        pass
    report.errors, report.skipped = errors.kept, errors.count
    report.sample = stream.sample.values()
    log.info(
        "leads from %s (%s): %d new, %d updated, %d skipped%s",
        path.name,
        report.encoding_note,
        report.created,
        report.updated,
        report.skipped,
        " (dry run)" if dry_run else "",
    )
    return report


def import_events(
    hub: Hub, path: Path, *, dry_run: bool = False, encoding: str | None = None
) -> EventImportReport:
    """Add nurture events to known leads; the same event imported twice is kept once.
    `encoding` forces the file's encoding (else it is found; the report says how)."""
    stream = EventStream(path, encoding=encoding)
    report = EventImportReport(
        format=stream.format,
        dry_run=dry_run,
        encoding=stream.decoding.encoding,
        encoding_how=stream.decoding.how,
    )
    errors = BoundedErrors(MAX_KEPT_ERRORS)
    try:
        with hub.db.write() as session:
            campaigns = _campaign_ids(session)
            mixed = _mixed_case_emails(session)
            for batch in _batches(stream, errors):
                _add_events(
                    session, batch, campaigns=campaigns, mixed=mixed, report=report, errors=errors
                )
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    report.errors, report.skipped = errors.kept, errors.count
    report.sample = stream.sample.values()
    log.info(
        "events from %s (%s): %d new, %d already there, %d skipped%s",
        path.name,
        report.encoding_note,
        report.created,
        report.already_there,
        report.skipped,
        " (dry run)" if dry_run else "",
    )
    return report


@dataclass(frozen=True, slots=True)
class _EventLead:
    id: str
    owner_rep_id: str | None


def _event_leads(
    session: Session, records: list[EventRecord], mixed: dict[str, list[str]]
) -> dict[tuple[str, str], _EventLead]:
    """{("id", external id) or ("email", address): lead} for every lead the batch names."""
    out: dict[tuple[str, str], _EventLead] = {}
    ids = sorted({r.lead_external_id for r in records if r.lead_external_id})
    emails = sorted({r.lead_email for r in records if r.lead_email})
    alive = Lead.deleted.is_(False)
    columns = (Lead.id, Lead.owner_rep_id, Lead.external_id, Lead.email, Lead.created_at)
    for chunk in chunks(ids, BATCH):
        for lead_id, owner, external_id, _, _ in session.execute(
            select(*columns).where(Lead.external_id.in_(chunk), alive)
        ):
            out[("id", external_id or "")] = _EventLead(lead_id, owner)
    found: list[tuple[datetime, str, str, str | None]] = []
    for chunk in chunks(emails, BATCH):
        for lead_id, owner, _, email, created in session.execute(
            select(*columns).where(Lead.email.in_(chunk), alive)
        ):
            found.append((created, lead_id, email, owner))
    odd = sorted({i for e in emails for i in mixed.get(e, ())})
    for chunk in chunks(odd):
        for lead_id, owner, _, email, created in session.execute(
            select(*columns).where(Lead.id.in_(chunk))
        ):
            found.append((created, lead_id, email.lower(), owner))
    # Oldest first wins when two leads share an address (setdefault keeps the first).
    for _created, lead_id, email, owner in sorted(found):
        out.setdefault(("email", email), _EventLead(lead_id, owner))
    return out


def _add_events(
    session: Session,
    records: list[EventRecord],
    *,
    campaigns: dict[str, str],
    mixed: dict[str, list[str]],
    report: EventImportReport,
    errors: BoundedErrors,
) -> None:
    leads = _event_leads(session, records, mixed)
    known: set[tuple[str, str, datetime, str]] = set()
    lead_ids = sorted({lead.id for lead in leads.values()})
    first = min(r.occurred_at for r in records)
    last = max(r.occurred_at for r in records)
    for chunk in chunks(lead_ids):
        rows = session.execute(
            select(
                NurtureEvent.lead_id,
                NurtureEvent.type,
                NurtureEvent.occurred_at,
                NurtureEvent.asset,
            ).where(
                NurtureEvent.lead_id.in_(chunk),
                NurtureEvent.occurred_at >= first,
                NurtureEvent.occurred_at <= last,
            )
        )
        known.update((a, b, c, d) for a, b, c, d in rows)
    new_rows: list[dict[str, Any]] = []
    touches: list[Touch] = []
    for record in records:
        # The CRM id first; the email when the id is unknown here (or not given).
        lead = leads.get(("id", record.lead_external_id)) or leads.get(("email", record.lead_email))
        if lead is None:
            named = " or ".join(
                f"{what} {value!r}"
                for what, value in (("id", record.lead_external_id), ("email", record.lead_email))
                if value
            )
            errors.add(RowError(record.line, f"no lead with the {named}"))
            continue
        key = (lead.id, record.type.value, record.occurred_at, record.asset)
        if key in known:
            report.already_there += 1
            continue
        known.add(key)
        campaign_id = None
        if record.campaign:
            campaign_id = campaigns.get(record.campaign.casefold())
            if campaign_id is None:
                campaign = Campaign(id=new_id(), name=record.campaign, version=1)
                session.add(campaign)
                session.flush()
                touch_global(session, "campaign", campaign.id, campaign.version)
                campaign_id = campaigns[record.campaign.casefold()] = campaign.id
                report.campaigns_created += 1
        event_id = new_id()
        new_rows.append(
            {
                "id": event_id,
                "lead_id": lead.id,
                "type": record.type.value,
                "occurred_at": record.occurred_at,
                "campaign_id": campaign_id,
                "asset": record.asset,
                "detail": record.detail,
                "score_delta": record.score_delta,
                "version": 1,
            }
        )
        if lead.owner_rep_id is not None:
            touches.append(
                Touch("nurture_event", event_id, lead.owner_rep_id, "upsert", 1, lead.id)
            )
        report.created += 1
    if new_rows:
        session.execute(insert(table_of(NurtureEvent)), new_rows)
    touch_many(session, touches)
    session.expunge_all()
