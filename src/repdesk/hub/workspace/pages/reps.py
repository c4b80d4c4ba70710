"""Reps (marketing): the reps' accounts with how many leads each has and when their app
last reached the hub; add a rep, disable or enable one, reset a password (a new password
is shown once)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response

from repdesk.domain.errors import ValidationError
from repdesk.hub import admin
from repdesk.hub.workspace.access import Access, CurrentUser, section_router
from repdesk.hub.workspace.context import PREFIX, hub_for
from repdesk.hub.workspace.flash import Flash, see_other
from repdesk.hub.workspace.rendering import render

router = section_router(Access.MARKETING)

REPS = f"{PREFIX}/reps"


def _list(
    request: Request, *, status: int = 200, error: str = "", form: dict[str, str] | None = None
) -> Response:
    return render(
        request,
        "reps/reps.html",
        status_code=status,
        messages=[Flash("error", error)] if error else [],
        reps=admin.list_reps(hub_for(request)),
        form=form or {"email": "", "name": ""},
    )


@router.get("/reps")
def reps_page(request: Request) -> Response:
    return _list(request)


@router.post("/reps")
def add(
    request: Request,
    user: CurrentUser,
    email: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
) -> Response:
    try:
        info, password = admin.add_rep(hub_for(request), email, name, actor=user.email)
    except ValidationError as exc:
        return _list(request, status=400, error=str(exc), form={"email": email, "name": name})
    return render(request, "reps/password.html", rep=info, password=password, new=True)


def _rep(request: Request, rep_id: str) -> admin.RepInfo:
    return admin.get_rep(hub_for(request), rep_id)


@router.post("/reps/{rep_id}/disable")
def disable(request: Request, user: CurrentUser, rep_id: str) -> Response:
    try:
        rep = _rep(request, rep_id)
        ended = admin.disable_rep(hub_for(request), rep.email, actor=user.email)
    except ValidationError as exc:
        return _list(request, status=400, error=str(exc))
    signed_out = f", signed out of {ended} device(s)" if ended else ""
    return see_other(
        request,
        REPS,
        f"{rep.email} is disabled{signed_out}. Their {rep.leads} lead(s) stay assigned: "
        "reassign them under Leads.",
    )


@router.post("/reps/{rep_id}/enable")
def enable(request: Request, user: CurrentUser, rep_id: str) -> Response:
    try:
        rep = _rep(request, rep_id)
        enabled = admin.enable_rep(hub_for(request), rep.email, actor=user.email)
    except ValidationError as exc:
        return _list(request, status=400, error=str(exc))
    if not enabled:
        return see_other(request, REPS, f"{rep.email} was already active.", "info")
    return see_other(request, REPS, f"{rep.email} can sign in again with their password.")


@router.post("/reps/{rep_id}/reset-password")
def reset(request: Request, user: CurrentUser, rep_id: str) -> Response:
    try:
        rep = _rep(request, rep_id)
        password = admin.reset_password(hub_for(request), rep.email, actor=user.email)
    except ValidationError as exc:
        return _list(request, status=400, error=str(exc))
    return render(request, "reps/password.html", rep=rep, password=password, new=False)


__all__ = ["router"]
