"""Conversions between wire models and domain dataclasses, used by both hub and client."""

from __future__ import annotations

from typing import TypeVar

from repdesk.domain.feedback import ObjectionCategory
from repdesk.domain.leads import (
    Campaign,
    Collateral,
    Lead,
    LeadStatus,
    LifecycleStage,
    NurtureEvent,
    NurtureEventType,
)
from repdesk.domain.qualification import (
    Bant,
    BantAnswer,
    BantDimension,
    Confidence,
    Rubric,
    RubricDimension,
    ScaleOption,
)
from repdesk.protocol.schema import (
    BantAnswerData,
    CampaignData,
    CollateralData,
    LeadData,
    NurtureEventData,
    ObjectionCategoryData,
    QualificationData,
    RubricData,
    RubricDimensionData,
    ScaleOptionData,
)

_E = TypeVar("_E", LifecycleStage, LeadStatus)


def _enum_or(enum: type[_E], value: str, default: _E) -> _E:
    try:
        return enum(value)
    except ValueError:
        return default


def lead_from_data(lead_id: str, version: int, d: LeadData) -> Lead:
    return Lead(
        id=lead_id,
        first_name=d.first_name,
        last_name=d.last_name,
        company=d.company,
        email=d.email,
        title=d.title,
        industry=d.industry,
        company_size=d.company_size,
        phone=d.phone,
        country=d.country,
        lifecycle_stage=_enum_or(LifecycleStage, d.lifecycle_stage, LifecycleStage.OTHER),
        lead_status=_enum_or(LeadStatus, d.lead_status, LeadStatus.OPEN),
        score=d.score,
        source_campaign_id=d.source_campaign_id,
        owner_rep_id=d.owner_rep_id,
        marketing_notes=d.marketing_notes,
        external_id=d.external_id,
        created_at=d.created_at,
        updated_at=d.updated_at,
        version=version,
        assigned_at=d.assigned_at,
    )


def event_from_data(event_id: str, version: int, d: NurtureEventData) -> NurtureEvent | None:
    """None for an event type this client does not know (a newer hub): skipped, not fatal."""
    try:
        kind = NurtureEventType(d.type)
    except ValueError:
        return None
    return NurtureEvent(
        id=event_id,
        lead_id=d.lead_id,
        type=kind,
        occurred_at=d.occurred_at,
        campaign_id=d.campaign_id,
        asset=d.asset,
        detail=d.detail,
        score_delta=d.score_delta,
        version=version,
    )


def campaign_from_data(campaign_id: str, version: int, d: CampaignData) -> Campaign:
    return Campaign(
        id=campaign_id,
        name=d.name,
        channel=d.channel,
        status=d.status,
        description=d.description,
        starts_on=d.starts_on,
        ends_on=d.ends_on,
        version=version,
    )


def collateral_from_data(collateral_id: str, version: int, d: CollateralData) -> Collateral:
    return Collateral(
        id=collateral_id,
        title=d.title,
        sha256=d.sha256,
        size=d.size,
        media_type=d.media_type,
        campaign_id=d.campaign_id,
        tags=tuple(d.tags),
        problem=d.problem,
        version=version,
    )


def rubric_from_data(version: int, d: RubricData) -> Rubric:
    return Rubric(
        name=d.name,
        min_confidence=Confidence(d.min_confidence),
        min_qualifying=d.min_qualifying,
        version=version,
        dimensions=tuple(
            RubricDimension(
                dimension=BantDimension(dim.dimension),
                title=dim.title,
                question=dim.question,
                required=dim.required,
                options=tuple(
                    ScaleOption(code=o.code, label=o.label, qualifies=o.qualifies, key=o.key)
                    for o in dim.options
                ),
            )
            for dim in d.dimensions
        ),
    )


def rubric_to_data(rubric: Rubric) -> RubricData:
    return RubricData(
        name=rubric.name,
        min_confidence=int(rubric.min_confidence),
        min_qualifying=rubric.min_qualifying,
        dimensions=[
            RubricDimensionData(
                dimension=dim.dimension.value,
                title=dim.title,
                question=dim.question,
                required=dim.required,
                options=[
                    ScaleOptionData(code=o.code, label=o.label, qualifies=o.qualifies, key=o.key)
                    for o in dim.options
                ],
            )
            for dim in rubric.dimensions
        ],
    )


def category_from_data(d: ObjectionCategoryData) -> ObjectionCategory:
    return ObjectionCategory(code=d.code, label=d.label, description=d.description)


def answer_from_data(dimension: BantDimension, d: BantAnswerData | None) -> BantAnswer | None:
    if d is None:
        return None
    return BantAnswer(
        dimension=dimension,
        value=d.value,
        verbatim=d.verbatim,
        confidence=Confidence(d.confidence),
        recorded_by=d.recorded_by,
        recorded_at=d.recorded_at,
    )


def bant_from_data(version: int, d: QualificationData) -> Bant:
    return Bant(
        lead_id=d.lead_id,
        budget=answer_from_data(BantDimension.BUDGET, d.budget),
        authority=answer_from_data(BantDimension.AUTHORITY, d.authority),
        need=answer_from_data(BantDimension.NEED, d.need),
        timeframe=answer_from_data(BantDimension.TIMEFRAME, d.timeframe),
        version=version,
    )


__all__ = [
    "answer_from_data",
    "bant_from_data",
    "campaign_from_data",
    "category_from_data",
    "collateral_from_data",
    "event_from_data",
    "lead_from_data",
    "rubric_from_data",
    "rubric_to_data",
]
