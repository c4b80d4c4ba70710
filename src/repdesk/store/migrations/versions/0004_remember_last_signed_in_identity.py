"""sync_state: remember the last signed-in hub and rep after sign-out

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 05:55:00

Signing out forgets the session; these keep who it was, so the same rep signing in again
on the same hub keeps the local copy (only a different rep or hub starts a full resync).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_hub_url", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("last_rep_id", sa.String(), nullable=True))
    # Whoever is signed in now is the last identity.
    op.execute(
        "UPDATE sync_state SET last_hub_url = hub_url, last_rep_id = rep_id "
        "WHERE hub_url IS NOT NULL AND rep_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("sync_state", schema=None) as batch_op:
        batch_op.drop_column("last_rep_id")
        batch_op.drop_column("last_hub_url")
