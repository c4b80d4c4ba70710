"""sync_state: the hub's stable id (session and last sign-in), the last rep's email

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 10:00:00

The client recognises its hub by the id the hub sends (`hub_id`), not by its address,
which may change (the demo hub's port, a hub moved behind another proxy address). Empty
until the hub says: an existing session learns it at its next sync. `last_rep_email` says
whose work was set aside when another rep signs in after a sign-out.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hub_id", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("last_hub_id", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("last_rep_email", sa.Text(), nullable=False, server_default="")
        )
    op.execute("UPDATE sync_state SET last_rep_email = rep_email WHERE rep_id IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("sync_state", schema=None) as batch_op:
        batch_op.drop_column("last_rep_email")
        batch_op.drop_column("last_hub_id")
        batch_op.drop_column("hub_id")
