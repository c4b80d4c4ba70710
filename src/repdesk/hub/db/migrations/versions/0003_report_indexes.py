"""Indexes for marketing's reports (hub/reports): leads in scope by assignment, per
(campaign, rep) and by id (all index-only), a lead's calls, latest disposition and BANT
answers, objections and collateral uses by time. Checked with EXPLAIN
(benchmarks/bench_reports.py --explain).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_leads_report_scope", "leads",
     ["assigned_at", "deleted", "source_campaign_id", "owner_rep_id"]),
    ("ix_leads_report_group", "leads",
     ["source_campaign_id", "owner_rep_id", "assigned_at", "deleted"]),
    ("ix_leads_report_key", "leads",
     ["id", "assigned_at", "deleted", "source_campaign_id", "owner_rep_id"]),
    ("ix_call_notes_lead_call", "call_notes", ["lead_id", "call_started_at", "created_at"]),
    ("ix_dispositions_lead_latest", "dispositions", ["lead_id", "decided_at", "id", "kind"]),
    ("ix_qualification_fields_report", "qualification_fields",
     ["lead_id", "dimension", "value", "confidence"]),
    ("ix_objections_created_at", "objections", ["created_at", "id"]),
    ("ix_objections_category_created", "objections", ["category_code", "created_at", "id"]),
    ("ix_collateral_uses_used_at", "collateral_uses", ["used_at"]),
)  # fmt: skip


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
