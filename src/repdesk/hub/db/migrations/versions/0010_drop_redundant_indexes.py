"""Four single-column indexes dropped: each is the first column of a wider index.

Revision ID: 0010
Revises: 0009

`ix_call_notes_lead_id`, `ix_objections_category_code`, `ix_dispositions_lead_id` and
`ix_collateral_uses_collateral_id` answered nothing the wider index beginning with the
same column (`ix_call_notes_lead_call`, `ix_objections_category_created`,
`ix_dispositions_lead_latest`, `ix_collateral_uses_report`) does not answer as well, the
cascade from a deleted lead included; every push still paid to keep them up to date.
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

REDUNDANT = (
    ("ix_call_notes_lead_id", "call_notes", "lead_id"),
    ("ix_objections_category_code", "objections", "category_code"),
    ("ix_dispositions_lead_id", "dispositions", "lead_id"),
    ("ix_collateral_uses_collateral_id", "collateral_uses", "collateral_id"),
)


def upgrade() -> None:
    for name, table, _column in REDUNDANT:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, column in REDUNDANT:
        op.create_index(name, table, [column], unique=False)
