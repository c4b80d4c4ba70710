"""`GET|HEAD /v1/collateral/{sha256}`: the file, with single byte ranges and If-Range.

Content never changes under a hash, so the strong ETag is the hash itself. A Range the
hub cannot parse (or several ranges) is ignored and the whole file is sent, as RFC 9110
allows; a range starting past the end is 416 with `Content-Range: bytes */size`. The bytes
are streamed from the hub's file store (a directory, or a ranged GET from S3); a store
that does not answer is 503.
"""

from __future__ import annotations

import logging
import re
from email.utils import formatdate
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from repdesk.hub.api.errors import ApiError
from repdesk.hub.api.state import Authed, State
from repdesk.hub.db.models import Collateral
from repdesk.hub.file_store import SHA256_RE, FileStore, FileStoreError
from repdesk.protocol.schema import ErrorResponse

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1/collateral", tags=["collateral"])

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, end inclusive) for one satisfiable range; None to send the whole file.

    Raises ApiError 416 when the range is well-formed but starts at or past the end.
    """
    if header is None:
        return None
    match = _RANGE.match(header)
    if match is None:
        return None  # several ranges, another unit, or garbage: ignored
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise _unsatisfiable(size)
        return max(0, size - suffix), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # invalid range: ignored
    if start >= size:
        raise _unsatisfiable(size)
    return start, min(end, size - 1)


def _unsatisfiable(size: int) -> ApiError:
    return ApiError(
        416,
        "range_not_satisfiable",
        "The requested part of the file is beyond its end.",
        headers={"Content-Range": f"bytes */{size}"},
    )


_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/octet-stream": {}}, "description": "The whole file"},
    206: {"description": "The requested byte range"},
    404: {"model": ErrorResponse},
    416: {"model": ErrorResponse},
    503: {"model": ErrorResponse, "description": "The hub's file store does not answer"},
}


@router.get("/{sha256}", response_class=Response, responses=_RESPONSES)
def get_collateral(sha256: str, request: Request, rep: Authed, state: State) -> Response:
    return collateral_file(sha256, request, rep, state)


@router.head("/{sha256}", response_class=Response, responses=_RESPONSES)
def head_collateral(sha256: str, request: Request, rep: Authed, state: State) -> Response:
    return collateral_file(sha256, request, rep, state)


def collateral_file(sha256: str, request: Request, rep: Authed, state: State) -> Response:
    """The file (or its headers for HEAD) for a rep; shared by the GET and HEAD routes."""
    sha = sha256.lower()
    if not SHA256_RE.match(sha):
        raise ApiError(404, "not_found", "There is no such collateral.")
    with state.db.read() as session:
        item = session.scalars(
            select(Collateral).where(Collateral.sha256 == sha, Collateral.retired.is_(False))
        ).first()
        media_type = item.media_type if item is not None else ""
    if item is None:
        raise ApiError(404, "not_found", "There is no such collateral.")
    log.debug("rep %s fetches collateral %s", rep.id, sha)
    missing = "This collateral file is missing on the hub; tell marketing."
    return send_file(state.files, sha, request, media_type, missing)


def _unavailable(exc: FileStoreError) -> ApiError:
    log.error("file store: %s", exc)
    return ApiError(503, "files_unavailable", "The hub cannot reach its files now; try later.")


def send_file(
    store: FileStore, sha: str, request: Request, media_type: str, missing: str
) -> Response:
    """A content-addressed file (or its headers for HEAD), honouring one Range/If-Range;
    `missing` is the message when the database lists it but the file is gone."""
    try:
        stat = store.stat(sha)
    except FileStoreError as exc:
        raise _unavailable(exc) from exc
    if stat is None:
        log.error("%s is listed but its file is missing from %s", sha, store.describe())
        raise ApiError(404, "file_missing", missing)
    size = stat.size
    etag = f'"{sha}"'
    last_modified = formatdate(stat.modified, usegmt=True)
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Last-Modified": last_modified,
        "Cache-Control": "private, max-age=31536000, immutable",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": "attachment",
    }
    if_range = request.headers.get("if-range")
    byte_range = None
    if if_range is None or if_range.strip() in (etag, last_modified):
        try:
            byte_range = parse_range(request.headers.get("range"), size)
        except ApiError as exc:
            exc.headers.update({"Accept-Ranges": "bytes", "ETag": etag})
            raise
    status, start, length = 200, 0, size
    if byte_range is not None:
        start, end = byte_range
        status, length = 206, end - start + 1
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers["Content-Length"] = str(length)
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=media_type)
    try:
        chunks = store.read(sha, start, length)
    except FileNotFoundError:
        raise ApiError(404, "file_missing", missing) from None
    except FileStoreError as exc:
        raise _unavailable(exc) from exc
    return StreamingResponse(chunks, status_code=status, headers=headers, media_type=media_type)
