"""Who may use which workspace route, declared once per router (or route) and enforced by
dependencies: `require_user` (any signed-in workspace user: marketing or admin, also the
CSRF check on every state-changing request), `require_admin`, or `allow_anonymous`
(sign-in only). `workspace_routes(app)` reads the declarations back, so a test can walk
every route."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from repdesk.hub.admin.users import ADMIN
from repdesk.hub.api.state import hub_state
from repdesk.hub.workspace.context import PREFIX, is_workspace_path
from repdesk.hub.workspace.cookies import SESSION_COOKIE
from repdesk.hub.workspace.refusals import SignInRequired, admins_only, csrf_refused
from repdesk.hub.workspace.sessions import SignedIn, find_session, mark_seen

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class Access(StrEnum):
    """Who may use a route: anyone (sign-in, static files), any workspace user, admins."""

    PUBLIC = "public"
    MARKETING = "marketing"
    ADMIN = "admin"


def allows(role: str, access: Access) -> bool:
    """Whether a user of `role` ("marketing" or "admin") may use a route of `access`."""
    return access is not Access.ADMIN or role == ADMIN


async def sent_csrf_token(request: Request) -> str:
    """The CSRF token a state-changing request carries: the `X-CSRF-Token` header (htmx),
    else the `csrf_token` form field; "" for safe methods or when there is none."""
    if request.method in SAFE_METHODS:
        return ""
    header = request.headers.get(CSRF_HEADER, "")
    if header:
        return header
    if request.headers.get("content-type", "").startswith(_FORM_TYPES):
        try:
            form = await request.form()
        except Exception:  # noqa: BLE001 - an unreadable form carries no token
            return ""
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


def recognise_user(request: Request) -> SignedIn | None:
    """The signed-in user if the request carries a live session, else None; never
    refuses (for pages shown to anyone, like "not found", to keep the menu)."""
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        return None
    with hub_state(request).db.read() as session:
        user = find_session(session, token)
    if user is not None:
        request.state.workspace_user = user
    return user


def require_user(request: Request, sent: Annotated[str, Depends(sent_csrf_token)]) -> SignedIn:
    """The signed-in workspace user; else the browser goes to the sign-in page. A POST,
    PUT, PATCH or DELETE must carry the session's CSRF token (403 otherwise)."""
    state = hub_state(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    with state.db.read() as session:
        user = find_session(session, token) if token else None
    if user is None:
        next_path = request.url.path if request.method in SAFE_METHODS else ""
        if next_path and request.url.query:
            next_path += "?" + request.url.query
        raise SignInRequired(next_path)
    request.state.workspace_user = user
    if request.method not in SAFE_METHODS and not hmac.compare_digest(
        sent.encode(), user.csrf_token.encode()
    ):
        raise csrf_refused()
    if user.stale:
        with state.db.write() as session:
            mark_seen(session, user.session_id)
    return user


def require_admin(user: Annotated[SignedIn, Depends(require_user)]) -> SignedIn:
    """An admin; a marketing user gets a 403 page."""
    if user.role != ADMIN:
        raise admins_only()
    return user


def allow_anonymous() -> None:
    """Declares a route open to anyone (the sign-in page); checks nothing."""


CurrentUser = Annotated[SignedIn, Depends(require_user)]
AdminUser = Annotated[SignedIn, Depends(require_admin)]

GUARDS: dict[Access, Callable[..., Any]] = {
    Access.PUBLIC: allow_anonymous,
    Access.MARKETING: require_user,
    Access.ADMIN: require_admin,
}


def section_router(access: Access, **kwargs: Any) -> APIRouter:
    """The router of one workspace section: under /workspace, out of the sync API's
    OpenAPI, every route guarded for `access`."""
    return APIRouter(
        prefix=PREFIX,
        include_in_schema=False,
        dependencies=[Depends(GUARDS[access])],
        **kwargs,
    )


def _calls(dependant: Dependant) -> Iterator[object]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def dependant_access(dependant: Dependant) -> Access | None:
    """The access a route's dependencies declare (the strictest guard among them), or
    None when they declare none (a mistake: the access-matrix test fails on it)."""
    calls = set(_calls(dependant))
    for access in (Access.ADMIN, Access.MARKETING, Access.PUBLIC):
        if GUARDS[access] in calls:
            return access
    return None


@dataclass(frozen=True, slots=True)
class RouteAccess:
    method: str
    path: str
    """As declared, e.g. "/workspace/people/{user_id}/disable"."""
    access: Access | None


def workspace_routes(app: FastAPI) -> list[RouteAccess]:
    """Every route under /workspace in `app` (static files aside) with the access its
    effective dependencies (router, include and route level) declare."""
    found: list[RouteAccess] = []
    for context in iter_route_contexts(app.routes):
        path = context.path
        dependant = getattr(context, "dependant", None)
        if not isinstance(path, str) or not is_workspace_path(path):
            continue
        if not isinstance(context.original_route, APIRoute) or dependant is None:
            continue
        access = dependant_access(dependant)
        found.extend(RouteAccess(m, path, access) for m in sorted(context.methods or ()))
    return sorted(found, key=lambda r: (r.path, r.method))


__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SAFE_METHODS",
    "Access",
    "AdminUser",
    "RouteAccess",
    "CurrentUser",
    "allow_anonymous",
    "allows",
    "recognise_user",
    "require_admin",
    "require_user",
    "dependant_access",
    "section_router",
    "sent_csrf_token",
    "workspace_routes",
]
