"""The Overview: the landing page with the headline counts and the way to each section."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from repdesk.hub.admin.overview import RECENT, overview_counts
from repdesk.hub.workspace.access import Access, CurrentUser, section_router
from repdesk.hub.workspace.context import PREFIX, hub_for
from repdesk.hub.workspace.nav import NavGroup, nav_for
from repdesk.hub.workspace.rendering import render

router = section_router(Access.MARKETING)

OVERVIEW = f"{PREFIX}/"


@router.get("/")
def overview(request: Request, user: CurrentUser) -> Response:
    counts = overview_counts(hub_for(request))
    sections = [
        NavGroup(group.name, tuple(e for e in group.entries if e.path != OVERVIEW))
        for group in nav_for(user.role)
    ]
    return render(
        request,
        "overview/overview.html",
        counts=counts,
        recent_days=RECENT.days,
        sections=[group for group in sections if group.entries],
    )


__all__ = ["router"]
