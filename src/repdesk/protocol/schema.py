"""Pydantic models of every `/v1` request and response body (see docs/protocol.md)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from repdesk.domain.feedback import DispositionKind, UseKind
from repdesk.domain.followups import MAX_REASON, FollowUpAction, FollowUpState
from repdesk.domain.outbox import MutationKind

PROTOCOL_VERSION = 1
MAX_PULL_LIMIT = 5000
DEFAULT_PULL_LIMIT = 1000
MAX_PUSH_BATCH = 500
MAX_TEXT = 20_000
"""Longest free text (a note, a verbatim quote) the hub accepts."""
NO_NUL = r"^[^\x00]*$"
"""Text a database can store: no NUL character (the hub answers 422 for one in a sign-in,
a `client_id` or a mutation id, so the published schema says it too)."""


class Wire(BaseModel):
    """Strict base: unknown fields are an error, so typos never silently drop data."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Lenient(BaseModel):
    """Base for server-to-client data: newer hubs may add fields; old clients ignore them."""

    model_config = ConfigDict(extra="ignore", frozen=True)


# --- errors and auth -------------------------------------------------------------------


class ErrorBody(Lenient):
    code: str
    message: str


class ErrorResponse(Lenient):
    error: ErrorBody


class LoginRequest(Wire):
    email: str = Field(min_length=3, max_length=320, pattern=NO_NUL)
    password: str = Field(min_length=1, max_length=1024, pattern=NO_NUL)


class RepInfo(Lenient):
    id: str
    name: str
    email: str


class LoginResponse(Lenient):
    token: str
    rep: RepInfo
    hub_id: str | None = None
    """The hub's stable identity (see `MetaResponse.hub_id`); None from an older hub."""


class MetaResponse(Lenient):
    server_time: datetime
    hub_id: str | None = None
    """The hub's stable identity, the same whatever address it answers on; None from a hub
    that predates it (clients then recognise their hub by its address)."""
    protocol_version: int
    min_client_version: str
    sla_hours: int | None = None
    """Marketing's speed-to-lead SLA: hours from assignment to the first call. None from a
    hub that predates it (the client then shows no countdown)."""


# --- client builds ---------------------------------------------------------------------


class ClientBuild(Lenient):
    """A desktop app build the hub offers (`GET /v1/client/latest`); its bundle is at
    `GET /v1/client/builds/{sha256}` and must hash to `sha256`."""

    version: str = Field(max_length=64)
    platform: str = Field(max_length=64)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=1)


class LatestBuildResponse(Lenient):
    build: ClientBuild | None = None
    """The newest build for the platform asked about, when it is newer than the version
    the client said it runs; None otherwise."""


# --- pull ------------------------------------------------------------------------------


class Entity(StrEnum):
    LEAD = "lead"
    NURTURE_EVENT = "nurture_event"
    CAMPAIGN = "campaign"
    COLLATERAL = "collateral"
    RUBRIC = "rubric"
    OBJECTION_CATEGORY = "objection_category"
    CALL_NOTE = "call_note"
    QUALIFICATION = "qualification"
    OBJECTION = "objection"
    DISPOSITION = "disposition"
    COLLATERAL_USE = "collateral_use"
    FOLLOWUP = "followup"


class Change(Lenient):
    entity: Annotated[Entity | str, Field(union_mode="left_to_right")]
    """An `Entity`; a name a newer hub added stays a plain str (clients skip it)."""
    id: str
    op: Annotated[Literal["upsert", "remove"] | str, Field(union_mode="left_to_right")]
    """"upsert" or "remove"; an op a newer hub added stays a plain str (clients skip it)."""
    version: int
    data: dict[str, Any] | None = None


class PullResponse(Lenient):
    changes: list[Change]
    cursor: str
    has_more: bool


class LeadData(Lenient):
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    email: str = ""
    title: str = ""
    industry: str = ""
    company_size: int | None = None
    phone: str = ""
    country: str = ""
    lifecycle_stage: str = "marketing_qualified_lead"
    lead_status: str = "new"
    score: int = 0
    source_campaign_id: str | None = None
    owner_rep_id: str | None = None
    marketing_notes: str = ""
    external_id: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    assigned_at: datetime | None = None
    """When the current owner got the lead (speed to lead counts from here); None when
    unassigned or from a hub that predates it."""


class NurtureEventData(Lenient):
    lead_id: str
    type: str
    occurred_at: datetime
    campaign_id: str | None = None
    asset: str = ""
    detail: str = ""
    score_delta: int | None = None


class CampaignData(Lenient):
    name: str
    channel: str = ""
    status: str = "active"
    description: str = ""
    starts_on: datetime | None = None
    ends_on: datetime | None = None


class CollateralData(Lenient):
    title: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    media_type: str
    campaign_id: str | None = None
    tags: list[str] = Field(default_factory=list)
    problem: str = ""


class ScaleOptionData(Lenient):
    code: str
    label: str
    qualifies: bool
    key: str = ""


class RubricDimensionData(Lenient):
    dimension: Literal["budget", "authority", "need", "timeframe"]
    title: str
    question: str = ""
    required: bool = True
    options: list[ScaleOptionData]


class RubricData(Lenient):
    name: str
    min_confidence: int = Field(default=2, ge=1, le=3)
    min_qualifying: int = Field(default=4, ge=0, le=4)
    dimensions: list[RubricDimensionData]


class ObjectionCategoryData(Lenient):
    code: str
    label: str
    description: str = ""


class BantAnswerData(Lenient):
    value: str = Field(min_length=1, max_length=100)
    verbatim: str = Field(default="", max_length=MAX_TEXT)
    confidence: int = Field(default=2, ge=1, le=3)
    recorded_by: str = ""
    recorded_at: datetime | None = None


class QualificationData(Lenient):
    lead_id: str
    budget: BantAnswerData | None = None
    authority: BantAnswerData | None = None
    need: BantAnswerData | None = None
    timeframe: BantAnswerData | None = None
    field_versions: dict[str, int] = Field(default_factory=dict)


class CallNoteData(Lenient):
    """A rep's call note as the hub stored it (pulled back by the rep's other devices)."""

    lead_id: str
    body: str
    created_at: datetime
    author_rep_id: str = ""
    call_started_at: datetime | None = None
    duration_seconds: int | None = None
    outcome: str = ""


class ObjectionData(Lenient):
    lead_id: str
    category_code: str
    created_at: datetime
    verbatim: str = ""
    severity: int = 2
    campaign_id: str | None = None
    collateral_id: str | None = None
    competitor: str = ""
    resolved: bool = False


class DispositionData(Lenient):
    lead_id: str
    kind: str
    decided_at: datetime
    reason: str = ""


class CollateralUseData(Lenient):
    lead_id: str
    collateral_id: str
    kind: str
    used_at: datetime


class FollowUpData(Lenient):
    """A follow-up (call-back) as the hub keeps it; pulled by the lead owner's devices."""

    lead_id: str
    due_at: datetime
    reason: str = ""
    state: str = "open"
    created_at: datetime | None = None
    updated_at: datetime | None = None


# --- push ------------------------------------------------------------------------------


class CallNotePayload(Wire):
    body: str = Field(min_length=1, max_length=MAX_TEXT)
    call_started_at: datetime | None = None
    duration_seconds: int | None = Field(default=None, ge=0)
    outcome: str = Field(default="", max_length=200)


class BantAnswerPayload(Wire):
    value: str = Field(min_length=1, max_length=100)
    verbatim: str = Field(default="", max_length=MAX_TEXT)
    confidence: int = Field(default=2, ge=1, le=3)


class QualificationPayload(Wire):
    """Only the BANT fields that changed; None clears a field."""

    fields: dict[Literal["budget", "authority", "need", "timeframe"], BantAnswerPayload | None] = (
        Field(min_length=1)
    )


class ObjectionPayload(Wire):
    category_code: str = Field(min_length=1, max_length=100)
    verbatim: str = Field(default="", max_length=MAX_TEXT)
    severity: int = Field(default=2, ge=1, le=4)
    campaign_id: str | None = None
    collateral_id: str | None = None
    competitor: str = Field(default="", max_length=200)


class DispositionPayload(Wire):
    kind: DispositionKind
    reason: str = Field(default="", max_length=MAX_TEXT)


class CollateralUsedPayload(Wire):
    collateral_id: str
    kind: UseKind


_STATE_OF_ACTION = {
    FollowUpAction.CREATE: FollowUpState.OPEN,
    FollowUpAction.UPDATE: FollowUpState.OPEN,
    FollowUpAction.COMPLETE: FollowUpState.DONE,
    FollowUpAction.CANCEL: FollowUpState.CANCELLED,
}


class FollowUpPayload(Wire):
    """`followup.set`: what the rep did to the follow-up `entity_id`, and its whole state
    after it (the mutation's `recorded_at` is when; the hub keeps the latest)."""

    action: FollowUpAction
    due_at: datetime
    reason: str = Field(default="", max_length=MAX_REASON)
    state: FollowUpState

    @model_validator(mode="after")
    def _state_matches_action(self) -> FollowUpPayload:
        expected = _STATE_OF_ACTION[self.action]
        if self.state is not expected:
            raise ValueError(f"a {self.action.value} leaves the follow-up {expected.value}")
        return self


PAYLOAD_MODELS: dict[MutationKind, type[Wire]] = {
    MutationKind.CALL_NOTE_CREATE: CallNotePayload,
    MutationKind.QUALIFICATION_UPDATE: QualificationPayload,
    MutationKind.OBJECTION_CREATE: ObjectionPayload,
    MutationKind.DISPOSITION_SET: DispositionPayload,
    MutationKind.COLLATERAL_USED: CollateralUsedPayload,
    MutationKind.FOLLOWUP_SET: FollowUpPayload,
}


class Mutation(Wire):
    id: str = Field(min_length=1, max_length=64, pattern=NO_NUL)
    seq: int = Field(ge=0)
    kind: MutationKind
    entity_id: str = Field(min_length=1, max_length=64)
    lead_id: str = Field(min_length=1, max_length=64)
    recorded_at: datetime
    base_version: int | None = None
    payload: dict[str, Any]
    """Validated per kind by the hub (PAYLOAD_MODELS) so one bad payload is `rejected` alone."""


class UnreadableMutation(BaseModel):
    """A mutation this hub cannot read (a kind from a newer client, a missing or mistyped
    field): it only needs a usable `id`, and is answered `rejected invalid_mutation` alone
    while the rest of the batch is applied (see docs/protocol.md, Push)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str = Field(min_length=1, max_length=64, pattern=NO_NUL)


class PushRequest(Wire):
    """What push reads: well-formed `Mutation`s (what clients send), and any object with a
    usable `id`, which is judged (and rejected) alone; anything else is a 422."""

    client_id: str = Field(min_length=1, max_length=64, pattern=NO_NUL)
    mutations: Sequence[
        Annotated[Mutation | UnreadableMutation, Field(union_mode="left_to_right")]
    ] = Field(max_length=MAX_PUSH_BATCH)


class PushStatus(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    REJECTED = "rejected"


class PushResult(Lenient):
    id: str
    status: PushStatus
    server_version: int | None = None
    detail: dict[str, Any] = Field(default_factory=dict)


class PushResponse(Lenient):
    results: list[PushResult]


__all__ = [
    "DEFAULT_PULL_LIMIT",
    "MAX_PULL_LIMIT",
    "MAX_PUSH_BATCH",
    "MAX_TEXT",
    "PAYLOAD_MODELS",
    "PROTOCOL_VERSION",
    "BantAnswerData",
    "BantAnswerPayload",
    "CallNoteData",
    "CallNotePayload",
    "CampaignData",
    "Change",
    "ClientBuild",
    "CollateralData",
    "CollateralUseData",
    "CollateralUsedPayload",
    "DispositionData",
    "DispositionPayload",
    "Entity",
    "ErrorBody",
    "FollowUpData",
    "FollowUpPayload",
    "ErrorResponse",
    "LatestBuildResponse",
    "LeadData",
    "Lenient",
    "LoginRequest",
    "LoginResponse",
    "MetaResponse",
    "Mutation",
    "NO_NUL",
    "NurtureEventData",
    "ObjectionCategoryData",
    "ObjectionData",
    "ObjectionPayload",
    "PullResponse",
    "PushRequest",
    "PushResponse",
    "PushResult",
    "PushStatus",
    "QualificationData",
    "QualificationPayload",
    "RepInfo",
    "RubricData",
    "RubricDimensionData",
    "ScaleOptionData",
    "UnreadableMutation",
    "Wire",
]
