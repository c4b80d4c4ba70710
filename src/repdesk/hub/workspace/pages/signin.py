"""Signing in and out of the workspace (workspace users only: a rep's password or token
never opens it). The sign-in form is protected by a signed double-submit token; attempts
are throttled like the reps' sign-in, counted apart (realm "workspace")."""

from __future__ import annotations

import logging
import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from repdesk.hub import auth
from repdesk.hub.api.state import hub_state
from repdesk.hub.db.models import User
from repdesk.hub.sync.storable import problem
from repdesk.hub.workspace import signing
from repdesk.hub.workspace.access import Access, CurrentUser, section_router
from repdesk.hub.workspace.context import PREFIX, client_address, workspace_state
from repdesk.hub.workspace.cookies import (
    SESSION_COOKIE,
    SIGNIN_COOKIE,
    clear_cookie,
    set_cookie,
)
from repdesk.hub.workspace.flash import Flash, see_other
from repdesk.hub.workspace.rendering import render
from repdesk.hub.workspace.sessions import LIFETIME, end_session, find_session, start_session

log = logging.getLogger(__name__)

router = section_router(Access.PUBLIC)

HOME = f"{PREFIX}/"
_PURPOSE = "sign-in"
_FORM_LIFETIME = 3600
_MESSAGES = {
    "invalid_credentials": "The email or password is not right.",
    "account_disabled": "Your workspace account has been disabled; ask an admin of your team.",
}


def safe_next(target: str) -> str:
    """`target` if it is a page of this workspace, else the Overview (no open redirect)."""
    parts = urlsplit(target)
    path = parts.path
    if (
        parts.scheme
        or parts.netloc
        or "\\" in target
        or not (path == PREFIX or path.startswith(PREFIX + "/"))
        or path.startswith(PREFIX + "/sign-")
    ):
        return HOME
    return path + (f"?{parts.query}" if parts.query else "")


def _signed_in(request: Request) -> bool:
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        return False
    with hub_state(request).db.read() as session:
        return find_session(session, token) is not None


def _form(
    request: Request,
    *,
    next_path: str,
    email: str = "",
    error: str = "",
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    nonce = request.cookies.get(SIGNIN_COOKIE, "") or secrets.token_urlsafe(24)
    response = render(
        request,
        "signin/sign_in.html",
        status_code=status,
        headers=headers,
        messages=[Flash("error", error)] if error else [],
        email=email,
        next_path=next_path,
        signin_token=signing.sign(workspace_state(request).secret, _PURPOSE, nonce),
    )
    set_cookie(request, response, SIGNIN_COOKIE, nonce, max_age=_FORM_LIFETIME)
    return response


@router.get("/sign-in")
def sign_in_page(request: Request, next: str = "") -> Response:  # noqa: A002 - the query name
    target = safe_next(next)
    if _signed_in(request):
        return RedirectResponse(target, status_code=303)
    return _form(request, next_path=target)


@router.post("/sign-in")
def sign_in(
    request: Request,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    signin_token: Annotated[str, Form()] = "",
    next_path: Annotated[str, Form(alias="next")] = "",
) -> Response:
    target = safe_next(next_path)
    email = email.strip()
    secret = workspace_state(request).secret
    if not signing.verify(secret, _PURPOSE, request.cookies.get(SIGNIN_COOKIE, ""), signin_token):
        return _form(
            request,
            next_path=target,
            email=email,
            status=403,
            error="The sign-in form had expired or came from elsewhere; please sign in again.",
        )
    if not email or not password:
        return _form(
            request,
            next_path=target,
            email=email,
            status=400,
            error="Please enter your email address and your password.",
        )
    if problem([email, password]) or len(email) > 320 or len(password) > 1024:
        return _form(request, next_path=target, status=400, error=_MESSAGES["invalid_credentials"])
    state = hub_state(request)
    address = client_address(request)
    # A sign-in's bookkeeping (attempts, the session, a rehash) writes no synced row, so
    # it takes only this account's sign-in lock, never the writers lock: it waits for no
    # import or assignment, and a burst of guesses at one account is counted in turn.
    account = f"{auth.WORKSPACE_REALM}:{auth.normalize_email(email)}"
    with state.db.write(sign_in=account) as session:
        verdict = auth.reserve_attempt(
            session, email, address, state.config.login_throttle, realm=auth.WORKSPACE_REALM
        )
        user = session.scalar(select(User).where(User.email == auth.normalize_email(email)))
    if not verdict.allowed:
        log.warning("workspace sign-in throttled for %s from %s", email, address)
        minutes = max(1, -(-verdict.retry_after // 60))
        return _form(
            request,
            next_path=target,
            email=email,
            status=429,
            headers={"Retry-After": str(verdict.retry_after)},
            error=f"Too many failed sign-ins. Please wait {minutes} minute(s) and try again.",
        )
    # The slow password check runs outside any transaction (SQLite has one writer).
    why = auth.judge_credentials(user, password)
    rehash = (
        auth.hash_password(password)
        if user is not None and not why and auth.needs_rehash(user.password_hash)
        else None
    )
    token = ""
    with state.db.write(sign_in=account) as session:
        # Locked, so a reset or a disable committed since the check is seen here, and one
        # still to come waits for this session (and then ends it).
        row = session.get(User, user.id, with_for_update=True) if user and not why else None
        if row is not None and user is not None and row.password_hash != user.password_hash:
            # A new password since the check (an admin reset it), or another sign-in's
            # upgraded hash: check again against what is stored now (rare).
            rehash = None
            if not auth.verify_password(row.password_hash, password):
                row, why = None, "invalid_credentials"
        if row is not None and not row.disabled:
            if rehash:
                row.password_hash = rehash
            end_session(session, request.cookies.get(SESSION_COOKIE, ""))
            token = start_session(session, row, address=address)
        elif not why:  # removed or disabled while the password was checked
            why = "account_disabled" if row is not None else "invalid_credentials"
        auth.settle_attempt(session, verdict, email, bool(token), realm=auth.WORKSPACE_REALM)
    if not token:
        return _form(request, next_path=target, email=email, status=401, error=_MESSAGES[why])
    log.info("workspace user %s signed in from %s", auth.normalize_email(email), address)
    response = RedirectResponse(target, status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token, max_age=int(LIFETIME.total_seconds()))
    clear_cookie(request, response, SIGNIN_COOKIE)
    return response


@router.post("/sign-out")
def sign_out(request: Request, user: CurrentUser) -> Response:
    with hub_state(request).db.write() as session:
        end_session(session, request.cookies.get(SESSION_COOKIE, ""))
    log.info("workspace user %s signed out", user.email)
    response = see_other(request, f"{PREFIX}/sign-in", "You are signed out.", "info")
    clear_cookie(request, response, SESSION_COOKIE)
    return response


__all__ = ["router", "safe_next"]
