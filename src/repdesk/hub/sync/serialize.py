"""Hub rows → the wire `data` of pull changes (via the models in repdesk.protocol.schema)."""

from __future__ import annotations

from typing import Any

from repdesk.domain.qualification import BANT_ORDER
from repdesk.hub.db import models as m
from repdesk.protocol.schema import (
    BantAnswerData,
    CallNoteData,
    CampaignData,
    CollateralData,
    CollateralUseData,
    DispositionData,
    FollowUpData,
    LeadData,
    NurtureEventData,
    ObjectionCategoryData,
    ObjectionData,
    QualificationData,
    RubricData,
)


def lead_data(row: m.Lead) -> dict[str, Any]:
    return LeadData(
        first_name=row.first_name,
        last_name=row.last_name,
        company=row.company,
        email=row.email,
        title=row.title,
        industry=row.industry,
        company_size=row.company_size,
        phone=row.phone,
        country=row.country,
        lifecycle_stage=row.lifecycle_stage,
        lead_status=row.lead_status,
        score=row.score,
        source_campaign_id=row.source_campaign_id,
        owner_rep_id=row.owner_rep_id,
        marketing_notes=row.marketing_notes,
        external_id=row.external_id or "",
        created_at=row.created_at,
        updated_at=row.updated_at,
        assigned_at=row.assigned_at,
    ).model_dump(mode="json")


def event_data(row: m.NurtureEvent) -> dict[str, Any]:
    return NurtureEventData(
        lead_id=row.lead_id,
        type=row.type,
        occurred_at=row.occurred_at,
        campaign_id=row.campaign_id,
        asset=row.asset,
        detail=row.detail,
        score_delta=row.score_delta,
    ).model_dump(mode="json")


def campaign_data(row: m.Campaign) -> dict[str, Any]:
    return CampaignData(
        name=row.name,
        channel=row.channel,
        status=row.status,
        description=row.description,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
    ).model_dump(mode="json")


def collateral_data(row: m.Collateral) -> dict[str, Any]:
    return CollateralData(
        title=row.title,
        sha256=row.sha256,
        size=row.size,
        media_type=row.media_type,
        campaign_id=row.campaign_id,
        tags=list(row.tags or []),
        problem=row.problem,
    ).model_dump(mode="json")


def rubric_data(row: m.RubricRow) -> dict[str, Any]:
    return RubricData.model_validate(row.data).model_dump(mode="json")


def category_data(row: m.ObjectionCategory) -> dict[str, Any]:
    return ObjectionCategoryData(
        code=row.code, label=row.label, description=row.description
    ).model_dump(mode="json")


def call_note_data(row: m.CallNote) -> dict[str, Any]:
    return CallNoteData(
        lead_id=row.lead_id,
        body=row.body,
        created_at=row.created_at,
        author_rep_id=row.rep_id,
        call_started_at=row.call_started_at,
        duration_seconds=row.duration_seconds,
        outcome=row.outcome,
    ).model_dump(mode="json")


def objection_data(row: m.ObjectionRow) -> dict[str, Any]:
    return ObjectionData(
        lead_id=row.lead_id,
        category_code=row.category_code,
        created_at=row.created_at,
        verbatim=row.verbatim,
        severity=row.severity,
        campaign_id=row.campaign_id,
        collateral_id=row.collateral_id,
        competitor=row.competitor,
        resolved=row.resolved,
    ).model_dump(mode="json")


def disposition_data(row: m.DispositionRow) -> dict[str, Any]:
    return DispositionData(
        lead_id=row.lead_id, kind=row.kind, decided_at=row.decided_at, reason=row.reason
    ).model_dump(mode="json")


def collateral_use_data(row: m.CollateralUseRow) -> dict[str, Any]:
    return CollateralUseData(
        lead_id=row.lead_id, collateral_id=row.collateral_id, kind=row.kind, used_at=row.used_at
    ).model_dump(mode="json")


def followup_data(row: m.FollowUpRow) -> dict[str, Any]:
    return FollowUpData(
        lead_id=row.lead_id,
        due_at=row.due_at,
        reason=row.reason,
        state=row.state,
        created_at=row.created_at,
        updated_at=row.updated_at,
    ).model_dump(mode="json")


def answer_data(field: m.QualificationField | None) -> BantAnswerData | None:
    if field is None or field.value is None:
        return None
    return BantAnswerData(
        value=field.value,
        verbatim=field.verbatim,
        confidence=field.confidence,
        recorded_by=field.recorded_by,
        recorded_at=field.recorded_at,
    )


def qualification_data(lead_id: str, fields: list[m.QualificationField]) -> dict[str, Any]:
    by_dim = {f.dimension: f for f in fields}
    answers = {dim.value: answer_data(by_dim.get(dim.value)) for dim in BANT_ORDER}
    return QualificationData(
        lead_id=lead_id,
        budget=answers["budget"],
        authority=answers["authority"],
        need=answers["need"],
        timeframe=answers["timeframe"],
        field_versions={f.dimension: f.version for f in fields},
    ).model_dump(mode="json")


__all__ = [
    "answer_data",
    "call_note_data",
    "campaign_data",
    "category_data",
    "collateral_data",
    "collateral_use_data",
    "disposition_data",
    "event_data",
    "followup_data",
    "lead_data",
    "objection_data",
    "qualification_data",
    "rubric_data",
]
