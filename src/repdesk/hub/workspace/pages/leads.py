"""Leads (marketing): import a CRM export (Salesforce, HubSpot or repdesk JSONL, as
`repdesk-hub import leads` reads them) through a dry-run preview, then confirm; assign
leads to a rep by rule or take them back, each after a preview count.

The uploaded file waits for its confirmation under the hub home (`uploads.stash`), bound
to the session that uploaded it, and is deleted on import, on cancel, or after an hour.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import func, select

from repdesk.domain.errors import ValidationError
from repdesk.hub import admin
from repdesk.hub.db.models import Lead
from repdesk.hub.workspace import lead_rules, uploads
from repdesk.hub.workspace.access import Access, CurrentUser, section_router
from repdesk.hub.workspace.context import PREFIX, hub_for
from repdesk.hub.workspace.flash import Flash, see_other
from repdesk.hub.workspace.rendering import render
from repdesk.hub.workspace.sessions import SignedIn

router = section_router(Access.MARKETING)

LEADS = f"{PREFIX}/leads"
MAX_LEADS_BYTES = 200 * 2**20
ERRORS_SHOWN = 100


@dataclass(frozen=True, slots=True)
class LeadCounts:
    total: int
    unassigned: int


def _counts(request: Request) -> LeadCounts:
    with hub_for(request).db.read() as session:
        alive = Lead.deleted.is_(False)
        total = session.scalar(select(func.count()).select_from(Lead).where(alive)) or 0
        free = (
            session.scalar(
                select(func.count()).select_from(Lead).where(alive, Lead.owner_rep_id.is_(None))
            )
            or 0
        )
    return LeadCounts(int(total), int(free))


def _page(
    request: Request,
    *,
    status: int = 200,
    error: str = "",
    assign: lead_rules.RuleForm | None = None,
    unassign: lead_rules.RuleForm | None = None,
) -> Response:
    reps = admin.list_reps(hub_for(request))
    return render(
        request,
        "leads/leads.html",
        status_code=status,
        messages=[Flash("error", error)] if error else [],
        counts=_counts(request),
        active_reps=[r for r in reps if not r.disabled],
        reps_with_leads=[r for r in reps if r.leads],
        assign=assign or lead_rules.RuleForm(),
        unassign=unassign or lead_rules.RuleForm(),
        fields=lead_rules.field_choices(),
        rows=range(lead_rules.ROWS),
    )


@router.get("/leads")
def leads_page(request: Request) -> Response:
    return _page(request)


# --- import ------------------------------------------------------------------------------


def _dry_run(request: Request, found: uploads.Stashed) -> admin.LeadImportReport:
    try:
        return admin.import_leads(hub_for(request), found.path, dry_run=True)
    except ValidationError as exc:
        raise ValidationError(uploads.named_message(str(exc), found.path, found.name)) from exc


@router.post("/leads/import")
def upload_leads(
    request: Request,
    user: CurrentUser,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    hub = hub_for(request)
    try:
        found = uploads.stash(hub, file, user, MAX_LEADS_BYTES)
    except ValidationError as exc:
        return _page(request, status=400, error=str(exc))
    try:
        report = _dry_run(request, found)
    except ValidationError as exc:
        uploads.discard(hub, found.id, user)
        return _page(request, status=400, error=f"Nothing imported: {exc}")
    return render(
        request,
        "leads/preview.html",
        upload=found,
        report=report,
        errors=report.errors[:ERRORS_SHOWN],
        more_errors=max(0, len(report.errors) - ERRORS_SHOWN),
    )


@router.post("/leads/import/confirm")
def confirm_import(
    request: Request, user: CurrentUser, upload: Annotated[str, Form()] = ""
) -> Response:
    hub = hub_for(request)
    try:
        found = uploads.stashed(hub, upload, user)
        try:
            report = admin.import_leads_as(hub, found.path, file_name=found.name, actor=user.email)
        except ValidationError as exc:
            message = uploads.named_message(str(exc), found.path, found.name)
            raise ValidationError(f"Nothing imported: {message}") from exc
        finally:
            uploads.discard(hub, found.id, user)
    except ValidationError as exc:
        return _page(request, status=400, error=str(exc))
    skipped = f" {len(report.errors)} row(s) skipped." if report.errors else ""
    return see_other(
        request,
        LEADS,
        f"Imported {found.name or 'the file'} ({report.format}): {report.created} new, "
        f"{report.updated} updated, {report.unchanged} unchanged, {report.assigned} assigned "
        f"to reps.{skipped}",
        "info" if report.errors else "success",
    )


@router.post("/leads/import/cancel")
def cancel_import(
    request: Request, user: CurrentUser, upload: Annotated[str, Form()] = ""
) -> Response:
    uploads.discard(hub_for(request), upload, user)
    return see_other(request, LEADS, "Import cancelled; the file was deleted.", "info")


# --- assign / unassign -------------------------------------------------------------------


async def _fields(request: Request) -> Mapping[str, Any]:
    return await request.form()


Fields = Annotated[Mapping[str, Any], Depends(_fields)]


def _assign(
    request: Request, user: SignedIn, form: lead_rules.RuleForm, *, dry_run: bool
) -> admin.AssignReport:
    if not form.rep:
        raise ValidationError("Choose the rep who gets the leads.")
    rule = lead_rules.rule_of(form)
    return admin.assign_by_rule(
        hub_for(request),
        form.rep,
        rule.where,
        limit=rule.limit,
        reassign=form.reassign,
        dry_run=dry_run,
        actor=user.email,
    )


@router.post("/leads/assign/preview")
def preview_assign(request: Request, user: CurrentUser, fields: Fields) -> Response:
    form = lead_rules.read_form(fields)
    try:
        report = _assign(request, user, form, dry_run=True)
    except ValidationError as exc:
        return _page(request, status=400, error=str(exc), assign=form)
    return render(
        request,
        "leads/confirm.html",
        action="assign",
        form=form,
        count=report.assigned,
        moved=report.moved,
        criteria=lead_rules.describe(lead_rules.rule_of(form)),
    )


@router.post("/leads/assign")
def assign(request: Request, user: CurrentUser, fields: Fields) -> Response:
    form = lead_rules.read_form(fields)
    try:
        report = _assign(request, user, form, dry_run=False)
    except ValidationError as exc:
        return _page(request, status=400, error=str(exc), assign=form)
    moved = f" ({report.moved} taken from other reps)" if report.moved else ""
    return see_other(
        request,
        LEADS,
        f"Assigned {report.assigned} lead(s) to {form.rep}{moved}; "
        "they reach the rep at their next sync.",
    )


def _unassign(request: Request, user: SignedIn, form: lead_rules.RuleForm, *, dry_run: bool) -> int:
    rule = lead_rules.rule_of(form)
    if not form.rep and not rule.where:
        raise ValidationError("Choose a rep or at least one condition: which leads to unassign?")
    return admin.unassign(
        hub_for(request),
        from_email=form.rep or None,
        where=rule.where,
        limit=rule.limit,
        dry_run=dry_run,
        actor=user.email,
    )


@router.post("/leads/unassign/preview")
def preview_unassign(request: Request, user: CurrentUser, fields: Fields) -> Response:
    form = lead_rules.read_form(fields)
    try:
        count = _unassign(request, user, form, dry_run=True)
    except ValidationError as exc:
        return _page(request, status=400, error=str(exc), unassign=form)
    return render(
        request,
        "leads/confirm.html",
        action="unassign",
        form=form,
        count=count,
        moved=0,
        criteria=lead_rules.describe(lead_rules.rule_of(form)),
    )


@router.post("/leads/unassign")
def unassign(request: Request, user: CurrentUser, fields: Fields) -> Response:
    form = lead_rules.read_form(fields)
    try:
        count = _unassign(request, user, form, dry_run=False)
    except ValidationError as exc:
        return _page(request, status=400, error=str(exc), unassign=form)
    return see_other(
        request, LEADS, f"Unassigned {count} lead(s); they are back in the unassigned pool."
    )


__all__ = ["router"]
