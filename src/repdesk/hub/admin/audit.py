"""The audit log: who changed what, when (workspace users by email, the CLI as "cli").

`record` is called inside the writing transaction of the change it describes, so an
entry exists exactly when the change does. `audit_page` reads it newest first, a page at a
time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from repdesk.domain.ids import utcnow
from repdesk.hub.db.models import AuditEntry

CLI_ACTOR = "cli"
"""The actor of changes made with the `repdesk-hub` command line."""
PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    at: datetime
    actor: str
    action: str
    """A dotted verb, e.g. "user.add", "rubric.publish"."""
    target: str
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AuditPage:
    entries: list[AuditRecord]
    page: int
    """1-based."""
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def record(
    session: Session,
    actor: str,
    action: str,
    target: str = "",
    detail: dict[str, Any] | None = None,
    *,
    now: datetime | None = None,
) -> None:
    """Add one entry in the caller's (writing) transaction. `detail` must be JSON-able
    and never hold a secret (no passwords, no tokens)."""
    session.add(
        AuditEntry(
            at=now or utcnow(),
            actor=actor[:320],
            action=action[:100],
            target=target[:500],
            detail=dict(detail or {}),
        )
    )


def _record(row: AuditEntry) -> AuditRecord:
    return AuditRecord(row.id, row.at, row.actor, row.action, row.target, dict(row.detail or {}))


def audit_entries(session: Session, limit: int | None = None) -> list[AuditRecord]:
    """Every entry (or the newest `limit`), newest first."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return [_record(r) for r in session.scalars(query)]


def audit_page(session: Session, page: int = 1, per_page: int = PAGE_SIZE) -> AuditPage:
    """Entries newest first; `page` is clamped to the pages there are."""
    per_page = max(1, min(per_page, 500))
    total = int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
    last = max(1, -(-total // per_page))
    page = min(max(1, page), last)
    rows = session.scalars(
        select(AuditEntry)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return AuditPage([_record(r) for r in rows], page, per_page, total)


__all__ = [
    "CLI_ACTOR",
    "PAGE_SIZE",
    "AuditPage",
    "AuditRecord",
    "audit_entries",
    "audit_page",
    "record",
]
