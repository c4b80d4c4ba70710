"""Objection answers (marketing): for each objection category, how often reps logged it
and which assets answer it (collateral tagged with the category's code: the reps' call
brief ranks those first when the objection is open). Tag an asset as an answer, untag
it, or upload a new asset as the answer; each change reaches reps at their next sync."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from repdesk.domain.errors import ValidationError
from repdesk.hub import admin
from repdesk.hub.admin.collateral import CollateralInfo
from repdesk.hub.admin.taxonomy import CategoryInfo, list_categories
from repdesk.hub.db.models import ObjectionRow
from repdesk.hub.workspace.access import Access, CurrentUser, section_router
from repdesk.hub.workspace.context import PREFIX, hub_for
from repdesk.hub.workspace.flash import Flash, see_other
from repdesk.hub.workspace.pages.library import MAX_COLLATERAL_BYTES
from repdesk.hub.workspace.rendering import render
from repdesk.hub.workspace.uploads import display_name, named_message, temporary_upload

router = section_router(Access.MARKETING)

ANSWERS = f"{PREFIX}/answers"


@dataclass(frozen=True, slots=True)
class CategoryAnswers:
    category: CategoryInfo
    objections: int
    open: int
    answers: list[CollateralInfo]
    others: list[CollateralInfo]
    """Live assets not tagged for it (the ones that can be tagged)."""


def _objection_counts(session: Session) -> dict[str, tuple[int, int]]:
    rows = session.execute(
        select(
            ObjectionRow.category_code,
            func.count(),
            func.sum(case((ObjectionRow.resolved.is_(False), 1), else_=0)),
        ).group_by(ObjectionRow.category_code)
    ).all()
    return {code: (int(total), int(still_open or 0)) for code, total, still_open in rows}


def answers_by_category(request: Request) -> list[CategoryAnswers]:
    """Active categories, most-logged first, each with its answers."""
    hub = hub_for(request)
    with hub.db.read() as session:
        categories = list_categories(session, include_retired=False)
        counts = _objection_counts(session)
    library = admin.list_collateral(hub)
    out = []
    for category in categories:
        code = category.code.casefold()
        tagged = [c for c in library if code in {t.casefold() for t in c.tags}]
        others = [c for c in library if c not in tagged]
        total, still_open = counts.get(category.code, (0, 0))
        out.append(CategoryAnswers(category, total, still_open, tagged, others))
    out.sort(key=lambda a: (-a.objections, a.category.label.casefold()))
    return out


def _category(request: Request, code: str) -> CategoryInfo:
    with hub_for(request).db.read() as session:
        for category in list_categories(session, include_retired=False):
            if category.code == code:
                return category
    raise ValidationError(f"There is no active objection category {code!r}.")


def _page(request: Request, *, status: int = 200, error: str = "") -> Response:
    return render(
        request,
        "answers/answers.html",
        status_code=status,
        messages=[Flash("error", error)] if error else [],
        categories=answers_by_category(request),
        campaigns=admin.campaign_names(hub_for(request)),
    )


@router.get("/answers")
def answers_page(request: Request) -> Response:
    return _page(request)


@router.post("/answers/{code}/tag")
def tag(
    request: Request,
    user: CurrentUser,
    code: str,
    collateral_id: Annotated[str, Form()] = "",
) -> Response:
    try:
        category = _category(request, code)
        if not collateral_id:
            raise ValidationError("Choose the asset that answers this objection.")
        info, changed = admin.tag_collateral(
            hub_for(request), collateral_id, category.code, actor=user.email
        )
    except ValidationError as exc:
        return _page(request, status=400, error=str(exc))
    if not changed:
        return see_other(
            request, ANSWERS, f"{info.title!r} already answers {category.label!r}.", "info"
        )
    return see_other(
        request,
        ANSWERS,
        f"{info.title!r} now answers {category.label!r}; reps get it at their next sync.",
    )


@router.post("/answers/{code}/untag")
def untag(
    request: Request,
    user: CurrentUser,
    code: str,
    collateral_id: Annotated[str, Form()] = "",
) -> Response:
    try:
        info, changed = admin.untag_collateral(
            hub_for(request), collateral_id, code, actor=user.email
        )
    except ValidationError as exc:
        return _page(request, status=400, error=str(exc))
    if not changed:
        return see_other(request, ANSWERS, f"{info.title!r} was not tagged {code!r}.", "info")
    return see_other(request, ANSWERS, f"{info.title!r} no longer answers {code!r}.")


@router.post("/answers/{code}/upload")
def upload_answer(
    request: Request,
    user: CurrentUser,
    code: str,
    *,
    title: Annotated[str, Form()] = "",
    campaign: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    hub = hub_for(request)
    name = display_name(file) if file is not None else ""
    try:
        category = _category(request, code)
        with temporary_upload(hub, file, MAX_COLLATERAL_BYTES) as path:
            try:
                info = admin.add_collateral(
                    hub,
                    path,
                    title,
                    campaign=campaign or None,
                    tags=(category.code,),
                    original_name=name,
                    actor=user.email,
                )
            except ValidationError as exc:
                raise ValidationError(named_message(str(exc), path, name)) from exc
    except ValidationError as exc:
        return _page(request, status=400, error=str(exc))
    flagged = f" Flagged: {info.problem}" if info.problem else ""
    return see_other(
        request,
        ANSWERS,
        f"Added {info.title!r} as an answer to {category.label!r}.{flagged}",
        "info" if info.problem else "success",
    )


__all__ = ["CategoryAnswers", "answers_by_category", "router"]
