"""Speed to lead's own blocks: the team's SLA (shown, and changed with a small form that
writes an audit entry) and the over-SLA leads a page at a time."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from repdesk.domain.errors import ValidationError
from repdesk.hub.admin.settings import MAX_SLA_HOURS, change_sla_hours, sla_hours
from repdesk.hub.api.state import hub_state
from repdesk.hub.reports import over_sla_count, over_sla_leads
from repdesk.hub.workspace.access import Access, CurrentUser, section_router
from repdesk.hub.workspace.context import hub_for
from repdesk.hub.workspace.flash import Flash, see_other
from repdesk.hub.workspace.rendering import render
from repdesk.hub.workspace.reporting.catalog import page_named
from repdesk.hub.workspace.reporting.cells import is_numeric, table_view
from repdesk.hub.workspace.reporting.filter_form import FilterForm, read_filter
from repdesk.hub.workspace.reporting.view import render_report

router = section_router(Access.MARKETING)

PAGE = page_named("speed-to-lead")
OVER_SLA_PER_PAGE = 25
OVER_SLA_ID = "over-sla"


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < len(raw) < 7 else 1


def over_sla_context(request: Request, session: Session, form: FilterForm) -> dict[str, Any]:
    """The SLA and one page of the leads over it (`over_page` in the query)."""
    sla = sla_hours(session)
    total = over_sla_count(session, form.flt, sla=sla)
    pages = max(1, -(-total // OVER_SLA_PER_PAGE))
    number = min(_page_number(request.query_params.get("over_page")), pages)
    table = over_sla_leads(
        session,
        form.flt,
        sla=sla,
        limit=OVER_SLA_PER_PAGE,
        offset=(number - 1) * OVER_SLA_PER_PAGE,
        total=total,
    )
    view = table_view(table, "speed_to_lead")
    return {
        "sla": sla,
        "max_sla": MAX_SLA_HOURS,
        "over": view,
        "over_total": total,
        "over_page": number,
        "over_pages": pages,
        "over_first": (number - 1) * OVER_SLA_PER_PAGE + 1,
        "over_id": OVER_SLA_ID,
        "intro": "reports/_sla.html",
        "outro": "reports/_over_sla.html",
    }


@router.get("/reports/speed-to-lead/over-sla")
def over_sla_block(request: Request) -> Response:
    """One page of the over-SLA list alone (the pager's htmx target)."""
    form = read_filter(request.query_params)
    with hub_state(request).db.read() as session:
        context = over_sla_context(request, session, form)
    response = render(
        request, "reports/_over_sla.html", page=PAGE, form=form, is_numeric=is_numeric, **context
    )
    response.headers["HX-Push-Url"] = PAGE.path + form.query(over_page=str(context["over_page"]))
    return response


@router.post("/reports/speed-to-lead/sla")
def change_sla(request: Request, user: CurrentUser, hours: Annotated[str, Form()] = "") -> Response:
    raw = hours.strip()
    back = read_filter(request.query_params).query()
    try:
        if not raw.isdigit() or len(raw) > 6:
            raise ValidationError(f"The SLA is a whole number of hours, 1 to {MAX_SLA_HOURS}.")
        changed = change_sla_hours(hub_for(request), int(raw), actor=user.email)
    except ValidationError as exc:
        return render_report(
            request,
            PAGE,
            over_sla_context,
            status_code=400,
            messages=[Flash("error", str(exc))],
            sla_entered=raw[:20],
        )
    return see_other(
        request,
        PAGE.path + back,
        f"The SLA is now {changed} hours. Reps' apps receive it at their next sync.",
    )


__all__ = ["OVER_SLA_PER_PAGE", "over_sla_context", "router"]
