"""The closed-loop report pages (Reports group): lead quality, speed to lead, objections,
qualification, collateral. Each shows its `hub.reports` section generically under one
filter bar, with a CSV download per table (same filter, formula cells neutralised)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from repdesk.hub.api.state import hub_state
from repdesk.hub.workspace.access import Access, section_router
from repdesk.hub.workspace.downloads import csv_download
from repdesk.hub.workspace.pages.objection_feed import feed_context
from repdesk.hub.workspace.pages.speed import over_sla_context
from repdesk.hub.workspace.reporting.catalog import PAGES, ReportPage, page_by_slug
from repdesk.hub.workspace.reporting.cells import csv_rows
from repdesk.hub.workspace.reporting.filter_form import read_filter
from repdesk.hub.workspace.reporting.view import PageExtras, render_report

router = section_router(Access.MARKETING)

EXTRAS: dict[str, PageExtras] = {
    "speed-to-lead": over_sla_context,
    "objections": feed_context,
}


def _page_view(page: ReportPage) -> Callable[..., Response]:
    def view(request: Request) -> Response:
        return render_report(request, page, EXTRAS.get(page.slug))

    view.__name__ = "report_" + page.slug.replace("-", "_")
    return view


for _page in PAGES:
    router.add_api_route(
        _page.path.removeprefix(router.prefix),
        _page_view(_page),
        methods=["GET"],
        name=f"report-{_page.slug}",
    )


@router.get("/reports/{slug}/{table_key}.csv")
def report_csv(request: Request, slug: str, table_key: str) -> Response:
    page = page_by_slug(slug)
    if page is None:
        raise HTTPException(404)
    form = read_filter(request.query_params)
    with hub_state(request).db.read() as session:
        table = page.csv_table(session, form.flt, table_key, request.query_params)
    if table is None:
        raise HTTPException(404)
    name = "-".join([slug, table_key.replace("_", "-"), *(d for d in (form.start, form.end) if d)])
    return csv_download(name + ".csv", [c.key for c in table.columns], csv_rows(table))


__all__ = ["EXTRAS", "router"]
