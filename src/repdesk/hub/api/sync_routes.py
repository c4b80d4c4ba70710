"""`GET /v1/sync/meta`, `GET /v1/sync/pull` and `POST /v1/sync/push`."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import ValidationError

from repdesk.domain.ids import utcnow
from repdesk.hub.admin.settings import sla_hours
from repdesk.hub.api.errors import ApiError
from repdesk.hub.api.state import Authed, State
from repdesk.hub.sync.cursor import CursorExpired, decode_cursor, encode_cursor
from repdesk.hub.sync.pull import max_seq, pull_page
from repdesk.hub.sync.push import push_batch, rejected, validation_errors
from repdesk.hub.sync.storable import problem
from repdesk.protocol.schema import (
    DEFAULT_PULL_LIMIT,
    MAX_PULL_LIMIT,
    PROTOCOL_VERSION,
    ErrorResponse,
    MetaResponse,
    Mutation,
    PullResponse,
    PushRequest,
    PushResponse,
    PushResult,
)

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1/sync", tags=["sync"])

_AUTH: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "Missing, unknown or expired token"}
}


@router.get("/meta", response_model=MetaResponse)
def meta(state: State) -> MetaResponse:
    # The SLA is a team-wide working rule, not a secret: it rides on the call every sync
    # already makes (even before sign-in), so no new entity or endpoint is needed.
    with state.db.read() as session:
        hours = sla_hours(session)
    return MetaResponse(
        server_time=utcnow(),
        hub_id=state.hub_id or None,
        protocol_version=PROTOCOL_VERSION,
        min_client_version=state.config.min_client_version,
        sla_hours=hours,
        server_version=state.config.server_version,
    )


def cursor_expired() -> ApiError:
    return ApiError(
        410,
        "cursor_expired",
        "The hub can no longer continue from where this device left off; "
        "a full refresh is needed (nothing you wrote is lost).",
    )


@router.get(
    "/pull",
    response_model=PullResponse,
    responses={**_AUTH, 410: {"model": ErrorResponse, "description": "cursor_expired"}},
)
def pull(
    rep: Authed,
    state: State,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = DEFAULT_PULL_LIMIT,
) -> Response:
    try:
        after = decode_cursor(cursor, state.epoch)
    except CursorExpired as exc:
        raise cursor_expired() from exc
    with state.db.read() as session:
        if after.seq > max_seq(session):
            # From a database restored to an earlier point: what it saw may be gone.
            raise cursor_expired()
        page = pull_page(session, rep.id, after, limit)
    body = PullResponse.model_construct(
        changes=page.changes,
        cursor=encode_cursor(state.epoch, page.last),
        has_more=page.has_more,
    )
    # Serialised here, once: returning the model would make FastAPI dump it to dicts,
    # validate those against the response model and serialise again (for each of
    # thousands of changes per page). `response_model` still documents the shape.
    return Response(body.model_dump_json(), media_type="application/json")


@router.post("/push", response_model=PushResponse, responses=_AUTH)
def push(body: PushRequest, rep: Authed, state: State) -> PushResponse:
    """Each mutation is judged alone: one the hub cannot read (`UnreadableMutation`) is
    `rejected` by itself and the rest of the batch is applied (see docs/protocol.md)."""
    bad_client_id = problem(body.client_id)
    if bad_client_id:
        raise ApiError(
            422, "invalid_request", f"The request is not valid (client_id: {bad_client_id})."
        )
    checked: list[Mutation | PushResult] = []
    for index, item in enumerate(body.mutations):
        if isinstance(item, Mutation):
            checked.append(item)  # a value no column holds is `rejected` by push_batch
            continue
        if problem(item.id):
            raise ApiError(
                422,
                "invalid_request",
                f"Change number {index + 1} has no usable id, so the batch was not read.",
            )
        try:
            mutation = Mutation.model_validate(item.model_dump())
        except ValidationError as exc:
            checked.append(
                rejected(
                    item.id,
                    "invalid_mutation",
                    "This change was not understood by the hub and was not applied.",
                    errors=validation_errors(exc),
                )
            )
        else:  # the body model tries Mutation first; what reads as one here is one
            checked.append(mutation)
    results = push_batch(state.db, rep.id, body.client_id, checked)
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status.value] = counts.get(r.status.value, 0) + 1
    log.info("push from rep %s (%s): %s", rep.id, body.client_id, counts)
    return PushResponse(results=results)
