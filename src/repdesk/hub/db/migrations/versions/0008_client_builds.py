"""Client builds: desktop app bundles marketing publishes for reps' apps to update from.

Revision ID: 0008
Revises: 0007

Self-contained: only creates the `client_builds` table, so merging it after other
revisions is a change of `down_revision` alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
# TODO(merge): "0007" once the report-speed migration lands; "0006" is this branch's head.
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "client_builds",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_builds")),
    )
    op.create_index(op.f("ix_client_builds_sha256"), "client_builds", ["sha256"])
    op.create_index("ix_client_builds_platform_retired", "client_builds", ["platform", "retired"])


def downgrade() -> None:
    op.drop_index("ix_client_builds_platform_retired", table_name="client_builds")
    op.drop_index(op.f("ix_client_builds_sha256"), table_name="client_builds")
    op.drop_table("client_builds")
