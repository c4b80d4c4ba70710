"""Writing one batch of imported leads: match each record to a lead (the file's earlier
rows, then the hub's), update the matches, INSERT the new ones in one executemany.

Per row this is a few dict lookups and one list: a new lead is a list of its column
values in `INSERT_COLUMNS` order, already in the form the database driver takes (the
columns' own SQLAlchemy bind processors, chosen once per import), so the batch goes to
the driver as one prepared statement with no per-value work in between. The hub's leads
are looked up only for records whose id or email `KnownKeys` may have seen; for a fresh
hub that is none, and each batch skips its two IN (...) queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from repdesk.domain.ids import ordered_ids, utcnow
from repdesk.hub.admin.fresh_load import FreshLoad
from repdesk.hub.db.base import table_of
from repdesk.hub.db.models import Lead
from repdesk.hub.importers import LeadRecord
from repdesk.hub.sync.changes import (
    Touch,
    chunks,
    deferred_touches,
    reassign_leads,
    touch_lead,
    touch_many,
)

BATCH = 2000
"""Rows written per batch: big enough for bulk statements to pay, small enough to keep
memory flat; also the ids per IN (...) lookup (far below SQLite's 32766 and PostgreSQL's
65535 parameters)."""

VALUE_COLUMNS = (
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
"""The columns a file sets, in `LeadRecord` order (see `values`)."""
INSERT_COLUMNS = (
    "id",
    "external_id",
    "source_campaign_id",
    "version",
    "owner_rep_id",
    "assigned_at",
    "deleted",
    "created_at",
    "updated_at",
    *VALUE_COLUMNS,
)
_ID, _EXTERNAL, _CAMPAIGN, _VERSION, _OWNER, _ASSIGNED = range(6)
_VALUES = slice(9, 9 + len(VALUE_COLUMNS))
_EMAIL = 9 + VALUE_COLUMNS.index("email")


def values(record: LeadRecord) -> tuple[Any, ...]:
    """The record's VALUE_COLUMNS values, as stored (`str` of a StrEnum member is its
    value, in one C call: the `.value` property costs a Python call per row)."""
    return (
        *record[2:11],  # first_name .. country
        str(record.lifecycle_stage),
        str(record.lead_status),
        record.score,
        record.marketing_notes,
    )


class Counts(Protocol):
    created: int
    updated: int
    unchanged: int
    assigned: int


class KnownKeys:
    """The ids and emails (lower case) of the hub's leads, as a Bloom filter: "maybe"
    or a sure "no", in 16 MB whatever the number of leads. A false "maybe" (about 1 in
    1,000 at two million keys) only costs a lookup that finds nothing."""

    _BITS = 1 << 27

    def __init__(self) -> None:
        self._bits = bytearray(self._BITS >> 3)

    def add(self, key: str) -> None:
        h = hash(key)
        a, b = h & (self._BITS - 1), (h >> 27) & (self._BITS - 1)
        self._bits[a >> 3] |= 1 << (a & 7)
        self._bits[b >> 3] |= 1 << (b & 7)

    def __contains__(self, key: str) -> bool:
        h = hash(key)
        a, b = h & (self._BITS - 1), (h >> 27) & (self._BITS - 1)
        return bool(self._bits[a >> 3] & (1 << (a & 7)) and self._bits[b >> 3] & (1 << (b & 7)))

    @classmethod
    def of_hub(cls, session: Session) -> KnownKeys:
        known = cls()
        add = known.add
        rows = session.execute(select(Lead.external_id, Lead.email)).yield_per(10_000)
        for external_id, email in rows:
            if external_id:
                add(external_id)
            if email:
                add(email.lower())
        return known


class _NewLead:
    """A lead this batch will INSERT: its row (a tuple in INSERT_COLUMNS order, not an
    ORM object: no per-row unit-of-work cost) is `rows[at]`; later rows can still match
    and change it (`change` puts a changed copy in its place)."""

    __slots__ = ("at", "rows")

    def __init__(self, rows: list[tuple[Any, ...]], at: int) -> None:
        self.rows, self.at = rows, at

    @property
    def row(self) -> tuple[Any, ...]:
        return self.rows[self.at]

    @property
    def external_id(self) -> str | None:
        value: str | None = self.rows[self.at][_EXTERNAL]
        return value

    def change(self, changes: dict[int, Any]) -> None:
        """Set these columns (by position) and count one more version."""
        row = list(self.rows[self.at])
        for position, value in changes.items():
            row[position] = value
        row[_VERSION] += 1
        self.rows[self.at] = tuple(row)


class _LeadIndex:
    """The batch's leads already in the hub (a few bulk queries, for the sorted ids and
    emails that may be there), plus the ones the batch creates as it goes."""

    def __init__(
        self,
        session: Session,
        external_ids: list[str],
        emails: list[str],
        mixed: dict[str, list[str]],
    ) -> None:
        self.by_external: dict[str, Lead | _NewLead] = {}
        self.by_email: dict[str, list[Lead | _NewLead]] = {}
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
        external_id, email = record.external_id, record.email
        if external_id:
            lead = self.by_external.get(external_id)
            if lead is not None:
                return lead
        if email:
            for lead in self.by_email.get(email, ()):
                # A record with its own CRM id only merges into a lead that has none yet,
                # so two CRM records sharing an address stay two leads.
                if not external_id or lead.external_id is None:
                    return lead
        return None

    def add(self, lead: _NewLead, external_id: str | None, email: str) -> None:
        if external_id:
            self.by_external[external_id] = lead
        if email:
            self.by_email.setdefault(email, []).append(lead)


class RowWriter:
    """INSERT_COLUMNS rows into `leads` through the driver: one prepared statement per
    import, run with executemany; values already bound (`stored`)."""

    def __init__(self, session: Session) -> None:
        dialect = session.get_bind().dialect
        table = table_of(Lead)
        marker = "?" if dialect.paramstyle == "qmark" else "%s"
        self.sql = (
            f"INSERT INTO leads ({', '.join(INSERT_COLUMNS)}) "
            f"VALUES ({', '.join(marker for _ in INSERT_COLUMNS)})"
        )
        if dialect.paramstyle not in ("qmark", "format", "pyformat"):
            raise NotImplementedError(f"no lead import for {dialect.paramstyle} drivers")

        def processor(name: str) -> Callable[[Any], Any]:
            found = table.c[name].type.bind_processor(dialect)
            return found if found is not None else (lambda value: value)

        self.stored_time: Callable[[datetime], Any] = processor("created_at")
        self.stored_false = processor("deleted")(False)

    def write(self, session: Session, rows: list[tuple[Any, ...]]) -> None:
        session.connection().exec_driver_sql(self.sql, rows)


SQLITE_IMPORT_CACHE_KIB = 16384
"""SQLite page cache (KiB) while an import writes: the default 2 MB holds too little of
the leads and lead_facts indexes for a million-row file and every batch re-reads them
(pages are only held once touched; the 300 MB budget for a 1M-row import includes it)."""


@contextmanager
def sqlite_cache(session: Session) -> Iterator[None]:
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
def bulk_lead_facts(session: Session) -> Iterator[bool]:
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


@dataclass
class LeadContext:
    """What every batch of one import shares."""

    campaigns: dict[str, str]
    reps: dict[str, str]
    mixed: dict[str, list[str]]
    counts: Counts
    known: KnownKeys
    writer: RowWriter
    ids: Iterator[str] = field(default_factory=ordered_ids)
    """Ids of the new leads, ascending (see `ordered_ids`: index writes append)."""
    copy_facts: bool = False
    """The import writes new leads' `lead_facts` rows itself (see `bulk_lead_facts`)."""
    fresh: FreshLoad | None = None
    """Set when the hub had no leads: indexes are built after the load (`fresh_load`)."""


def import_batch(session: Session, records: list[LeadRecord], ctx: LeadContext) -> None:
    counts, known = ctx.counts, ctx.known
    fresh = ctx.fresh
    external_ids = sorted({r[1] for r in records if r[1] and r[1] in known})
    if fresh is None:
        emails = sorted({r[5] for r in records if r[5] and r[5] in known})
    else:  # exact: a lookup by email needs the index, built when first needed
        emails = sorted({r[5] for r in records if r[5] and hash(r[5]) in fresh.emails})
        if emails:
            fresh.need_email_index(session)
    index = _LeadIndex(session, external_ids, emails, ctx.mixed)
    now = utcnow()
    stored_now = ctx.writer.stored_time(now)
    stored_false = ctx.writer.stored_false
    stored_time = ctx.writer.stored_time
    campaigns, reps, ids = ctx.campaigns, ctx.reps, ctx.ids
    new_rows: list[tuple[Any, ...]] = []
    moves: dict[str, tuple[Lead, str]] = {}
    with session.no_autoflush, deferred_touches(session):
        for record in records:
            source, owner_name = record.source, record.owner
            campaign_id = campaigns.get(source.casefold()) if source else None
            owner = reps.get(owner_name.lower()) if owner_name else None
            lead = index.find(record)
            if lead is None:
                external_id = record.external_id or None
                lead = _NewLead(new_rows, len(new_rows))
                new_rows.append(
                    (
                        next(ids),
                        external_id,
                        campaign_id,
                        1,
                        None,
                        None,
                        stored_false,
                        stored_time(record.created_at or now),
                        stored_now,
                        *values(record),
                    )
                )
                index.add(lead, external_id, record.email)
                counts.created += 1
            elif isinstance(lead, _NewLead):
                _update_new(lead, record, campaign_id, counts)
            else:
                _update_existing(
                    session,
                    lead,
                    record=record,
                    campaign_id=campaign_id,
                    counts=counts,
                    known=known,
                )
                if fresh is not None and record.email:
                    fresh.emails.setdefault(hash(record.email), 0)
            if owner is None:
                continue
            if isinstance(lead, _NewLead):
                if lead.row[_OWNER] != owner:
                    # What `reassign_lead` does to a lead with nothing under it yet.
                    lead.change({_OWNER: owner, _ASSIGNED: stored_now})
                    counts.assigned += 1
            elif moves.get(lead.id, (lead, lead.owner_rep_id))[1] != owner:
                moves[lead.id] = (lead, owner)
                counts.assigned += 1
        if new_rows:
            last_rowid = 0
            if ctx.copy_facts:
                last = session.execute(text("SELECT max(rowid) FROM leads")).scalar()
                last_rowid = int(last or 0)
            ctx.writer.write(session, new_rows)
            if ctx.copy_facts:
                session.execute(_FACTS_COPY, {"after": last_rowid})
            for row in new_rows:
                if row[_EXTERNAL]:
                    known.add(row[_EXTERNAL])
                if not row[_EMAIL]:
                    continue
                if fresh is None:
                    known.add(row[_EMAIL])
                else:
                    fresh.emails.setdefault(hash(row[_EMAIL]), 0)
            touch_many(
                session,
                [
                    Touch("lead", r[_ID], r[_OWNER], "upsert", r[_VERSION], r[_ID])
                    for r in new_rows
                    if r[_OWNER] is not None
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
    lead: _NewLead, record: LeadRecord, campaign_id: str | None, counts: Counts
) -> None:
    """A later row of the same batch matched a lead the batch creates (e.g. the same
    email, now with a CRM id): change the row to be inserted, as an update would."""
    row = lead.row
    new = values(record)
    changes: dict[int, Any] = {}
    if row[_VALUES] != new:
        changes.update(enumerate(new, start=_VALUES.start))
    if campaign_id is not None and row[_CAMPAIGN] != campaign_id:
        changes[_CAMPAIGN] = campaign_id
    if record.external_id and not row[_EXTERNAL]:
        changes[_EXTERNAL] = record.external_id
    if changes:
        lead.change(changes)
        counts.updated += 1
    else:
        counts.unchanged += 1


def _update_existing(
    session: Session,
    lead: Lead,
    *,
    record: LeadRecord,
    campaign_id: str | None,
    counts: Counts,
    known: KnownKeys,
) -> None:
    changed = {
        k: v for k, v in zip(VALUE_COLUMNS, values(record), strict=True) if getattr(lead, k) != v
    }
    if campaign_id is not None and lead.source_campaign_id != campaign_id:
        changed["source_campaign_id"] = campaign_id
    if record.external_id and not lead.external_id:
        changed["external_id"] = record.external_id
        known.add(record.external_id)
    if lead.deleted:
        changed["deleted"] = False
    if "email" in changed and record.email:
        known.add(record.email)
    if changed:
        for name, value in changed.items():
            setattr(lead, name, value)
        lead.version += 1
        touch_lead(session, lead)
        counts.updated += 1
    else:
        counts.unchanged += 1


__all__ = [
    "BATCH",
    "INSERT_COLUMNS",
    "SQLITE_IMPORT_CACHE_KIB",
    "KnownKeys",
    "LeadContext",
    "RowWriter",
    "bulk_lead_facts",
    "import_batch",
    "sqlite_cache",
    "values",
]
