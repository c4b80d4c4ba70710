"""The hub's stable identity: a `hub_id` in hub_meta, made once and never rotated.

Revision ID: 0004
Revises: 0002

Clients recognise their hub by this id, not by its address (the demo hub gets a new port
each run; a hub may move behind a proxy). The cursor `epoch` is not an identity: it
rotates on purpose to invalidate cursors. New hubs get the id here too (`init` migrates).

Numbered 0004 because 0003 is taken by the report indexes (branch ws-reports): once that
is merged, this revision's `down_revision` becomes "0003" (no other change needed).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from repdesk.domain.ids import new_id

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None

_META = sa.table("hub_meta", sa.column("key", sa.String), sa.column("value", sa.String))


def upgrade() -> None:
    exists = op.get_bind().execute(sa.select(_META.c.key).where(_META.c.key == "hub_id")).first()
    if exists is None:
        op.bulk_insert(_META, [{"key": "hub_id", "value": new_id()}])


def downgrade() -> None:
    op.execute(_META.delete().where(_META.c.key == "hub_id"))
