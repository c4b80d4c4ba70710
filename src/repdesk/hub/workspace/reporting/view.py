"""Rendering one report page: the filter bar, the section's tables and charts (generic),
and the page's own blocks (`PageExtras`: the SLA form, the over-SLA list, the objection
feed). A request from the filter bar's htmx (target `report-results`) gets the results
alone; anything else (no JavaScript, a bookmark, a history restore) the whole page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from repdesk.hub.api.state import hub_state
from repdesk.hub.reports import filter_options
from repdesk.hub.workspace.flash import Flash
from repdesk.hub.workspace.rendering import render
from repdesk.hub.workspace.reporting.catalog import PAGES, ReportPage
from repdesk.hub.workspace.reporting.cells import chart_payload, is_numeric, table_views
from repdesk.hub.workspace.reporting.filter_form import FilterForm, read_filter

RESULTS_ID = "report-results"

PageExtras = Callable[[Request, Session, FilterForm], dict[str, Any]]
"""A page's own context (its blocks' data), read in the page's read transaction."""


def wants_fragment(request: Request, target: str) -> bool:
    """An htmx request aimed at element `target` (not a history restore, which needs the
    whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
        and request.headers.get("HX-Target") == target
    )


def render_report(
    request: Request,
    page: ReportPage,
    extras: PageExtras | None = None,
    *,
    status_code: int = 200,
    messages: Sequence[Flash] = (),
    **context: Any,
) -> Response:
    form = read_filter(request.query_params)
    with hub_state(request).db.read() as session:
        options = filter_options(session)
        section = page.build(session, form.flt)
        own = extras(request, session, form) if extras is not None else {}
    fragment = wants_fragment(request, RESULTS_ID)
    response = render(
        request,
        "reports/_results.html" if fragment else "reports/report.html",
        status_code=status_code,
        messages=messages,
        page=page,
        pages=PAGES,
        form=form,
        options=options,
        section=section,
        tables=table_views(section, skip=page.own_blocks),
        chart_payload=chart_payload,
        is_numeric=is_numeric,
        results_id=RESULTS_ID,
        **own,
        **context,
    )
    response.headers["Vary"] = "HX-Request, HX-Target"
    return response


__all__ = ["RESULTS_ID", "PageExtras", "render_report", "wants_fragment"]
