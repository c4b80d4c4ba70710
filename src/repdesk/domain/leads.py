"""Leads, campaigns, nurture history and collateral as marketing hands them to sales."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class LifecycleStage(StrEnum):
    SUBSCRIBER = "subscriber"
    LEAD = "lead"
    MQL = "marketing_qualified_lead"
    SQL = "sales_qualified_lead"
    OPPORTUNITY = "opportunity"
    CUSTOMER = "customer"
    EVANGELIST = "evangelist"
    OTHER = "other"


class LeadStatus(StrEnum):
    NEW = "new"
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    ATTEMPTED_TO_CONTACT = "attempted_to_contact"
    CONNECTED = "connected"
    BAD_TIMING = "bad_timing"
    NURTURE = "nurture"
    QUALIFIED = "qualified"
    UNQUALIFIED = "unqualified"
    CONVERTED = "converted"


class NurtureEventType(StrEnum):
    EMAIL_SENT = "email_sent"
    EMAIL_OPENED = "email_opened"
    EMAIL_CLICKED = "email_clicked"
    WEB_VISIT = "web_visit"
    FORM_FILL = "form_fill"
    CONTENT_DOWNLOAD = "content_download"
    WEBINAR_REGISTERED = "webinar_registered"
    WEBINAR_ATTENDED = "webinar_attended"
    EVENT_BOOTH = "event_booth"
    SCORE_CHANGE = "score_change"
    STAGE_CHANGE = "stage_change"
    SALES_HANDOFF = "sales_handoff"


#: Event types that show the prospect actively engaging (used by the call brief).
ENGAGEMENT_TYPES: frozenset[NurtureEventType] = frozenset(
    {
        NurtureEventType.EMAIL_CLICKED,
        NurtureEventType.WEB_VISIT,
        NurtureEventType.FORM_FILL,
        NurtureEventType.CONTENT_DOWNLOAD,
        NurtureEventType.WEBINAR_ATTENDED,
        NurtureEventType.EVENT_BOOTH,
    }
)


@dataclass(frozen=True, slots=True)
class Campaign:
    id: str
    name: str
    channel: str = ""
    status: str = "active"
    description: str = ""
    starts_on: datetime | None = None
    ends_on: datetime | None = None
    version: int = 0


@dataclass(frozen=True, slots=True)
class Lead:
    id: str
    first_name: str
    last_name: str
    company: str
    email: str = ""
    title: str = ""
    industry: str = ""
    company_size: int | None = None
    phone: str = ""
    country: str = ""
    lifecycle_stage: LifecycleStage = LifecycleStage.MQL
    lead_status: LeadStatus = LeadStatus.NEW
    score: int = 0
    source_campaign_id: str | None = None
    owner_rep_id: str | None = None
    marketing_notes: str = ""
    external_id: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    last_touch_at: datetime | None = None
    next_step: str = ""
    version: int = 0
    assigned_at: datetime | None = None
    """When the rep got the lead (speed to lead counts from here); None when unknown."""

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or self.email


@dataclass(frozen=True, slots=True)
class NurtureEvent:
    id: str
    lead_id: str
    type: NurtureEventType
    occurred_at: datetime
    campaign_id: str | None = None
    asset: str = ""
    """What the prospect touched: an email subject, a page, a collateral id or title."""
    detail: str = ""
    score_delta: int | None = None
    version: int = 0


@dataclass(frozen=True, slots=True)
class Collateral:
    id: str
    title: str
    sha256: str
    size: int
    media_type: str
    campaign_id: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    problem: str = ""
    """Non-empty when the hub flagged the file (encrypted or unreadable PDF): shown to reps."""
    version: int = 0
