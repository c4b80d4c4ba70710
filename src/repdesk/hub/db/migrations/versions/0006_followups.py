"""Follow-ups: the call-backs reps schedule (`followup.set`), kept per lead.

Revision ID: 0006
Revises: 0005

Self-contained: only creates the `followups` table, so merging it after other revisions
is a change of `down_revision` alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "followups",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("lead_id", sa.String(length=64), nullable=False),
        sa.Column("rep_id", sa.String(length=64), nullable=False),
        sa.Column("mutation_id", sa.String(length=64), nullable=False),
        sa.Column("due_at", _TS, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("last_action", sa.String(length=20), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("received_at", _TS, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_followups_lead_id_leads"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["rep_id"], ["reps.id"], name=op.f("fk_followups_rep_id_reps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followups")),
    )
    op.create_index(op.f("ix_followups_lead_id"), "followups", ["lead_id"])
    op.create_index(op.f("ix_followups_rep_id"), "followups", ["rep_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_followups_rep_id"), table_name="followups")
    op.drop_index(op.f("ix_followups_lead_id"), table_name="followups")
    op.drop_table("followups")
