"""Collateral library (marketing): every asset with its campaign, tags, flagged problems
and retired state; upload one (the media type comes from its content; an encrypted or
damaged PDF is accepted but flagged, as with the command line), retire one, download
one."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import Response, StreamingResponse

from repdesk.domain.errors import ValidationError
from repdesk.hub import admin
from repdesk.hub.db.models import Collateral
from repdesk.hub.file_store import FileStoreError
from repdesk.hub.workspace.access import Access, CurrentUser, section_router
from repdesk.hub.workspace.context import PREFIX, hub_for
from repdesk.hub.workspace.flash import Flash, see_other
from repdesk.hub.workspace.refusals import Refused
from repdesk.hub.workspace.rendering import render
from repdesk.hub.workspace.uploads import display_name, named_message, temporary_upload

router = section_router(Access.MARKETING)

LIBRARY = f"{PREFIX}/collateral"
MAX_COLLATERAL_BYTES = 100 * 2**20


def _page(
    request: Request, *, status: int = 200, error: str = "", form: dict[str, str] | None = None
) -> Response:
    hub = hub_for(request)
    return render(
        request,
        "library/library.html",
        status_code=status,
        messages=[Flash("error", error)] if error else [],
        items=admin.list_collateral(hub, include_retired=True),
        campaigns=admin.campaign_names(hub),
        form=form or {"title": "", "campaign": "", "tags": ""},
        max_mb=MAX_COLLATERAL_BYTES // 2**20,
    )


@router.get("/collateral")
def library(request: Request) -> Response:
    return _page(request)


def split_tags(text: str) -> tuple[str, ...]:
    """ "price, security  timing" -> ("price", "security", "timing")."""
    return tuple(t for t in text.replace(",", " ").split() if t)


@router.post("/collateral")
def upload(
    request: Request,
    user: CurrentUser,
    *,
    title: Annotated[str, Form()] = "",
    campaign: Annotated[str, Form()] = "",
    tags: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    hub = hub_for(request)
    name = display_name(file) if file is not None else ""
    try:
        with temporary_upload(hub, file, MAX_COLLATERAL_BYTES) as path:
            try:
                info = admin.add_collateral(
                    hub,
                    path,
                    title,
                    campaign=campaign or None,
                    tags=split_tags(tags),
                    original_name=name,
                    actor=user.email,
                )
            except ValidationError as exc:
                raise ValidationError(named_message(str(exc), path, name)) from exc
    except ValidationError as exc:
        form = {"title": title, "campaign": campaign, "tags": tags}
        return _page(request, status=400, error=str(exc), form=form)
    except FileStoreError as exc:
        form = {"title": title, "campaign": campaign, "tags": tags}
        return _page(request, status=503, error=f"Not added: {exc}", form=form)
    if info.problem:
        return see_other(
            request,
            LIBRARY,
            f"Added {info.title!r}, but it is flagged: {info.problem} Reps see the warning.",
            "info",
        )
    return see_other(request, LIBRARY, f"Added {info.title!r}. Reps get it at their next sync.")


@router.post("/collateral/{collateral_id}/retire")
def retire(request: Request, user: CurrentUser, collateral_id: str) -> Response:
    try:
        info = admin.retire_collateral(hub_for(request), collateral_id, actor=user.email)
    except ValidationError as exc:
        return _page(request, status=400, error=str(exc))
    return see_other(
        request, LIBRARY, f"Retired {info.title!r}; reps' apps remove it at their next sync."
    )


@router.get("/collateral/{collateral_id}/file")
def download(request: Request, collateral_id: str) -> Response:
    hub = hub_for(request)
    with hub.db.read() as session:
        row = session.get(Collateral, collateral_id)
        found = (row.sha256, row.media_type, row.original_name, row.title) if row else None
    unavailable = Refused(503, "Files unavailable", "The hub cannot reach its files now.")
    try:
        stored = hub.files.stat(found[0]) if found is not None else None
        if found is None or stored is None:
            raise Refused(404, "Not found", "That file is not in the library.")
        chunks = hub.files.read(found[0])
    except (FileStoreError, FileNotFoundError) as exc:
        raise unavailable from exc
    _sha256, media_type, original, title = found
    return StreamingResponse(
        chunks,
        media_type=media_type,
        headers={
            "Content-Disposition": _attachment(original or title),
            "Content-Length": str(stored.size),
        },
    )


def _attachment(filename: str) -> str:
    """`attachment` with the name, RFC 6266/5987-encoded when it is not plain ASCII."""
    quoted = quote(filename)
    if quoted != filename:
        return f"attachment; filename*=utf-8''{quoted}"
    return f'attachment; filename="{filename}"'


__all__ = ["MAX_COLLATERAL_BYTES", "router", "split_tags"]
