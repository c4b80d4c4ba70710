"""speed to lead: leads.assigned_at and sync_state.sla_hours; re-read the hub once

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 10:00:00

The leads already here were pulled before the hub sent `assigned_at`, and the hub will not
send them again until they change. So a device that has synced re-reads everything once,
in place: `full_resync_needed` restarts the next pull from the beginning WITHOUT dropping
anything (only `begin_full_resync` drops data; an upsert at the version already held
applies again), and the cursor is kept, so a different rep signing in before that sync is
still recognised as taking over someone's data.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assigned_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("sync_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sla_hours", sa.Integer(), nullable=True))
    op.execute("UPDATE sync_state SET full_resync_needed = 1 WHERE cursor IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("sync_state", schema=None) as batch_op:
        batch_op.drop_column("sla_hours")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_column("assigned_at")
