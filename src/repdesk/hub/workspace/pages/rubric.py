"""Rubric (marketing): edit the active rubric with validation as you type and a preview
of how many current leads the draft would make sales-ready, publish it (reps get it at
their next sync), and read the history of published versions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from repdesk.domain.defaults import DEFAULT_RUBRIC
from repdesk.domain.errors import ValidationError
from repdesk.hub.admin import publish_rubric, validate_rubric
from repdesk.hub.admin.rubric_history import rubric_history
from repdesk.hub.db.models import Lead
from repdesk.hub.reports import ReportFilter, active_rubric, count_ready
from repdesk.hub.reports.scope import all_of, lead_conditions
from repdesk.hub.workspace import rubric_form
from repdesk.hub.workspace.access import Access, CurrentUser, section_router
from repdesk.hub.workspace.context import PREFIX, hub_for
from repdesk.hub.workspace.flash import Flash, see_other
from repdesk.hub.workspace.rendering import render
from repdesk.protocol.convert import rubric_to_data
from repdesk.protocol.schema import RubricData

router = section_router(Access.MARKETING)

RUBRIC = f"{PREFIX}/rubric"
DRAFT = "This draft"
"""How validation messages name the rubric being edited."""


@dataclass(frozen=True, slots=True)
class Check:
    """What the editor shows beside Publish: the draft's first problem, or its preview."""

    problem: str = ""
    ready: int = 0
    """Current leads the draft would make sales-ready."""
    total: int = 0
    """Current leads (assigned to a rep, not deleted)."""
    now: int | None = None
    """Sales-ready under the published rubric (None: none is published)."""


def _current_leads(session: Session) -> int:
    query = select(func.count()).select_from(Lead)
    return int(session.scalar(query.where(all_of(lead_conditions(ReportFilter())))) or 0)


def check_draft(request: Request, data: dict[str, Any]) -> Check:
    try:
        draft = validate_rubric(data, DRAFT)
    except ValidationError as exc:
        return Check(problem=str(exc))
    with hub_for(request).db.read() as session:
        published = active_rubric(session)
        return Check(
            ready=count_ready(session, draft),
            total=_current_leads(session),
            now=count_ready(session, published) if published is not None else None,
        )


def _published(request: Request) -> RubricData | None:
    with hub_for(request).db.read() as session:
        return active_rubric(session)


def _editor(
    request: Request,
    form: rubric_form.RubricForm,
    *,
    status: int = 200,
    error: str = "",
) -> Response:
    published = _published(request)
    with hub_for(request).db.read() as session:
        history = rubric_history(session)
    return render(
        request,
        "rubric/rubric.html",
        status_code=status,
        messages=[Flash("error", error)] if error else [],
        form=form,
        check=check_draft(request, rubric_form.to_data(form)),
        published=published,
        history=history,
        confidence_levels=rubric_form.CONFIDENCE_LEVELS,
    )


@router.get("/rubric")
def rubric_page(request: Request) -> Response:
    published = _published(request)
    start = published if published is not None else rubric_to_data(DEFAULT_RUBRIC)
    return _editor(request, rubric_form.from_rubric(start))


async def _fields(request: Request) -> Mapping[str, Any]:
    return await request.form()


Fields = Annotated[Mapping[str, Any], Depends(_fields)]


@router.post("/rubric/check")
def check(request: Request, fields: Fields) -> Response:
    """The htmx endpoint behind validation-as-you-type: the check panel's contents."""
    form = rubric_form.from_fields(fields)
    return render(
        request, "rubric/_check.html", check=check_draft(request, rubric_form.to_data(form))
    )


@router.post("/rubric")
def publish(request: Request, user: CurrentUser, fields: Fields) -> Response:
    form = rubric_form.from_fields(fields)
    try:
        result = publish_rubric(
            hub_for(request), rubric_form.to_data(form), actor=user.email, name=DRAFT
        )
    except ValidationError as exc:
        return _editor(request, form, status=400, error=f"Not published: {exc}")
    if not result.changed:
        return see_other(
            request, RUBRIC, "Nothing to publish: the draft is the published rubric.", "info"
        )
    return see_other(
        request,
        RUBRIC,
        f"Published version {result.version} of {result.rubric.name!r}. "
        "Reps get it at their next sync.",
    )


__all__ = ["Check", "check_draft", "router"]
