"""The objection taxonomy (marketing), beside the rubric: the categories reps file
objections under. Add one, rename it (label and description; the code stays, as
collateral tags and filed objections use it), retire it, or restore a retired one."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response

from repdesk.domain.errors import ValidationError
from repdesk.hub.admin import taxonomy
from repdesk.hub.workspace.access import Access, CurrentUser, section_router
from repdesk.hub.workspace.context import PREFIX, hub_for
from repdesk.hub.workspace.flash import Flash, see_other
from repdesk.hub.workspace.rendering import render

router = section_router(Access.MARKETING)

TAXONOMY = f"{PREFIX}/rubric/taxonomy"


def _page(
    request: Request, *, status: int = 200, error: str = "", new: dict[str, str] | None = None
) -> Response:
    with hub_for(request).db.read() as session:
        categories = taxonomy.list_categories(session)
    return render(
        request,
        "rubric/taxonomy.html",
        status_code=status,
        messages=[Flash("error", error)] if error else [],
        active=[c for c in categories if not c.retired],
        retired=[c for c in categories if c.retired],
        new=new or {"code": "", "label": "", "description": ""},
    )


@router.get("/rubric/taxonomy")
def taxonomy_page(request: Request) -> Response:
    return _page(request)


@router.post("/rubric/taxonomy")
def add_category(
    request: Request,
    user: CurrentUser,
    code: Annotated[str, Form()] = "",
    label: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
) -> Response:
    try:
        taxonomy.add_category(hub_for(request), code, label, description, actor=user.email)
    except ValidationError as exc:
        new = {"code": code, "label": label, "description": description}
        return _page(request, status=400, error=str(exc), new=new)
    return see_other(
        request, TAXONOMY, f"Added {label.strip()!r}. Reps can file it from their next sync."
    )


@router.post("/rubric/taxonomy/{code}")
def update_category(
    request: Request,
    user: CurrentUser,
    code: str,
    label: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
) -> Response:
    try:
        taxonomy.update_category(hub_for(request), code, label, description, actor=user.email)
    except ValidationError as exc:
        return _page(request, status=400, error=str(exc))
    return see_other(request, TAXONOMY, f"Saved {code!r}.")


@router.post("/rubric/taxonomy/{code}/retire")
def retire_category(request: Request, user: CurrentUser, code: str) -> Response:
    try:
        taxonomy.retire_category(hub_for(request), code, actor=user.email)
    except ValidationError as exc:
        return see_other(request, TAXONOMY, str(exc), "error")
    return see_other(
        request,
        TAXONOMY,
        f"Retired {code!r}: reps stop offering it at their next sync; "
        "objections already filed keep it.",
    )


@router.post("/rubric/taxonomy/{code}/restore")
def restore_category(request: Request, user: CurrentUser, code: str) -> Response:
    try:
        taxonomy.restore_category(hub_for(request), code, actor=user.email)
    except ValidationError as exc:
        return see_other(request, TAXONOMY, str(exc), "error")
    return see_other(request, TAXONOMY, f"Restored {code!r}.")


__all__ = ["router"]
