"""`POST /v1/auth/login` and `POST /v1/auth/logout`."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request, Response

from repdesk.hub import auth
from repdesk.hub.api.errors import ApiError
from repdesk.hub.api.state import Authed, State
from repdesk.hub.db.models import Rep
from repdesk.hub.sync.storable import problem
from repdesk.protocol.schema import ErrorResponse, LoginRequest, LoginResponse, RepInfo

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1/auth", tags=["auth"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "Wrong email or password, or disabled"},
    429: {"model": ErrorResponse, "description": "Too many failed sign-ins (see Retry-After)"},
}


_LOGIN_MESSAGES = {
    "invalid_credentials": "The email or password is not right.",
    "account_disabled": "Your account has been disabled; ask marketing operations.",
}


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/login", response_model=LoginResponse, responses=_ERRORS)
def login(body: LoginRequest, request: Request, state: State) -> LoginResponse:
    address = client_address(request)
    config = state.config
    unstorable = problem([body.email, body.password])
    if unstorable:
        raise ApiError(422, "invalid_request", f"The request is not valid ({unstorable}).")
    # Check and reserve in one writing transaction: a burst of parallel guesses for one
    # account cannot all pass the check before any of them is counted.
    with state.db.write() as session:
        verdict = auth.reserve_attempt(session, body.email, address, config.login_throttle)
        rep = auth.find_rep(session, body.email)
    if not verdict.allowed:
        log.warning("sign-in throttled for %s from %s", body.email, address)
        raise ApiError(
            429,
            "too_many_attempts",
            "Too many failed sign-ins; please wait a few minutes and try again.",
            headers={"Retry-After": str(verdict.retry_after)},
        )
    # The deliberately slow hash check runs outside any transaction, so sign-ins never
    # hold up pushes (SQLite has one writer).
    why = auth.judge_credentials(rep, body.password)
    rehash = (
        auth.hash_password(body.password)
        if rep and not why and auth.needs_rehash(rep.password_hash)
        else None
    )
    response: LoginResponse | None = None
    with state.db.write() as session:
        row = session.get(Rep, rep.id) if rep is not None and not why else None
        if row is not None and not row.disabled:
            if rehash:
                row.password_hash = rehash
            token = auth.issue_token(session, row, config.token_ttl, address=address)
            response = LoginResponse(
                token=token,
                rep=RepInfo(id=row.id, name=row.name, email=row.email),
                hub_id=state.hub_id or None,
            )
        elif not why:  # removed or disabled while we were checking the password
            why = "account_disabled" if row is not None else "invalid_credentials"
        auth.settle_attempt(session, verdict, body.email, success=response is not None)
    # Raised after the commit, which counted the failure.
    if response is None:
        raise ApiError(401, why, _LOGIN_MESSAGES[why])
    log.info("rep %s signed in from %s", response.rep.id, address)
    return response


@router.post("/logout", status_code=204, responses={401: {"model": ErrorResponse}})
def logout(rep: Authed, state: State) -> Response:
    with state.db.write() as session:
        auth.revoke_token(session, rep.token)
    return Response(status_code=204)
