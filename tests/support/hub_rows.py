"""Small, direct writers of hub rows (reps, leads, events, reference data) for tests and
demos. Each call is one transaction and feeds the change log like any other writer.
`count_rows` reads back how many rows of a model the hub holds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from repdesk.domain.ids import utcnow
from repdesk.hub.auth import hash_password, normalize_email
from repdesk.hub.db import models as m
from repdesk.hub.db.engine import Database
from repdesk.hub.file_store import FileStore
from repdesk.hub.sync import changes
from repdesk.protocol.schema import RubricData


def count_rows(db: Database, model: type[m.Base], **where: object) -> int:
    """How many rows of `model` the hub holds whose columns equal `where`."""
    with db.read() as s:
        stmt = select(func.count()).select_from(model)
        for key, value in where.items():
            stmt = stmt.where(getattr(model, key) == value)
        return int(s.scalar(stmt) or 0)


def add_rep(
    db: Database,
    email: str,
    password: str,
    name: str = "",
    *,
    disabled: bool = False,
    password_hash: str | None = None,
) -> str:
    """A rep account; pass `password_hash` to skip the (deliberately slow) hashing."""
    with db.write() as s:
        rep = m.Rep(
            email=normalize_email(email),
            name=name or email.split("@", maxsplit=1)[0].title(),
            password_hash=password_hash or hash_password(password),
            disabled=disabled,
        )
        s.add(rep)
        s.flush()
        return rep.id


def add_campaign(db: Database, name: str, **fields: Any) -> str:
    with db.write() as s:
        row = m.Campaign(name=name, **fields)
        s.add(row)
        s.flush()
        changes.touch_global(s, "campaign", row.id, row.version)
        return row.id


def add_lead(db: Database, owner_rep_id: str | None, **fields: Any) -> str:
    """A lead (fields as in `models.Lead`), assigned to `owner_rep_id`."""
    with db.write() as s:
        lead = m.Lead(**fields)
        s.add(lead)
        s.flush()
        changes.reassign_lead(s, lead, owner_rep_id)
        return lead.id


def update_lead(db: Database, lead_id: str, **fields: Any) -> int:
    """Change a lead's marketing fields; returns its new version."""
    with db.write() as s:
        lead = s.get(m.Lead, lead_id)
        assert lead is not None
        for key, value in fields.items():
            setattr(lead, key, value)
        lead.version += 1
        lead.updated_at = utcnow()
        changes.touch_lead(s, lead)
        return lead.version


def reassign(db: Database, lead_id: str, owner_rep_id: str | None) -> None:
    with db.write() as s:
        lead = s.get(m.Lead, lead_id)
        assert lead is not None
        changes.reassign_lead(s, lead, owner_rep_id)


def add_event(
    db: Database, lead_id: str, type: str, occurred_at: datetime | None = None, **fields: Any
) -> str:
    with db.write() as s:
        lead = s.get(m.Lead, lead_id)
        assert lead is not None
        event = m.NurtureEvent(
            lead_id=lead_id, type=type, occurred_at=occurred_at or utcnow(), **fields
        )
        s.add(event)
        s.flush()
        changes.touch_lead_item(s, "nurture_event", event.id, lead, event.version)
        return event.id


def add_category(db: Database, code: str, label: str, description: str = "") -> None:
    with db.write() as s:
        row = m.ObjectionCategory(code=code, label=label, description=description)
        s.add(row)
        s.flush()
        changes.touch_global(s, "objection_category", code, row.version)


def set_rubric(db: Database, rubric: RubricData) -> str:
    """Publish `rubric` as the active one (earlier ones are withdrawn)."""
    with db.write() as s:
        for old in s.scalars(select(m.RubricRow).where(m.RubricRow.active.is_(True))).all():
            old.active = False
            old.version += 1
            changes.touch_global(s, "rubric", old.id, old.version, op="remove")
        row = m.RubricRow(name=rubric.name, data=rubric.model_dump(mode="json"))
        s.add(row)
        s.flush()
        changes.touch_global(s, "rubric", row.id, row.version)
        return row.id


def add_collateral(
    db: Database,
    files: FileStore,
    content: bytes,
    title: str,
    media_type: str = "application/pdf",
    **fields: Any,
) -> tuple[str, str]:
    """Store `content` and list it; returns (collateral id, sha256)."""
    sha, size = files.put_bytes(content)
    with db.write() as s:
        row = m.Collateral(sha256=sha, size=size, media_type=media_type, title=title, **fields)
        s.add(row)
        s.flush()
        changes.touch_global(s, "collateral", row.id, row.version)
        return row.id, sha


def set_bant_as_marketing(db: Database, lead_id: str, dimension: str, value: str | None) -> int:
    """Marketing (not a rep) changes one BANT field; returns the new qualification version."""
    with db.write() as s:
        lead = s.get(m.Lead, lead_id)
        assert lead is not None
        qual = s.get(m.Qualification, lead_id)
        if qual is None:
            qual = m.Qualification(lead_id=lead_id, version=0)
            s.add(qual)
            s.flush()
        qual.version += 1
        field = s.get(m.QualificationField, (lead_id, dimension))
        if field is None:
            field = m.QualificationField(lead_id=lead_id, dimension=dimension)
            s.add(field)
        field.value = value
        field.recorded_by = "marketing"
        field.recorded_at = utcnow()
        field.version = qual.version
        field.client_id = ""
        s.flush()
        changes.touch_lead_item(s, "qualification", lead_id, lead, qual.version)
        return qual.version


__all__ = [
    "add_campaign",
    "add_category",
    "add_collateral",
    "add_event",
    "add_lead",
    "add_rep",
    "reassign",
    "set_bant_as_marketing",
    "set_rubric",
    "update_lead",
]
