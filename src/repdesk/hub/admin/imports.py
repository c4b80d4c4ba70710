"""Importing leads and nurture history into the hub, recorded in the change log.

Files are streamed (`LeadStream`, `EventStream`) and written in batches of BATCH rows
inside one transaction (a dry run rolls it back): per batch, one bulk lookup of the leads
the rows name, one bulk INSERT of the new rows, ORM updates of the changed ones and one
bulk change-log write (`deferred_touches`); then the session forgets the batch. Memory
stays flat however long the file; row errors keep the first MAX_KEPT_ERRORS by line and a
count of all.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session

from repdesk.domain.ids import new_id, ordered_ids, utcnow
from repdesk.hub.admin import audit
from repdesk.hub.admin.hub import Hub
from repdesk.hub.db.models import Campaign, Lead, NurtureEvent, Rep
from repdesk.hub.importers import EventRecord, LeadRecord, RowError
from repdesk.hub.importers.encoding import Decoding, How
from repdesk.hub.importers.events import EventStream
from repdesk.hub.importers.leads import LeadStream
from repdesk.hub.importers.result import BoundedErrors
from repdesk.hub.sync.changes import (
    Touch,
    chunks,
    deferred_touches,
    reassign_leads,
    touch_global,
    touch_lead,
    touch_many,
)

log = logging.getLogger(__name__)

BATCH = 2000
"""Rows written per batch: big enough for bulk statements to pay, small enough to keep
memory flat; also the ids per IN (...) lookup (far below SQLite's 32766 and PostgreSQL's
65535 parameters)."""
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


def _batches(items: Iterable[_T | RowError], errors: BoundedErrors) -> Iterator[list[_T]]:
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


def _table(model: type[Lead | NurtureEvent]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _values(record: LeadRecord) -> dict[str, Any]:
    return {
        "first_name": record.first_name,
        "last_name": record.last_name,
        "company": record.company,
        "email": record.email,
        "title": record.title,
        "industry": record.industry,
        "company_size": record.company_size,
        "phone": record.phone,
        "country": record.country,
        "lifecycle_stage": record.lifecycle_stage.value,
        "lead_status": record.lead_status.value,
        "score": record.score,
        "marketing_notes": record.marketing_notes,
    }


class _NewLead:
    """A lead this batch will INSERT (a row dict, not an ORM object: no per-row
    unit-of-work cost); later rows of the batch can still match and change it."""

    __slots__ = ("row",)

    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row

    @property
    def external_id(self) -> str | None:
        return cast("str | None", self.row["external_id"])

    @property
    def email(self) -> str:
        return cast(str, self.row["email"])


class _LeadIndex:
    """The batch's leads already in the hub (a few bulk queries), plus the ones the batch
    creates as it goes."""

    def __init__(
        self, session: Session, records: list[LeadRecord], mixed: dict[str, list[str]]
    ) -> None:
        self.by_external: dict[str, Lead | _NewLead] = {}
        self.by_email: dict[str, list[Lead | _NewLead]] = {}
        external_ids = sorted({r.external_id for r in records if r.external_id})
        emails = sorted({r.email for r in records if r.email})
        for chunk in chunks(external_ids, BATCH):
            for lead in session.scalars(select(Lead).where(Lead.external_id.in_(chunk))):
                self.by_external[lead.external_id or ""] = lead
        found: dict[str, Lead] = {}
        alive = Lead.deleted.is_(False)
        for chunk in chunks(emails, BATCH):
            for lead in session.scalars(select(Lead).where(Lead.email.in_(chunk), alive)):
                found[lead.id] = lead
        odd = sorted({i for e in emails for i in mixed.get(e, ())})
        for chunk in chunks(odd):
            for lead in session.scalars(select(Lead).where(Lead.id.in_(chunk))):
                found[lead.id] = lead
        # Oldest first: the first lead with an address is the one a bare email matches.
        for lead in sorted(found.values(), key=lambda x: (x.created_at, x.id)):
            self.by_email.setdefault(lead.email.lower(), []).append(lead)

    def find(self, record: LeadRecord) -> Lead | _NewLead | None:
        if record.external_id and record.external_id in self.by_external:
            return self.by_external[record.external_id]
        for lead in self.by_email.get(record.email, []) if record.email else []:
            # A record with its own CRM id only merges into a lead that has none yet, so
            # two CRM records sharing an address stay two leads.
            if not record.external_id or lead.external_id is None:
                return lead
        return None

    def add(self, lead: _NewLead) -> None:
        if lead.external_id:
            self.by_external[lead.external_id] = lead
        if lead.email:
            self.by_email.setdefault(lead.email.lower(), []).append(lead)


@dataclass
class _LeadContext:
    campaigns: dict[str, str]
    reps: dict[str, str]
    mixed: dict[str, list[str]]
    report: LeadImportReport
    ids: Iterator[str] = field(default_factory=ordered_ids)
    """Ids of the new leads, ascending (see `ordered_ids`: index writes append)."""
    copy_facts: bool = False
    """The import writes new leads' `lead_facts` rows itself (see `_bulk_lead_facts`)."""


SQLITE_IMPORT_CACHE_KIB = 16384
"""SQLite page cache (KiB) while an import writes: the default 2 MB holds too little of
the leads and lead_facts indexes for a million-row file and every batch re-reads them
(pages are only held once touched; the 300 MB budget for a 1M-row import includes it)."""


@contextmanager
def _sqlite_cache(session: Session) -> Iterator[None]:
    """A bigger page cache for the import's connection, set back afterwards."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    before = session.execute(text("PRAGMA cache_size")).scalar_one()
    session.execute(text(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}"))
    try:
        yield
    finally:
        session.execute(text(f"PRAGMA cache_size = {int(before)}"))


_FACTS_TRIGGER = "tr_lead_facts_leads_insert"
_FACTS_COPY = text(
    "INSERT INTO lead_facts (lead_id, source_campaign_id, owner_rep_id, assigned_at, deleted,"
    " worked) SELECT id, source_campaign_id, owner_rep_id, assigned_at, deleted, 0"
    " FROM leads WHERE rowid > :after"
)


@contextmanager
def _bulk_lead_facts(session: Session) -> Iterator[bool]:
    """SQLite: the import writes the `lead_facts` rows of the leads it inserts itself, one
    INSERT ... SELECT per batch, instead of the per-row insert trigger (a quarter of the
    CPU rate of a plain insert). The trigger is dropped inside the import's transaction
    and created again from its own stored SQL before the transaction ends; SQLite DDL is
    transactional and this transaction is the only writer, so no other write ever runs
    without it and an error or a dry run rolls the drop back. Yields whether the import
    must copy the facts (False on PostgreSQL, or a hub without the trigger)."""
    if session.get_bind().dialect.name != "sqlite":
        yield False
        return
    found = text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name")
    sql = session.execute(found, {"name": _FACTS_TRIGGER}).scalar_one_or_none()
    if sql is None:
        yield False
        return
    connection = session.connection()
    connection.exec_driver_sql(f"DROP TRIGGER {_FACTS_TRIGGER}")
    yield True
    connection.exec_driver_sql(sql)


def _copy_new_facts(session: Session, after: int) -> None:
    """The `lead_facts` rows of the leads inserted with a rowid above `after` (this
    batch's), as the insert trigger computes them for a lead with no calls, verdict or
    BANT answers yet (a new lead's id is new: no child row can name it)."""
    session.execute(_FACTS_COPY, {"after": after})


def import_leads(
    hub: Hub,
    path: Path,
    *,
    dry_run: bool = False,
    encoding: str | None = None,
    actor: str = audit.CLI_ACTOR,
    file_name: str | None = None,
) -> LeadImportReport:
    """Upsert leads by external id, else email. Owners named by rep email are assigned.
    `encoding` forces the file's encoding (else it is found; the report says how). A real
    import writes its audit entry (`leads.import` by `actor`, naming `file_name`, the
    name the person knows the file by: text only) in the same transaction."""
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
            context = _LeadContext(
                _campaign_ids(session), _rep_ids(session), _mixed_case_emails(session), report
            )
            with _sqlite_cache(session), _bulk_lead_facts(session) as copy_facts:
                context.copy_facts = copy_facts
                for batch in _batches(stream, errors):
                    _import_lead_batch(session, batch, context)
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


def _import_lead_batch(session: Session, records: list[LeadRecord], ctx: _LeadContext) -> None:
    report = ctx.report
    index = _LeadIndex(session, records, ctx.mixed)
    now = utcnow()
    new_rows: list[dict[str, Any]] = []
    moves: dict[str, tuple[Lead, str]] = {}
    with session.no_autoflush, deferred_touches(session):
        for record in records:
            values = _values(record)
            campaign_id = ctx.campaigns.get(record.source.casefold()) if record.source else None
            owner = ctx.reps.get(record.owner.strip().lower()) if record.owner else None
            lead = index.find(record)
            if lead is None:
                row = {
                    "id": next(ctx.ids),
                    "external_id": record.external_id or None,
                    "source_campaign_id": campaign_id,
                    "version": 1,
                    "owner_rep_id": None,
                    "assigned_at": None,
                    "deleted": False,
                    "created_at": record.created_at or now,
                    "updated_at": now,
                    **values,
                }
                new_rows.append(row)
                lead = _NewLead(row)
                index.add(lead)
                report.created += 1
            elif isinstance(lead, _NewLead):
                _update_new(lead, record, values, campaign_id, report)
            else:
                _update_existing(
                    session,
                    lead,
                    record=record,
                    values=values,
                    campaign_id=campaign_id,
                    report=report,
                )
            if owner is None:
                continue
            if isinstance(lead, _NewLead):
                if lead.row["owner_rep_id"] != owner:
                    # What `reassign_lead` does to a lead with nothing under it yet.
                    lead.row.update(owner_rep_id=owner, assigned_at=now)
                    lead.row["version"] += 1
                    report.assigned += 1
            elif moves.get(lead.id, (lead, lead.owner_rep_id))[1] != owner:
                moves[lead.id] = (lead, owner)
                report.assigned += 1
        if new_rows:
            # Core INSERT of plain rows: one executemany, no ORM bookkeeping per row.
            last_rowid = 0
            if ctx.copy_facts:
                last = session.execute(text("SELECT max(rowid) FROM leads")).scalar()
                last_rowid = int(last or 0)
            session.execute(insert(_table(Lead)), new_rows)
            if ctx.copy_facts:
                _copy_new_facts(session, last_rowid)
            touch_many(
                session,
                [
                    Touch("lead", r["id"], r["owner_rep_id"], "upsert", r["version"], r["id"])
                    for r in new_rows
                    if r["owner_rep_id"] is not None
                ],
            )
        by_owner: dict[str, list[Lead]] = {}
        for lead, owner in moves.values():
            by_owner.setdefault(owner, []).append(lead)
        for owner, leads in by_owner.items():
            reassign_leads(session, leads, owner)
    session.flush()
    session.expunge_all()  # the batch is written: let its objects go


def _update_new(
    lead: _NewLead,
    record: LeadRecord,
    values: dict[str, Any],
    campaign_id: str | None,
    report: LeadImportReport,
) -> None:
    """A later row of the same batch matched a lead the batch creates (e.g. the same
    email, now with a CRM id): change the row to be inserted, as an update would."""
    row = lead.row
    changed = {k: v for k, v in values.items() if row[k] != v}
    if campaign_id is not None and row["source_campaign_id"] != campaign_id:
        changed["source_campaign_id"] = campaign_id
    if record.external_id and not row["external_id"]:
        changed["external_id"] = record.external_id
    if changed:
        row.update(changed)
        row["version"] += 1
        report.updated += 1
    else:
        report.unchanged += 1


def _update_existing(
    session: Session,
    lead: Lead,
    *,
    record: LeadRecord,
    values: dict[str, Any],
    campaign_id: str | None,
    report: LeadImportReport,
) -> None:
    changed = {k: v for k, v in values.items() if getattr(lead, k) != v}
    if campaign_id is not None and lead.source_campaign_id != campaign_id:
        changed["source_campaign_id"] = campaign_id
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
        session.execute(insert(_table(NurtureEvent)), new_rows)
    touch_many(session, touches)
    session.expunge_all()
