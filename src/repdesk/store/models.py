"""SQLAlchemy models of the local cache; only the store package ever sees these rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


# Server-derived tables carry the hub's `version` (an upsert applies only if >= it) and
# an INTEGER `pk`: the FTS5 indexes are external-content tables keyed on a stable rowid
# (an implicit rowid may be renumbered by VACUUM).


class LeadModel(Base):
    __tablename__ = "leads"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    id: Mapped[str] = mapped_column(String, unique=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    first_name: Mapped[str] = mapped_column(Text, default="")
    last_name: Mapped[str] = mapped_column(Text, default="")
    company: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(Text, default="")
    industry: Mapped[str] = mapped_column(Text, default="")
    company_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    phone: Mapped[str] = mapped_column(Text, default="")
    country: Mapped[str] = mapped_column(Text, default="")
    lifecycle_stage: Mapped[str] = mapped_column(String, default="marketing_qualified_lead")
    lead_status: Mapped[str] = mapped_column(String, default="new")
    score: Mapped[int] = mapped_column(Integer, default=0)
    source_campaign_id: Mapped[str | None] = mapped_column(String, nullable=True)
    owner_rep_id: Mapped[str | None] = mapped_column(String, nullable=True)
    marketing_notes: Mapped[str] = mapped_column(Text, default="")
    external_id: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    next_step: Mapped[str] = mapped_column(Text, default="")
    # Derived columns kept current by the store so the lead list sorts/filters in SQL.
    name_key: Mapped[str] = mapped_column(Text, default="")
    last_touch_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    ready: Mapped[bool] = mapped_column(Boolean, default=False)
    missing: Mapped[str] = mapped_column(Text, default="")
    # Revision 5: the shown next step, marketing's or derived locally (store/next_step.py).
    next_action: Mapped[str] = mapped_column(Text, default="")
    # Revision 6: when the rep got the lead (the hub's; speed to lead counts from here).
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    __table_args__ = (
        Index("ix_leads_source_campaign", "source_campaign_id"),
        # Revision 2: one index per lead-list sort, each ending in id for a stable order.
        Index("ix_leads_last_touch", "last_touch_at", "id"),
        Index("ix_leads_name_key", "name_key", "id"),
        Index("ix_leads_company", "company", "id"),
        Index("ix_leads_stage", "lifecycle_stage", "id"),
        Index("ix_leads_score", "score", "id"),
        Index("ix_leads_ready", "ready", "id"),
        Index("ix_leads_next_action", "next_action", "id"),
        # Revision 7: newly assigned leads for Today's speed-to-lead section.
        Index("ix_leads_assigned", "assigned_at", "id"),
    )


class NurtureEventModel(Base):
    __tablename__ = "nurture_events"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    id: Mapped[str] = mapped_column(String, unique=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    lead_id: Mapped[str] = mapped_column(String)
    type: Mapped[str] = mapped_column(String)
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    campaign_id: Mapped[str | None] = mapped_column(String, nullable=True)
    asset: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    score_delta: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (
        Index("ix_events_lead_time", "lead_id", "occurred_at"),
        # Revision 3: covering (campaign, lead) for the campaign filter and wanted collateral.
        Index("ix_events_campaign_lead", "campaign_id", "lead_id"),
        # Revision 7: covering (time, type, lead, asset) for Today's "why now" (recent touches).
        Index("ix_events_recent", "occurred_at", "type", "lead_id", "asset"),
    )


class CampaignModel(Base):
    __tablename__ = "campaigns"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(Text, default="active")
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    ends_on: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class CollateralModel(Base):
    __tablename__ = "collateral"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(Text, default="")
    sha256: Mapped[str] = mapped_column(String, default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    media_type: Mapped[str] = mapped_column(String, default="")
    campaign_id: Mapped[str | None] = mapped_column(String, nullable=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    problem: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_collateral_campaign", "campaign_id"),)


class RubricModel(Base):
    """Marketing's current rubric: a single row (id "current") holding its JSON form."""

    __tablename__ = "rubric"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class ObjectionCategoryModel(Base):
    __tablename__ = "objection_categories"

    code: Mapped[str] = mapped_column(String, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class BantCurrentModel(Base):
    """The current BANT answers of one lead; each dimension is a JSON answer or NULL."""

    __tablename__ = "bant_current"

    lead_id: Mapped[str] = mapped_column(String, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    """The hub's qualification version last seen (the base_version of the next update)."""
    budget: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    authority: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    need: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    timeframe: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    field_versions: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)


class BantHistoryModel(Base):
    __tablename__ = "bant_history"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    lead_id: Mapped[str] = mapped_column(String)
    dimension: Mapped[str] = mapped_column(String)
    value: Mapped[str] = mapped_column(Text, default="")
    """Empty when the answer was cleared."""
    verbatim: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[int] = mapped_column(Integer, default=2)
    recorded_by: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    mutation_id: Mapped[str | None] = mapped_column(String, nullable=True)
    source: Mapped[str] = mapped_column(String, default="rep")
    """"rep" (typed here) or "hub" (arrived by pull or a take-theirs resolution)."""

    __table_args__ = (Index("ix_bant_history_lead", "lead_id", "recorded_at"),)


class CallNoteModel(Base):
    __tablename__ = "call_notes"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    id: Mapped[str] = mapped_column(String, unique=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    lead_id: Mapped[str] = mapped_column(String)
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    author_rep_id: Mapped[str] = mapped_column(Text, default="")
    call_started_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    duration_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    outcome: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_call_notes_lead", "lead_id", "created_at"),)


class ObjectionModel(Base):
    __tablename__ = "objections"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    lead_id: Mapped[str] = mapped_column(String)
    category_code: Mapped[str] = mapped_column(String)
    verbatim: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    severity: Mapped[int] = mapped_column(Integer, default=2)
    campaign_id: Mapped[str | None] = mapped_column(String, nullable=True)
    collateral_id: Mapped[str | None] = mapped_column(String, nullable=True)
    competitor: Mapped[str] = mapped_column(Text, default="")
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_objections_lead", "lead_id", "created_at"),)


class DispositionModel(Base):
    __tablename__ = "dispositions"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    lead_id: Mapped[str] = mapped_column(String)
    kind: Mapped[str] = mapped_column(String)
    decided_at: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_dispositions_lead", "lead_id", "decided_at"),)


class CollateralUseModel(Base):
    __tablename__ = "collateral_uses"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    lead_id: Mapped[str] = mapped_column(String)
    collateral_id: Mapped[str] = mapped_column(String)
    kind: Mapped[str] = mapped_column(String)
    used_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_collateral_uses_lead", "lead_id", "used_at"),)


class FollowUpModel(Base):
    """Revision 7: call-backs the rep scheduled (a rep write, synced as `followup.set`)."""

    __tablename__ = "followups"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    lead_id: Mapped[str] = mapped_column(String)
    due_at: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String, default="open")
    created_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    """Local only: when this computer last reminded the rep (a new due time reminds again)."""

    __table_args__ = (
        Index("ix_followups_state_due", "state", "due_at"),
        Index("ix_followups_lead", "lead_id", "state"),
    )


class TodaySkipModel(Base):
    """Revision 7, local only: leads the rep hid from Today, for the local day `day`."""

    __tablename__ = "today_skips"

    lead_id: Mapped[str] = mapped_column(String, primary_key=True)
    day: Mapped[str] = mapped_column(String)


class OutboxModel(Base):
    __tablename__ = "outbox"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    kind: Mapped[str] = mapped_column(String)
    entity_id: Mapped[str] = mapped_column(String)
    lead_id: Mapped[str] = mapped_column(String)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    base_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    __table_args__ = (
        Index("ix_outbox_state_seq", "state", "seq"),
        Index("ix_outbox_lead_state", "lead_id", "state"),
    )


class ConflictModel(Base):
    __tablename__ = "conflicts"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    mutation_id: Mapped[str] = mapped_column(String, ForeignKey("outbox.id"))
    lead_id: Mapped[str] = mapped_column(String)
    field: Mapped[str] = mapped_column(String)
    mine: Mapped[str] = mapped_column(Text, default="")
    theirs: Mapped[str] = mapped_column(Text, default="")
    server_version: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String, default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_conflicts_state", "state"),)


class SyncStateModel(Base):
    """A single row (id 1): this installation's identity and where sync left off."""

    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String)
    hub_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    rep_id: Mapped[str | None] = mapped_column(String, nullable=True)
    rep_name: Mapped[str] = mapped_column(Text, default="")
    rep_email: Mapped[str] = mapped_column(Text, default="")
    # Revision 4: who signed in last, kept after sign-out (same rep again: no resync).
    last_hub_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_rep_id: Mapped[str | None] = mapped_column(String, nullable=True)
    cursor: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_sync_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    full_resync_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    fts_stale: Mapped[bool] = mapped_column(Boolean, default=False)
    # Revision 6: marketing's speed-to-lead SLA as the hub's meta last said (None: unknown).
    sla_hours: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Revision 7: the hub's stable id (its address may change), now and at the last sign-in.
    hub_id: Mapped[str] = mapped_column(Text, default="")
    last_hub_id: Mapped[str] = mapped_column(Text, default="")
    last_rep_email: Mapped[str] = mapped_column(Text, default="")


class TombstoneModel(Base):
    """Removes seen from the hub, so a replayed older upsert cannot resurrect a row."""

    __tablename__ = "tombstones"

    entity: Mapped[str] = mapped_column(String, primary_key=True)
    id: Mapped[str] = mapped_column(String, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


def table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


LEADS = table(LeadModel)
EVENTS = table(NurtureEventModel)
CAMPAIGNS = table(CampaignModel)
COLLATERAL = table(CollateralModel)
RUBRIC = table(RubricModel)
CATEGORIES = table(ObjectionCategoryModel)
BANT = table(BantCurrentModel)
BANT_HISTORY = table(BantHistoryModel)
NOTES = table(CallNoteModel)
OBJECTIONS = table(ObjectionModel)
DISPOSITIONS = table(DispositionModel)
USES = table(CollateralUseModel)
FOLLOWUPS = table(FollowUpModel)
TODAY_SKIPS = table(TodaySkipModel)
OUTBOX = table(OutboxModel)
CONFLICTS = table(ConflictModel)
SYNC = table(SyncStateModel)
TOMBSTONES = table(TombstoneModel)
