"""`POST /v1/auth/login` and `POST /v1/auth/logout`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from repdesk.hub import auth
from repdesk.hub.api.errors import ApiError
from repdesk.hub.api.state import Authed, HubState, State
from repdesk.hub.db.models import Rep
from repdesk.hub.password_pool import run_password_work
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
async def login(body: LoginRequest, request: Request, state: State) -> LoginResponse:
    """Three steps, so a sign-in holds a request thread only for its two short
    transactions: reserve the attempt, check the password on the password pool
    (`repdesk.hub.password_pool`: bounded, lower priority, holding no request thread
    while it waits), then issue the token and settle the attempt."""
    address = client_address(request)
    unstorable = problem([body.email, body.password])
    if unstorable:
        raise ApiError(422, "invalid_request", f"The request is not valid ({unstorable}).")
    account = auth.normalize_email(body.email)
    verdict, rep = await run_in_threadpool(_reserve, state, account, address)
    if not verdict.allowed:
        log.warning("sign-in throttled for %s from %s", body.email, address)
        raise ApiError(
            429,
            "too_many_attempts",
            "Too many failed sign-ins; please wait a few minutes and try again.",
            headers={"Retry-After": str(verdict.retry_after)},
        )
    why, rehash = await run_password_work(lambda: _check_password(rep, body.password))
    attempt = _Attempt(account, address, verdict, rep)
    response, why = await run_in_threadpool(_finish, state, attempt, body.password, why, rehash)
    # Raised after the commit, which counted the failure.
    if response is None:
        raise ApiError(401, why, _LOGIN_MESSAGES[why])
    log.info("rep %s signed in from %s", response.rep.id, address)
    return response


def _reserve(
    state: HubState, account: str, address: str
) -> tuple[auth.ThrottleVerdict, Rep | None]:
    # Check and reserve in one transaction holding the account's sign-in lock: a burst
    # of parallel guesses for one account cannot all pass the check before any of them
    # is counted. No writers lock: marketing's writers and pushes never wait for it.
    with state.db.write(sign_in=account) as session:
        verdict = auth.reserve_attempt(session, account, address, state.config.login_throttle)
        rep = auth.find_rep(session, account)
    return verdict, rep


def _check_password(rep: Rep | None, password: str) -> tuple[str, str | None]:
    """The deliberately slow part, outside any transaction: (why, a new hash when the
    stored one is outdated)."""
    why = auth.judge_credentials(rep, password)
    if rep is None or why or not auth.needs_rehash(rep.password_hash):
        return why, None
    return why, auth.hash_password(password)


@dataclass(frozen=True, slots=True)
class _Attempt:
    account: str
    address: str
    verdict: auth.ThrottleVerdict
    rep: Rep | None
    """As read when the attempt was reserved; its hash is the one checked."""


def _finish(
    state: HubState, attempt: _Attempt, password: str, why: str, rehash: str | None
) -> tuple[LoginResponse | None, str]:
    rep = attempt.rep
    response: LoginResponse | None = None
    with state.db.write(sign_in=attempt.account) as session:
        # Locked, so a password reset or a disable committed since the check is seen
        # here, and one still to come waits for this token (and then revokes it).
        row = None
        if rep is not None and not why:
            row = session.get(Rep, rep.id, with_for_update=True)
            if row is not None and row.password_hash != rep.password_hash:
                # A new password since the check (marketing reset it), or another
                # sign-in's upgraded hash: check again against what is stored now
                # (rare; only this account's sign-ins wait for it).
                rehash = None
                if not auth.verify_password(row.password_hash, password):
                    row, why = None, "invalid_credentials"
        if row is not None and not row.disabled:
            if rehash:
                row.password_hash = rehash
            token = auth.issue_token(session, row, state.config.token_ttl, address=attempt.address)
            response = LoginResponse(
                token=token,
                rep=RepInfo(id=row.id, name=row.name, email=row.email),
                hub_id=state.hub_id or None,
            )
        elif not why:  # removed or disabled while we were checking the password
            why = "account_disabled" if row is not None else "invalid_credentials"
        auth.settle_attempt(session, attempt.verdict, attempt.account, success=response is not None)
    return response, why


@router.post("/logout", status_code=204, responses={401: {"model": ErrorResponse}})
def logout(rep: Authed, state: State) -> Response:
    with state.db.write(rep_id=rep.id) as session:  # this rep's token only
        auth.revoke_token(session, rep.token)
    return Response(status_code=204)
