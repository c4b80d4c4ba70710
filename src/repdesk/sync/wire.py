"""Wire <-> store values: pulled Changes to RemoteUpsert/Remove, outbox items to Mutations."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any

import pydantic

from repdesk.domain.errors import UntrustedServerError
from repdesk.domain.feedback import (
    CallNote,
    CollateralUse,
    Disposition,
    DispositionKind,
    Objection,
    Severity,
    UseKind,
)
from repdesk.domain.followups import FollowUp, FollowUpState
from repdesk.domain.outbox import OutboxItem, OutboxState
from repdesk.protocol import convert
from repdesk.protocol.schema import (
    CallNoteData,
    CampaignData,
    Change,
    CollateralData,
    CollateralUseData,
    DispositionData,
    Entity,
    FollowUpData,
    LeadData,
    Mutation,
    NurtureEventData,
    ObjectionCategoryData,
    ObjectionData,
    PushResult,
    PushStatus,
    QualificationData,
    RubricData,
)
from repdesk.store.api import (
    FieldConflict,
    MutationOutcome,
    RemoteChange,
    RemoteObject,
    RemoteRemove,
    RemoteUpsert,
)
from repdesk.sync.http import GARBAGE, plain_text

log = logging.getLogger(__name__)


def _note(cid: str, _v: int, d: CallNoteData) -> CallNote:
    return CallNote(
        id=cid,
        lead_id=d.lead_id,
        body=d.body,
        created_at=d.created_at,
        author_rep_id=d.author_rep_id,
        call_started_at=d.call_started_at,
        duration_seconds=d.duration_seconds,
        outcome=d.outcome,
    )


def _objection(cid: str, _v: int, d: ObjectionData) -> Objection:
    return Objection(
        id=cid,
        lead_id=d.lead_id,
        category_code=d.category_code,
        verbatim=d.verbatim,
        created_at=d.created_at,
        severity=Severity(min(max(d.severity, Severity.LOW), Severity.BLOCKER)),
        campaign_id=d.campaign_id,
        collateral_id=d.collateral_id,
        competitor=d.competitor,
        resolved=d.resolved,
    )


def _disposition(cid: str, _v: int, d: DispositionData) -> Disposition:
    return Disposition(
        id=cid, lead_id=d.lead_id, kind=DispositionKind(d.kind), decided_at=d.decided_at,
        reason=d.reason,
    )  # fmt: skip


def _use(cid: str, _v: int, d: CollateralUseData) -> CollateralUse:
    return CollateralUse(
        id=cid, lead_id=d.lead_id, collateral_id=d.collateral_id, kind=UseKind(d.kind),
        used_at=d.used_at,
    )  # fmt: skip


def _followup(cid: str, version: int, d: FollowUpData) -> FollowUp:
    return FollowUp(
        id=cid, lead_id=d.lead_id, due_at=d.due_at, reason=d.reason, state=FollowUpState(d.state),
        created_at=d.created_at, updated_at=d.updated_at, version=version,
    )  # fmt: skip


# entity -> (data model, builder(id, version, data) -> domain object or None to skip)
_Builder = tuple[type[pydantic.BaseModel], Callable[[str, int, Any], RemoteObject | None]]
_BUILDERS: Mapping[str, _Builder] = {
    Entity.LEAD: (LeadData, convert.lead_from_data),
    Entity.NURTURE_EVENT: (NurtureEventData, convert.event_from_data),
    Entity.CAMPAIGN: (CampaignData, convert.campaign_from_data),
    Entity.COLLATERAL: (CollateralData, convert.collateral_from_data),
    Entity.RUBRIC: (RubricData, lambda _id, v, d: convert.rubric_from_data(v, d)),
    Entity.OBJECTION_CATEGORY: (
        ObjectionCategoryData, lambda _i, _v, d: convert.category_from_data(d)
    ),
    Entity.CALL_NOTE: (CallNoteData, _note),
    Entity.QUALIFICATION: (QualificationData, lambda _id, v, d: convert.bant_from_data(v, d)),
    Entity.OBJECTION: (ObjectionData, _objection),
    Entity.DISPOSITION: (DispositionData, _disposition),
    Entity.COLLATERAL_USE: (CollateralUseData, _use),
    Entity.FOLLOWUP: (FollowUpData, _followup),
}  # fmt: skip

DATA_MODELS: Mapping[str, type[pydantic.BaseModel]] = {
    str(entity): model for entity, (model, _build) in _BUILDERS.items()
}
"""The wire model of each entity's `data` that this client uses (see `sync/pages.py`)."""


def remote_change(change: Change) -> RemoteChange | None:
    """The store's value for one pulled change; None for something this client cannot use.

    A value this client does not know (a newer hub's entity, op, event type or disposition
    kind) is skipped, not fatal; a body that breaks the protocol raises
    UntrustedServerError so the page (and its cursor) is not applied.
    """
    return remote_of(str(change.entity), change.id, change.op, change.version, change.data)


def remote_of(entity: str, change_id: str, op: str, version: int, data: Any) -> RemoteChange | None:
    """As `remote_change`; `data` is the entity's wire model already, or still a raw dict."""
    spec = _BUILDERS.get(entity)
    if spec is None or op not in ("upsert", "remove"):
        log.debug("pull: skipping %s %s %s (not used by this client)", op, entity, change_id)
        return None
    if op == "remove":
        return RemoteRemove(entity=entity, id=change_id, version=version)
    if data is None:
        raise UntrustedServerError(GARBAGE, server_text=f"{entity} {change_id} has no data")
    model, build = spec
    if not isinstance(data, (model, SimpleNamespace)):  # a namespace: see sync/pages.py
        try:
            data = model.model_validate(data)
        except pydantic.ValidationError as exc:
            log.warning("pull: %s %s is malformed: %s", entity, change_id, exc)
            raise UntrustedServerError(
                GARBAGE, server_text=plain_text(f"{entity} {change_id}: {exc}")
            ) from exc
    try:
        obj = build(change_id, version, data)
    except ValueError as exc:  # an enum value or rule this client does not know
        log.info("pull: skipping %s %s: %s", entity, change_id, exc)
        return None
    if obj is None:
        return None
    field_versions = data.field_versions if isinstance(data, QualificationData) else {}
    return RemoteUpsert(
        entity=entity, id=change_id, version=version, obj=obj, field_versions=field_versions
    )


def mutation_of(item: OutboxItem) -> Mutation:
    """The wire form of a queued write (pydantic.ValidationError if it cannot be sent)."""
    return Mutation(
        id=item.id,
        seq=item.seq,
        kind=item.kind,
        entity_id=item.entity_id,
        lead_id=item.lead_id,
        recorded_at=item.recorded_at,
        base_version=item.base_version,
        payload=item.payload,
    )


def _rejection_text(detail: Mapping[str, Any]) -> str:
    reason = detail.get("reason") or detail.get("message") or ""
    parts = [str(reason)] if reason else []
    errors = detail.get("errors")
    if isinstance(errors, list):
        for err in errors[:5]:
            if isinstance(err, Mapping):
                parts.append(f"{err.get('field', '')}: {err.get('message', '')}")
    text = "; ".join(p for p in parts if p) or "The hub refused this change without a reason."
    return plain_text(text)


def _conflicts(detail: Mapping[str, Any]) -> list[FieldConflict]:
    found: list[FieldConflict] = []
    raw = detail.get("conflicts")
    if isinstance(raw, list):
        for c in raw:
            if isinstance(c, Mapping) and c.get("field"):
                found.append(
                    FieldConflict(
                        field=plain_text(str(c["field"])),
                        mine=plain_text(str(c.get("mine") or "")),
                        theirs=plain_text(str(c.get("theirs") or "")),
                    )
                )
    return found


HUB_TOO_OLD = (
    "Your hub does not know this kind of change yet (it is older than this repdesk). It "
    "stays in your outbox and is sent again at each sync, so it reaches marketing once "
    "the hub is updated."
)


def _kind_unknown(detail: Mapping[str, Any]) -> bool:
    """The hub refused the mutation only because it does not know its kind (an older hub)."""
    code = detail.get("code")
    if code == "unknown_kind":
        return True
    errors = detail.get("errors")
    if code != "invalid_mutation" or not isinstance(errors, list) or not errors:
        return False
    return all(isinstance(e, Mapping) and e.get("field") == "kind" for e in errors)


def outcome_of(result: PushResult) -> MutationOutcome:
    """What the store records for one push result; `duplicate` is a success. A kind the
    hub does not know stays PENDING (queued, with the reason), never refused for good."""
    status = result.status
    if status is PushStatus.REJECTED and _kind_unknown(result.detail):
        return MutationOutcome(result.id, OutboxState.PENDING, detail=HUB_TOO_OLD)
    if status is PushStatus.DUPLICATE and result.detail.get("original_status") == "conflict":
        status = PushStatus.CONFLICT  # the hub answers a replayed conflict with its record
    if status in (PushStatus.APPLIED, PushStatus.DUPLICATE):
        return MutationOutcome(result.id, OutboxState.APPLIED, result.server_version)
    if status is PushStatus.CONFLICT:
        conflicts = _conflicts(result.detail)
        fields = ", ".join(c.field.capitalize() for c in conflicts) or "some fields"
        return MutationOutcome(
            result.id,
            OutboxState.CONFLICT,
            result.server_version,
            detail=f"Marketing changed {fields} since you last synced; choose which to keep.",
            conflicts=conflicts,
        )
    return MutationOutcome(
        result.id, OutboxState.REJECTED, result.server_version, _rejection_text(result.detail)
    )


__all__ = ["DATA_MODELS", "HUB_TOO_OLD", "mutation_of", "outcome_of", "remote_change", "remote_of"]
