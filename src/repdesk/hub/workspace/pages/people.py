"""People (admins): who can sign in to the workspace, with which role; add people, disable
or enable them, reset a password (the new one is shown once)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response

from repdesk.domain.errors import ValidationError
from repdesk.hub.admin import users
from repdesk.hub.workspace.access import Access, AdminUser, section_router
from repdesk.hub.workspace.context import PREFIX, hub_for
from repdesk.hub.workspace.flash import Flash, see_other
from repdesk.hub.workspace.rendering import render

router = section_router(Access.ADMIN)

PEOPLE = f"{PREFIX}/people"


def _list(
    request: Request,
    *,
    status: int = 200,
    error: str = "",
    form: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "people/people.html",
        status_code=status,
        messages=[Flash("error", error)] if error else [],
        people=users.list_users(hub_for(request)),
        roles=users.ROLES,
        form=form or {"email": "", "name": "", "role": users.MARKETING},
    )


@router.get("/people")
def people(request: Request) -> Response:
    return _list(request)


@router.post("/people")
def add_person(
    request: Request,
    admin: AdminUser,
    email: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = users.MARKETING,
) -> Response:
    try:
        info, password = users.add_user(hub_for(request), email, role, name, actor=admin.email)
    except ValidationError as exc:
        form = {"email": email, "name": name, "role": role}
        return _list(request, status=400, error=str(exc), form=form)
    return render(request, "people/password.html", person=info, password=password, new=True)


def _person(request: Request, user_id: str) -> users.UserInfo:
    return users.get_user(hub_for(request), user_id)


@router.post("/people/{user_id}/disable")
def disable_person(request: Request, admin: AdminUser, user_id: str) -> Response:
    person = _person(request, user_id)
    if person.id == admin.user_id:
        return see_other(request, PEOPLE, "You cannot disable your own account.", "error")
    try:
        ended = users.disable_user(hub_for(request), person.email, actor=admin.email)
    except ValidationError as exc:
        return see_other(request, PEOPLE, str(exc), "error")
    signed_out = f" and signed out of {ended} session(s)" if ended else ""
    return see_other(request, PEOPLE, f"{person.email} is disabled{signed_out}.")


@router.post("/people/{user_id}/enable")
def enable_person(request: Request, admin: AdminUser, user_id: str) -> Response:
    person = _person(request, user_id)
    if users.enable_user(hub_for(request), person.email, actor=admin.email):
        return see_other(request, PEOPLE, f"{person.email} can sign in again.")
    return see_other(request, PEOPLE, f"{person.email} was already active.", "info")


@router.post("/people/{user_id}/reset-password")
def reset_password(request: Request, admin: AdminUser, user_id: str) -> Response:
    person = _person(request, user_id)
    password = users.reset_user_password(hub_for(request), person.email, actor=admin.email)
    return render(request, "people/password.html", person=person, password=password, new=False)


__all__ = ["router"]
