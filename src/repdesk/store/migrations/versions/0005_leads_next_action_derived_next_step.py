"""leads: next_action, the shown next step (marketing's or derived), with its sort index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 06:10:00

The derived steps are filled in by Store.open right after this upgrade (they need the
rubric rules in Python); marketing's own next steps are copied here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_action", sa.Text(), nullable=False, server_default=""))
        batch_op.create_index("ix_leads_next_action", ["next_action", "id"], unique=False)
    op.execute("UPDATE leads SET next_action = next_step")


def downgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_next_action")
        batch_op.drop_column("next_action")
