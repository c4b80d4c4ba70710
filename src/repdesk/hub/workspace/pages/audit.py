"""The audit log (admins): every change made in the workspace or with the CLI, newest
first, a page at a time; also as a CSV download."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from repdesk.hub.admin.audit import AuditRecord, audit_entries, audit_page
from repdesk.hub.api.state import hub_state
from repdesk.hub.workspace.access import Access, section_router
from repdesk.hub.workspace.downloads import csv_download
from repdesk.hub.workspace.rendering import render

router = section_router(Access.ADMIN)

CSV_COLUMNS = ("at", "actor", "action", "target", "detail")
_CSV_LIMIT = 100_000


def _page_number(raw: str) -> int:
    return int(raw) if raw.isdigit() and 0 < len(raw) < 9 else 1


def describe_detail(entry: AuditRecord) -> str:
    """The detail as "key: value, ..." (plain text)."""
    return ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in sorted(entry.detail.items()))


@router.get("/audit")
def audit_log(request: Request, page: str = "1") -> Response:
    with hub_state(request).db.read() as session:
        found = audit_page(session, _page_number(page))
    return render(request, "audit/audit.html", log=found, describe_detail=describe_detail)


@router.get("/audit.csv")
def audit_csv(request: Request) -> Response:
    with hub_state(request).db.read() as session:
        entries = audit_entries(session, _CSV_LIMIT)
    rows = (
        {
            "at": e.at.isoformat(),
            "actor": e.actor,
            "action": e.action,
            "target": e.target,
            "detail": describe_detail(e),
        }
        for e in entries
    )
    return csv_download("audit-log.csv", CSV_COLUMNS, rows)


__all__ = ["router"]
