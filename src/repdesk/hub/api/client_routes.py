"""`GET /v1/client/latest` (the newest desktop build for a platform, when newer than the
caller's) and `GET|HEAD /v1/client/builds/{sha256}` (its bundle, resumable like collateral)."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from repdesk.domain.versions import is_newer
from repdesk.hub.admin.client_builds import newest_build
from repdesk.hub.api.collateral_routes import send_file
from repdesk.hub.api.errors import ApiError
from repdesk.hub.api.state import Authed, State
from repdesk.hub.db.models import ClientBuild
from repdesk.hub.file_store import SHA256_RE
from repdesk.protocol import schema
from repdesk.protocol.schema import ErrorResponse, LatestBuildResponse

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1/client", tags=["client"])

BUNDLE_TYPE = "application/gzip"
_AUTH: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "Missing, unknown or expired token"}
}
_FILE: dict[int | str, dict[str, Any]] = {
    **_AUTH,
    200: {"content": {BUNDLE_TYPE: {}}, "description": "The whole bundle"},
    206: {"description": "The requested byte range"},
    404: {"model": ErrorResponse},
    416: {"model": ErrorResponse},
    503: {"model": ErrorResponse, "description": "The hub's file store does not answer"},
}


@router.get("/latest", response_model=LatestBuildResponse, responses=_AUTH)
def latest(
    rep: Authed,
    state: State,
    platform: Annotated[str, Query(min_length=1, max_length=64)],
    version: Annotated[str, Query(min_length=1, max_length=64)],
) -> LatestBuildResponse:
    """The newest published build for `platform` if it is newer than `version` (the
    caller's own), else `build: null`."""
    with state.db.read() as session:
        row = newest_build(session, platform.strip().lower())
        if row is None or not is_newer(row.version, version):
            return LatestBuildResponse(build=None)
        log.debug("rep %s on %s %s is offered %s", rep.id, platform, version, row.version)
        return LatestBuildResponse(
            build=schema.ClientBuild(
                version=row.version, platform=row.platform, sha256=row.sha256, size=row.size
            )
        )


@router.get("/builds/{sha256}", response_class=Response, responses=_FILE)
def get_build(sha256: str, request: Request, rep: Authed, state: State) -> Response:
    return build_file(sha256, request, rep, state)


@router.head("/builds/{sha256}", response_class=Response, responses=_FILE)
def head_build(sha256: str, request: Request, rep: Authed, state: State) -> Response:
    return build_file(sha256, request, rep, state)


def build_file(sha256: str, request: Request, rep: Authed, state: State) -> Response:
    sha = sha256.lower()
    if not SHA256_RE.match(sha):
        raise ApiError(404, "not_found", "There is no such build.")
    with state.db.read() as session:
        found = session.scalars(
            select(ClientBuild.id).where(ClientBuild.sha256 == sha, ClientBuild.retired.is_(False))
        ).first()
    if found is None:
        raise ApiError(404, "not_found", "There is no such build.")
    log.debug("rep %s fetches build %s", rep.id, sha)
    missing = "This build's file is missing on the hub."
    return send_file(state.builds, sha, request, BUNDLE_TYPE, missing)
