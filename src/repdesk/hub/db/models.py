"""SQLAlchemy models of the hub's database (marketing's data, reps' writes, the change log).

Ids are strings: hub-made ids are UUIDv7 (`new_id`), ids of the reps' writes are the client-made
`entity_id` of the mutation that created them. Every datetime is stored and returned as
aware UTC (`UtcDateTime`). Rows that sync to reps carry a `version` that is bumped on each
change; every writer must also call `repdesk.hub.sync.changes.touch` (see there).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from repdesk.domain.ids import new_id, utcnow
from repdesk.hub.db.base import ID, Base, UtcDateTime

# The base and column types live in `base.py`; re-exported here for existing imports.


# --- hub identity ----------------------------------------------------------------------


#: `hub_meta` key of the hub's stable identity (made once, never rotated; migration 0005).
HUB_ID_KEY = "hub_id"


class HubMeta(Base):
    """Key/value facts about this hub (`epoch`: the id cursors are bound to, rotated to
    invalidate them; `hub_id`: the hub's identity, never rotated)."""

    __tablename__ = "hub_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))


# --- reps and auth ---------------------------------------------------------------------


class Rep(Base):
    __tablename__ = "reps"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    """Stored lower-cased and stripped (see `repdesk.hub.auth.normalize_email`)."""
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    """argon2id hash (`repdesk.hub.auth.hash_password`)."""
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Token(Base):
    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """sha256 hex of the bearer token; the token itself is never stored."""
    rep_id: Mapped[str] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    client_address: Mapped[str] = mapped_column(String(64), default="")


class LoginAttempt(Base):
    """One failed (or successful) sign-in; failures within a window drive throttling."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_address_at", "address", "at"),
        Index("ix_login_attempts_email_at", "email", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    address: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(320))
    success: Mapped[bool] = mapped_column(Boolean, default=False)
    settled: Mapped[bool] = mapped_column(Boolean, default=True)
    """False while the password check runs (the attempt is reserved, not yet a failure):
    it counts against its own account-and-address pair only, never against the address
    or the account, so other people's sign-ins in flight cannot block anyone."""
    realm: Mapped[str] = mapped_column(String(20), default="rep")
    """Whose sign-in: "rep" (the desktop app) or "workspace" (marketing's browser); each
    realm is throttled on its own, so one cannot lock the other out."""


# --- marketing's data ------------------------------------------------------------------


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True, default=new_id)
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True, default=None)
    name: Mapped[str] = mapped_column(String(300))
    channel: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(50), default="active")
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[datetime | None] = mapped_column(default=None)
    ends_on: Mapped[datetime | None] = mapped_column(default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Lead(Base):
    __tablename__ = "leads"
    __table_args__ = (
        # The reports (hub/reports, migration 0003), all index-only: leads in scope by
        # assignment date; counted per (campaign, rep) in index order with no sort; and
        # the same columns by id for joins from the reps' writes.
        Index(
            "ix_leads_report_scope", "assigned_at", "deleted", "source_campaign_id", "owner_rep_id"
        ),
        Index(
            "ix_leads_report_group", "source_campaign_id", "owner_rep_id", "assigned_at", "deleted"
        ),
        Index(
            "ix_leads_report_key",
            "id",
            "assigned_at",
            "deleted",
            "source_campaign_id",
            "owner_rep_id",
        ),
    )

    id: Mapped[str] = mapped_column(String(ID), primary_key=True, default=new_id)
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True, default=None)
    """The id in marketing's system (CSV / automation platform); None when unknown."""
    email: Mapped[str] = mapped_column(String(320), default="", index=True)
    first_name: Mapped[str] = mapped_column(String(200), default="")
    last_name: Mapped[str] = mapped_column(String(200), default="")
    company: Mapped[str] = mapped_column(String(300), default="")
    title: Mapped[str] = mapped_column(String(300), default="")
    industry: Mapped[str] = mapped_column(String(200), default="")
    company_size: Mapped[int | None] = mapped_column(Integer, default=None)
    phone: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(100), default="")
    lifecycle_stage: Mapped[str] = mapped_column(String(50), default="marketing_qualified_lead")
    lead_status: Mapped[str] = mapped_column(String(50), default="new")
    score: Mapped[int] = mapped_column(Integer, default=0)
    source_campaign_id: Mapped[str | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL"), default=None
    )
    owner_rep_id: Mapped[str | None] = mapped_column(
        ForeignKey("reps.id", ondelete="SET NULL"), default=None, index=True
    )
    assigned_at: Mapped[datetime | None] = mapped_column(default=None)
    """When the current owner got the lead (speed to lead counts from here); None when
    unassigned."""
    marketing_notes: Mapped[str] = mapped_column(Text, default="")
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    """Soft delete: the reps' writes about the lead stay for marketing's reports."""
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class NurtureEvent(Base):
    __tablename__ = "nurture_events"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True, default=new_id)
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True, default=None)
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(50))
    occurred_at: Mapped[datetime]
    campaign_id: Mapped[str | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL"), default=None
    )
    asset: Mapped[str] = mapped_column(String(500), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    score_delta: Mapped[int | None] = mapped_column(Integer, default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Collateral(Base):
    """Metadata of one collateral file; the bytes live under the hub home by sha256."""

    __tablename__ = "collateral"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True, default=new_id)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    original_name: Mapped[str] = mapped_column(String(500), default="")
    """The file name marketing uploaded (for the operator only; clients never use it)."""
    campaign_id: Mapped[str | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL"), default=None
    )
    tags: Mapped[list[str]] = mapped_column(default=list)
    problem: Mapped[str] = mapped_column(Text, default="")
    """Non-empty when the file is flagged (encrypted or unreadable PDF): shown to reps."""
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    """Withdrawn by marketing: removed from reps' libraries, its file no longer served."""
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ClientBuild(Base):
    """A desktop app build marketing published (`repdesk-hub client add`); the bundle's
    bytes live under the hub home by sha256 (`HubConfig.builds_dir`). The version and
    platform come from the bundle's own manifest (`repdesk/BUILD-INFO.json`)."""

    __tablename__ = "client_builds"
    __table_args__ = (Index("ix_client_builds_platform_retired", "platform", "retired"),)

    id: Mapped[str] = mapped_column(String(ID), primary_key=True, default=new_id)
    platform: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    """Withdrawn: no longer offered to reps (apps that installed it keep it)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RubricRow(Base):
    """Marketing's rubric; `data` is a `repdesk.protocol.schema.RubricData` dump."""

    __tablename__ = "rubrics"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(300))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ObjectionCategory(Base):
    """One entry of marketing's objection taxonomy; the pull id is the code."""

    __tablename__ = "objection_categories"

    code: Mapped[str] = mapped_column(String(100), primary_key=True)
    label: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# --- the reps' writes ------------------------------------------------------------------


class CallNote(Base):
    __tablename__ = "call_notes"
    __table_args__ = (Index("ix_call_notes_lead_call", "lead_id", "call_started_at", "created_at"),)

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    rep_id: Mapped[str] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"), index=True)
    mutation_id: Mapped[str] = mapped_column(String(ID))
    body: Mapped[str] = mapped_column(Text)
    call_started_at: Mapped[datetime | None] = mapped_column(default=None)
    duration_seconds: Mapped[int | None] = mapped_column(Integer, default=None)
    outcome: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
    """When the rep wrote it (the mutation's recorded_at)."""
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Qualification(Base):
    """The current BANT state of one lead (one row per lead; the pull id is the lead id)."""

    __tablename__ = "qualifications"

    lead_id: Mapped[str] = mapped_column(
        ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, default=0)
    """Bumped on every accepted change; each field remembers the version that set it."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class QualificationField(Base):
    """One BANT dimension's current answer; `value` None means cleared."""

    __tablename__ = "qualification_fields"
    __table_args__ = (
        # The reports judge every lead's answers from this index alone (migration 0003).
        Index("ix_qualification_fields_report", "lead_id", "dimension", "value", "confidence"),
    )

    lead_id: Mapped[str] = mapped_column(
        ForeignKey("qualifications.lead_id", ondelete="CASCADE"), primary_key=True
    )
    dimension: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str | None] = mapped_column(String(100), default=None)
    verbatim: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[int] = mapped_column(Integer, default=2)
    recorded_by: Mapped[str] = mapped_column(String(ID), default="")
    """The rep id who gave the answer."""
    recorded_at: Mapped[datetime | None] = mapped_column(default=None)
    version: Mapped[int] = mapped_column(Integer, default=0)
    """The qualification version at which this field last changed."""
    mutation_id: Mapped[str] = mapped_column(String(ID), default="")
    client_id: Mapped[str] = mapped_column(String(ID), default="")
    """The installation that set it ("" for marketing): its own later edits never conflict."""


class ObjectionRow(Base):
    __tablename__ = "objections"
    __table_args__ = (
        Index("ix_objections_created_at", "created_at", "id"),
        Index("ix_objections_category_created", "category_code", "created_at", "id"),
        # a campaign filter on the objections report (0007)
        Index("ix_objections_campaign", "campaign_id"),
    )

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    rep_id: Mapped[str] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"), index=True)
    mutation_id: Mapped[str] = mapped_column(String(ID))
    category_code: Mapped[str] = mapped_column(String(100))
    verbatim: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[int] = mapped_column(Integer, default=2)
    campaign_id: Mapped[str | None] = mapped_column(String(ID), default=None)
    collateral_id: Mapped[str | None] = mapped_column(String(ID), default=None)
    competitor: Mapped[str] = mapped_column(String(200), default="")
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class DispositionRow(Base):
    """Each disposition the rep set; the lead's current one is the latest `decided_at`."""

    __tablename__ = "dispositions"
    __table_args__ = (Index("ix_dispositions_lead_latest", "lead_id", "decided_at", "id", "kind"),)

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    rep_id: Mapped[str] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"), index=True)
    mutation_id: Mapped[str] = mapped_column(String(ID))
    kind: Mapped[str] = mapped_column(String(50))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class CollateralUseRow(Base):
    __tablename__ = "collateral_uses"
    __table_args__ = (
        Index("ix_collateral_uses_used_at", "used_at"),
        Index("ix_collateral_uses_report", "collateral_id", "lead_id", "kind", "used_at", "rep_id"),
    )

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    rep_id: Mapped[str] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"), index=True)
    mutation_id: Mapped[str] = mapped_column(String(ID))
    collateral_id: Mapped[str] = mapped_column(String(ID))
    kind: Mapped[str] = mapped_column(String(20))
    used_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class LeadFacts(Base):
    """Per-lead facts the reports aggregate (migration 0007), written ONLY by the
    database's triggers in the transaction of each write to `leads`, `call_notes`,
    `dispositions` and `qualification_fields`: never write it from Python. The scope
    columns copy the lead's, under the same names."""

    __tablename__ = "lead_facts"
    __table_args__ = (
        Index(
            "ix_lead_facts_group",
            "source_campaign_id",
            "owner_rep_id",
            "assigned_at",
            "deleted",
            "worked",
            "first_call_at",
            "verdict_kind",
        ),
        Index(
            "ix_lead_facts_key",
            "lead_id",
            "assigned_at",
            "deleted",
            "source_campaign_id",
            "owner_rep_id",
            "verdict_kind",
        ),
        Index(
            "ix_lead_facts_assigned", "assigned_at", "deleted", "source_campaign_id", "owner_rep_id"
        ),
        Index("ix_lead_facts_rep", "owner_rep_id", "assigned_at"),
    )

    lead_id: Mapped[str] = mapped_column(
        ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True
    )
    source_campaign_id: Mapped[str | None] = mapped_column(String(ID))
    owner_rep_id: Mapped[str | None] = mapped_column(String(ID))
    assigned_at: Mapped[datetime | None]
    deleted: Mapped[bool] = mapped_column(Boolean)
    worked: Mapped[bool] = mapped_column(Boolean)
    """At least one call note on the lead (whenever it was made)."""
    first_call_at: Mapped[datetime | None]
    """The earliest call at or after `assigned_at` (start as logged, else note written)."""
    verdict_kind: Mapped[str | None] = mapped_column(String(50))
    """The latest disposition (by decided_at, ties to the higher id); None: no verdict."""
    verdict_reason: Mapped[str | None] = mapped_column(Text)
    verdict_at: Mapped[datetime | None]
    verdict_id: Mapped[str | None] = mapped_column(String(ID))
    # The current BANT answers (`qualification_fields`), one pair per dimension.
    budget_value: Mapped[str | None] = mapped_column(String(100))
    budget_confidence: Mapped[int | None] = mapped_column(Integer)
    authority_value: Mapped[str | None] = mapped_column(String(100))
    authority_confidence: Mapped[int | None] = mapped_column(Integer)
    need_value: Mapped[str | None] = mapped_column(String(100))
    need_confidence: Mapped[int | None] = mapped_column(Integer)
    timeframe_value: Mapped[str | None] = mapped_column(String(100))
    timeframe_confidence: Mapped[int | None] = mapped_column(Integer)


class FollowUpRow(Base):
    """A call-back a rep scheduled (`followup.set`). Each change carries the whole state;
    the change the rep made last (`updated_at`, the rep's clock) wins, whatever order the
    rep's devices send them in."""

    __tablename__ = "followups"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    rep_id: Mapped[str] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"), index=True)
    mutation_id: Mapped[str] = mapped_column(String(ID))
    """The mutation whose state the row holds now."""
    due_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default="open")
    last_action: Mapped[str] = mapped_column(String(20), default="create")
    created_at: Mapped[datetime]
    """When the rep scheduled it (the creating mutation's recorded_at)."""
    updated_at: Mapped[datetime]
    """When the rep last changed it (the winning mutation's recorded_at)."""
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    """When the hub last took a change of it (what feedback export --since filters on)."""
    version: Mapped[int] = mapped_column(Integer, default=1)


# --- marketing's workspace --------------------------------------------------------------


class User(Base):
    """A person of marketing's team who signs in to the web workspace (never a rep)."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    """Stored lower-cased and stripped (see `repdesk.hub.auth.normalize_email`)."""
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20), default="marketing")
    """"marketing" or "admin" (admins also manage people and read the audit log)."""
    password_hash: Mapped[str] = mapped_column(String(256))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class WebSession(Base):
    """A signed-in browser; the cookie holds a random token, only its sha256 is stored."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    """Every form and state-changing request must echo it (synchroniser token)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    client_address: Mapped[str] = mapped_column(String(64), default="")


class AuditEntry(Base):
    """One change made in the workspace (or by the CLI): who, what, when."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(320))
    """The user's email, or "cli" for the operator's command line."""
    action: Mapped[str] = mapped_column(String(100))
    """A dotted verb, e.g. "rubric.publish", "collateral.tag", "user.add"."""
    target: Mapped[str] = mapped_column(String(500), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class RubricVersion(Base):
    """Every published rubric, kept: the workspace shows the history."""

    __tablename__ = "rubric_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rubric_id: Mapped[str] = mapped_column(String(ID), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by: Mapped[str] = mapped_column(String(320), default="")


# --- sync bookkeeping ------------------------------------------------------------------


class ProcessedMutation(Base):
    """Idempotency record, written in the same transaction as the mutation's effect."""

    __tablename__ = "processed_mutations"

    mutation_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(ID))
    rep_id: Mapped[str] = mapped_column(ForeignKey("reps.id", ondelete="CASCADE"), index=True)
    body_hash: Mapped[str] = mapped_column(String(64))
    """sha256 of the canonical JSON of the mutation (and the rep who sent it)."""
    kind: Mapped[str] = mapped_column(String(50))
    lead_id: Mapped[str] = mapped_column(String(ID))
    status: Mapped[str] = mapped_column(String(20))
    server_version: Mapped[int | None] = mapped_column(Integer, default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChangeLog(Base):
    """What each rep must pull: the LATEST change per (entity, entity_id, audience).

    `seq` only grows (AUTOINCREMENT on SQLite so a deleted top row's number is never
    reused); `xid` is the writing transaction's id on PostgreSQL (0 on SQLite, and for
    rows older than migration 0009); pulls read in (xid, seq) order. `audience` is a rep
    id or `"*"` (every rep). Write it only through `repdesk.hub.sync.changes`.
    """

    __tablename__ = "change_log"
    __table_args__ = (
        UniqueConstraint("entity", "entity_id", "audience", name="uq_change_log_key"),
        Index("ix_change_log_audience_xid_seq", "audience", "xid", "seq"),
        {"sqlite_autoincrement": True},
    )

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(ID))
    op: Mapped[str] = mapped_column(String(10))
    """"upsert" or "remove"."""
    audience: Mapped[str] = mapped_column(String(ID))
    version: Mapped[int] = mapped_column(Integer, default=0)
    """The entity's version when the change was recorded (what a `remove` reports)."""
    lead_id: Mapped[str | None] = mapped_column(String(ID), default=None, index=True)
    """For lead-scoped entities: the lead they belong to (reassignment moves them)."""
    at: Mapped[datetime] = mapped_column(default=utcnow)
    xid: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    """PostgreSQL: `pg_current_xact_id()` of the writing transaction (the column's default
    there, migration 0009); SQLite: 0. Never set by Python."""


__all__ = [
    "ID",
    "Base",
    "CallNote",
    "Campaign",
    "ChangeLog",
    "ClientBuild",
    "Collateral",
    "CollateralUseRow",
    "DispositionRow",
    "HUB_ID_KEY",
    "FollowUpRow",
    "HubMeta",
    "Lead",
    "LeadFacts",
    "LoginAttempt",
    "NurtureEvent",
    "ObjectionCategory",
    "ObjectionRow",
    "ProcessedMutation",
    "Qualification",
    "QualificationField",
    "AuditEntry",
    "Rep",
    "RubricRow",
    "RubricVersion",
    "Token",
    "User",
    "UtcDateTime",
    "WebSession",
]
