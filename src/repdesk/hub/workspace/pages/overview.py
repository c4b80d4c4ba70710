"""The Overview: the landing page with the headline counts and the way to each section."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from repdesk.hub.admin.overview import RECENT, overview_counts
from repdesk.hub.workspace.access import Access, section_router
from repdesk.hub.workspace.context import hub_for
from repdesk.hub.workspace.rendering import render

router = section_router(Access.MARKETING)


@router.get("/")
def overview(request: Request) -> Response:
    counts = overview_counts(hub_for(request))
    return render(request, "overview/overview.html", counts=counts, recent_days=RECENT.days)


__all__ = ["router"]
