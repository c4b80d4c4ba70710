"""Per-app state (config, database, cursor epoch) and the bearer-token guard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from repdesk.hub.api.errors import ApiError
from repdesk.hub.auth import inspect_token, mark_token_used
from repdesk.hub.config import HubConfig
from repdesk.hub.db.engine import Database
from repdesk.hub.file_store import FileStore


@dataclass(frozen=True, slots=True)
class HubState:
    config: HubConfig
    db: Database
    epoch: str
    """This database's id; cursors from any other database are refused (410)."""
    files: FileStore
    """Collateral."""
    builds: FileStore
    """Desktop client builds."""
    hub_id: str = ""
    """This hub's stable identity (never rotated, unlike the epoch); sent at sign-in and in
    meta so clients recognise their hub whatever its address."""


@dataclass(frozen=True, slots=True)
class CurrentRep:
    id: str
    name: str
    email: str
    token: str


def hub_state(request: Request) -> HubState:
    state: HubState = request.app.state.hub
    return state


_bearer = HTTPBearer(auto_error=False, description="The token from POST /v1/auth/login.")

_AUTH_MESSAGES = {
    "missing_token": "Please sign in.",
    "invalid_token": "Your session is not valid; please sign in again.",
    "token_revoked": "You signed out on this device; please sign in again.",
    "token_expired": "Your session has expired; please sign in again.",
    "account_disabled": "Your account has been disabled; ask marketing operations.",
}


def unauthenticated(code: str) -> ApiError:
    return ApiError(
        401, code, _AUTH_MESSAGES.get(code, code), headers={"WWW-Authenticate": "Bearer"}
    )


def current_rep(
    state: Annotated[HubState, Depends(hub_state)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> CurrentRep:
    if credentials is None or not credentials.credentials:
        raise unauthenticated("missing_token")
    token = credentials.credentials
    if len(token) > 200:
        raise unauthenticated("invalid_token")
    with state.db.read() as session:
        checked = inspect_token(session, token)
    rep = checked.rep
    if rep is None:
        raise unauthenticated(checked.why)
    if checked.stale_use and checked.token_id is not None:
        with state.db.write(rep_id=rep.id) as session:  # this rep's row only
            mark_token_used(session, checked.token_id)
    return CurrentRep(id=rep.id, name=rep.name, email=rep.email, token=token)


State = Annotated[HubState, Depends(hub_state)]
Authed = Annotated[CurrentRep, Depends(current_rep)]

__all__ = ["Authed", "CurrentRep", "HubState", "State", "current_rep", "hub_state"]
