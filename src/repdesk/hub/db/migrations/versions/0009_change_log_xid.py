"""The change log records the writing transaction: `change_log.xid`, pulled by (xid, seq).

Revision ID: 0009
Revises: 0008

PostgreSQL: the column defaults to `pg_current_xact_id()` (the top-level transaction id,
xid8, as bigint), so hub writers no longer need one global lock for pulls to stay
gap-free (`repdesk.hub.sync.changes`). SQLite keeps the constant 0: one writer per file
already commits seqs in order. Rows written before this revision keep 0, so they sort
before every new row, which is also what makes a cursor from before the upgrade (a bare
seq) mean (0, seq) exactly.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

PG_XID_DEFAULT = "(pg_current_xact_id()::text)::bigint"


def upgrade() -> None:
    # No batch mode: SQLite adds a column with a constant default in place, and a copied
    # table would lose AUTOINCREMENT (seqs must never be reused).
    op.add_column(
        "change_log", sa.Column("xid", sa.BigInteger(), nullable=False, server_default=sa.text("0"))
    )
    op.drop_index("ix_change_log_audience_seq", table_name="change_log")
    op.create_index(
        "ix_change_log_audience_xid_seq", "change_log", ["audience", "xid", "seq"], unique=False
    )
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("change_log", "xid", server_default=sa.text(PG_XID_DEFAULT))


def downgrade() -> None:
    op.drop_index("ix_change_log_audience_xid_seq", table_name="change_log")
    op.create_index("ix_change_log_audience_seq", "change_log", ["audience", "seq"], unique=False)
    with op.batch_alter_table(
        "change_log", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_column("xid")
