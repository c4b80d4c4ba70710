"""The local cache's tables (SQLAlchemy Core): only the store package ever sees these rows.

Plain `Table`s, not ORM classes: the store speaks Core only, and leaving the ORM out keeps
`sqlalchemy.orm` and the declarative machinery off the app's start-up (issue 9).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

METADATA = MetaData()
"""Every table of the cache (Alembic compares the migrations with it)."""

# Server-derived tables carry the hub's `version` (an upsert applies only if >= it) and
# an INTEGER `pk`: the FTS5 indexes are external-content tables keyed on a stable rowid
# (an implicit rowid may be renumbered by VACUUM).
LEADS = Table(
    "leads",
    METADATA,
    Column("pk", Integer, primary_key=True),
    Column("id", String, unique=True, nullable=False),
    Column("version", Integer, default=0, nullable=False),
    Column("first_name", Text, default="", nullable=False),
    Column("last_name", Text, default="", nullable=False),
    Column("company", Text, default="", nullable=False),
    Column("email", Text, default="", nullable=False),
    Column("title", Text, default="", nullable=False),
    Column("industry", Text, default="", nullable=False),
    Column("company_size", Integer, nullable=True),
    Column("phone", Text, default="", nullable=False),
    Column("country", Text, default="", nullable=False),
    Column("lifecycle_stage", String, default="marketing_qualified_lead", nullable=False),
    Column("lead_status", String, default="new", nullable=False),
    Column("score", Integer, default=0, nullable=False),
    Column("source_campaign_id", String, nullable=True),
    Column("owner_rep_id", String, nullable=True),
    Column("marketing_notes", Text, default="", nullable=False),
    Column("external_id", Text, default="", nullable=False),
    Column("created_at", DateTime, nullable=True),
    Column("updated_at", DateTime, nullable=True),
    Column("next_step", Text, default="", nullable=False),
    # Derived columns kept current by the store so the lead list sorts/filters in SQL.
    Column("name_key", Text, default="", nullable=False),
    Column("last_touch_at", DateTime, nullable=True),
    Column("ready", Boolean, default=False, nullable=False),
    Column("missing", Text, default="", nullable=False),
    # Revision 5: the shown next step, marketing's or derived locally (store/next_step.py).
    Column("next_action", Text, default="", nullable=False),
    # Revision 6: when the rep got the lead (the hub's; speed to lead counts from here).
    Column("assigned_at", DateTime, nullable=True),
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


EVENTS = Table(
    "nurture_events",
    METADATA,
    Column("pk", Integer, primary_key=True),
    Column("id", String, unique=True, nullable=False),
    Column("version", Integer, default=0, nullable=False),
    Column("lead_id", String, nullable=False),
    Column("type", String, nullable=False),
    Column("occurred_at", DateTime, nullable=False),
    Column("campaign_id", String, nullable=True),
    Column("asset", Text, default="", nullable=False),
    Column("detail", Text, default="", nullable=False),
    Column("score_delta", Integer, nullable=True),
    Index("ix_events_lead_time", "lead_id", "occurred_at"),
    # Revision 3: covering (campaign, lead) for the campaign filter and wanted collateral.
    Index("ix_events_campaign_lead", "campaign_id", "lead_id"),
    # Revision 7: covering (time, type, lead, asset) for Today's "why now" (recent touches).
    Index("ix_events_recent", "occurred_at", "type", "lead_id", "asset"),
)


CAMPAIGNS = Table(
    "campaigns",
    METADATA,
    Column("id", String, primary_key=True),
    Column("version", Integer, default=0, nullable=False),
    Column("name", Text, default="", nullable=False),
    Column("channel", Text, default="", nullable=False),
    Column("status", Text, default="active", nullable=False),
    Column("description", Text, default="", nullable=False),
    Column("starts_on", DateTime, nullable=True),
    Column("ends_on", DateTime, nullable=True),
)


COLLATERAL = Table(
    "collateral",
    METADATA,
    Column("id", String, primary_key=True),
    Column("version", Integer, default=0, nullable=False),
    Column("title", Text, default="", nullable=False),
    Column("sha256", String, default="", nullable=False),
    Column("size", Integer, default=0, nullable=False),
    Column("media_type", String, default="", nullable=False),
    Column("campaign_id", String, nullable=True),
    Column("tags", JSON, default=list, nullable=False),
    Column("problem", Text, default="", nullable=False),
    Index("ix_collateral_campaign", "campaign_id"),
)


# Marketing's current rubric: a single row (id "current") holding its JSON form.
RUBRIC = Table(
    "rubric",
    METADATA,
    Column("id", String, primary_key=True),
    Column("version", Integer, default=0, nullable=False),
    Column("data", JSON, nullable=False),
)


CATEGORIES = Table(
    "objection_categories",
    METADATA,
    Column("code", String, primary_key=True),
    Column("version", Integer, default=0, nullable=False),
    Column("label", Text, default="", nullable=False),
    Column("description", Text, default="", nullable=False),
    Column("position", Integer, default=0, nullable=False),
)


# The current BANT answers of one lead; each dimension is a JSON answer or NULL.
BANT = Table(
    "bant_current",
    METADATA,
    Column("lead_id", String, primary_key=True),
    Column("version", Integer, default=0, nullable=False),
    # The hub's qualification version last seen (the base_version of the next update).
    Column("budget", JSON, nullable=True),
    Column("authority", JSON, nullable=True),
    Column("need", JSON, nullable=True),
    Column("timeframe", JSON, nullable=True),
    Column("field_versions", JSON, default=dict, nullable=False),
)


BANT_HISTORY = Table(
    "bant_history",
    METADATA,
    Column("pk", Integer, primary_key=True),
    Column("lead_id", String, nullable=False),
    Column("dimension", String, nullable=False),
    Column("value", Text, default="", nullable=False),
    # Empty when the answer was cleared.
    Column("verbatim", Text, default="", nullable=False),
    Column("confidence", Integer, default=2, nullable=False),
    Column("recorded_by", Text, default="", nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("mutation_id", String, nullable=True),
    Column("source", String, default="rep", nullable=False),
    # rep" (typed here) or "hub" (arrived by pull or a take-theirs resolution).
    Index("ix_bant_history_lead", "lead_id", "recorded_at"),
)


NOTES = Table(
    "call_notes",
    METADATA,
    Column("pk", Integer, primary_key=True),
    Column("id", String, unique=True, nullable=False),
    Column("version", Integer, default=0, nullable=False),
    Column("lead_id", String, nullable=False),
    Column("body", Text, default="", nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("author_rep_id", Text, default="", nullable=False),
    Column("call_started_at", DateTime, nullable=True),
    Column("duration_seconds", Integer, nullable=True),
    Column("outcome", Text, default="", nullable=False),
    Index("ix_call_notes_lead", "lead_id", "created_at"),
)


OBJECTIONS = Table(
    "objections",
    METADATA,
    Column("id", String, primary_key=True),
    Column("version", Integer, default=0, nullable=False),
    Column("lead_id", String, nullable=False),
    Column("category_code", String, nullable=False),
    Column("verbatim", Text, default="", nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("severity", Integer, default=2, nullable=False),
    Column("campaign_id", String, nullable=True),
    Column("collateral_id", String, nullable=True),
    Column("competitor", Text, default="", nullable=False),
    Column("resolved", Boolean, default=False, nullable=False),
    Index("ix_objections_lead", "lead_id", "created_at"),
)


DISPOSITIONS = Table(
    "dispositions",
    METADATA,
    Column("id", String, primary_key=True),
    Column("version", Integer, default=0, nullable=False),
    Column("lead_id", String, nullable=False),
    Column("kind", String, nullable=False),
    Column("decided_at", DateTime, nullable=False),
    Column("reason", Text, default="", nullable=False),
    Index("ix_dispositions_lead", "lead_id", "decided_at"),
)


USES = Table(
    "collateral_uses",
    METADATA,
    Column("id", String, primary_key=True),
    Column("version", Integer, default=0, nullable=False),
    Column("lead_id", String, nullable=False),
    Column("collateral_id", String, nullable=False),
    Column("kind", String, nullable=False),
    Column("used_at", DateTime, nullable=False),
    Index("ix_collateral_uses_lead", "lead_id", "used_at"),
)


# Revision 7: call-backs the rep scheduled (a rep write, synced as `followup.set`).
FOLLOWUPS = Table(
    "followups",
    METADATA,
    Column("id", String, primary_key=True),
    Column("version", Integer, default=0, nullable=False),
    Column("lead_id", String, nullable=False),
    Column("due_at", DateTime, nullable=False),
    Column("reason", Text, default="", nullable=False),
    Column("state", String, default="open", nullable=False),
    Column("created_at", DateTime, nullable=True),
    Column("updated_at", DateTime, nullable=True),
    Column("reminded_at", DateTime, nullable=True),
    # Local only: when this computer last reminded the rep (a new due time reminds again).
    Index("ix_followups_state_due", "state", "due_at"),
    Index("ix_followups_lead", "lead_id", "state"),
)


# Revision 7, local only: leads the rep hid from Today, for the local day `day`.
TODAY_SKIPS = Table(
    "today_skips",
    METADATA,
    Column("lead_id", String, primary_key=True),
    Column("day", String, nullable=False),
)


OUTBOX = Table(
    "outbox",
    METADATA,
    Column("id", String, primary_key=True),
    Column("seq", Integer, unique=True, nullable=False),
    Column("kind", String, nullable=False),
    Column("entity_id", String, nullable=False),
    Column("lead_id", String, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("base_version", Integer, nullable=True),
    Column("payload", JSON, nullable=False),
    Column("state", String, default="pending", nullable=False),
    Column("attempts", Integer, default=0, nullable=False),
    Column("detail", Text, default="", nullable=False),
    Column("sent_at", DateTime, nullable=True),
    Index("ix_outbox_state_seq", "state", "seq"),
    Index("ix_outbox_lead_state", "lead_id", "state"),
)


CONFLICTS = Table(
    "conflicts",
    METADATA,
    Column("id", String, primary_key=True),
    Column("mutation_id", String, ForeignKey("outbox.id"), nullable=False),
    Column("lead_id", String, nullable=False),
    Column("field", String, nullable=False),
    Column("mine", Text, default="", nullable=False),
    Column("theirs", Text, default="", nullable=False),
    Column("server_version", Integer, default=0, nullable=False),
    Column("state", String, default="open", nullable=False),
    Column("created_at", DateTime, nullable=False),
    Index("ix_conflicts_state", "state"),
)


# A single row (id 1): this installation's identity and where sync left off.
SYNC = Table(
    "sync_state",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("client_id", String, nullable=False),
    Column("hub_url", Text, nullable=True),
    Column("rep_id", String, nullable=True),
    Column("rep_name", Text, default="", nullable=False),
    Column("rep_email", Text, default="", nullable=False),
    # Revision 4: who signed in last, kept after sign-out (same rep again: no resync).
    Column("last_hub_url", Text, nullable=True),
    Column("last_rep_id", String, nullable=True),
    Column("cursor", Text, nullable=True),
    Column("last_sync_at", DateTime, nullable=True),
    Column("last_error", Text, default="", nullable=False),
    Column("full_resync_needed", Boolean, default=False, nullable=False),
    Column("fts_stale", Boolean, default=False, nullable=False),
    # Revision 6: marketing's speed-to-lead SLA as the hub's meta last said (None: unknown).
    Column("sla_hours", Integer, nullable=True),
    # Revision 7: the hub's stable id (its address may change), now and at the last sign-in.
    Column("hub_id", Text, default="", nullable=False),
    Column("last_hub_id", Text, default="", nullable=False),
    Column("last_rep_email", Text, default="", nullable=False),
)


# Removes seen from the hub, so a replayed older upsert cannot resurrect a row.
TOMBSTONES = Table(
    "tombstones",
    METADATA,
    Column("entity", String, primary_key=True),
    Column("id", String, primary_key=True),
    Column("version", Integer, default=0, nullable=False),
)
