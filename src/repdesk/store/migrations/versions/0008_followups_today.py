"""follow-ups and Today: followups, today_skips; indexes for Today's sections

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10 10:00:00

`followups` holds the rep's call-backs (synced as `followup.set`; `reminded_at` is local).
`today_skips` is local only: leads hidden from Today for one local day. Two covering
indexes serve Today at 100k leads: recent touches by time (`ix_events_recent`) and newly
assigned leads (`ix_leads_assigned`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "followups",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.String(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("reminded_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_followups_state_due", "followups", ["state", "due_at"])
    op.create_index("ix_followups_lead", "followups", ["lead_id", "state"])
    op.create_table(
        "today_skips",
        sa.Column("lead_id", sa.String(), nullable=False),
        sa.Column("day", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("lead_id"),
    )
    op.create_index(
        "ix_events_recent", "nurture_events", ["occurred_at", "type", "lead_id", "asset"]
    )
    op.create_index("ix_leads_assigned", "leads", ["assigned_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_leads_assigned", table_name="leads")
    op.drop_index("ix_events_recent", table_name="nurture_events")
    op.drop_table("today_skips")
    op.drop_index("ix_followups_lead", table_name="followups")
    op.drop_index("ix_followups_state_due", table_name="followups")
    op.drop_table("followups")
