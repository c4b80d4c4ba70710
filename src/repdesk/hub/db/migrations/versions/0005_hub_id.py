"""The hub's stable identity: a `hub_id` in hub_meta, made once and never rotated.

Revision ID: 0005
Revises: 0004

Clients recognise their hub by this id, not by its address (the demo hub gets a new port
each run; a hub may move behind a proxy). The cursor `epoch` is not an identity: it
rotates on purpose to invalidate cursors. New hubs get the id here too (`init` migrates).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from repdesk.domain.ids import new_id

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_META = sa.table("hub_meta", sa.column("key", sa.String), sa.column("value", sa.String))


def upgrade() -> None:
    exists = op.get_bind().execute(sa.select(_META.c.key).where(_META.c.key == "hub_id")).first()
    if exists is None:
        op.bulk_insert(_META, [{"key": "hub_id", "value": new_id()}])


def downgrade() -> None:
    op.execute(_META.delete().where(_META.c.key == "hub_id"))
