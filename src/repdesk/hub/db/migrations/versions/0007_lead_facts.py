"""Per-lead report facts (`lead_facts`), kept current by the database itself.

Revision ID: 0007
Revises: 0006

One row per lead: the lead's report scope (a copy of `leads.source_campaign_id`,
`owner_rep_id`, `assigned_at`, `deleted`), whether it was ever called (`worked`), its
first call at or after the current assignment (`first_call_at`: a call's start as logged,
else when the note was written) and its current verdict (the latest disposition by
`decided_at`, ties to the higher id). The report pages aggregate this narrow table instead
of recomputing those facts from `call_notes` and `dispositions` on every view.

Triggers keep it current in the transaction of every write, whoever writes (a push, an
import, an assignment, a bulk loader): each recomputes the affected lead's row from
`leads`, `call_notes` and `dispositions` (index lookups), so a re-applied or repeated write
gives the same row. SQLite repeats the statement in each trigger; PostgreSQL calls one SQL
function. The upgrade fills the table for the leads already there.

Self-contained: creates only its own table, triggers and function.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)

_FILL = """
INSERT INTO lead_facts (lead_id, source_campaign_id, owner_rep_id, assigned_at, deleted,
                        worked, first_call_at, verdict_kind, verdict_reason, verdict_at,
                        verdict_id)
SELECT l.id, l.source_campaign_id, l.owner_rep_id, l.assigned_at, l.deleted,
       EXISTS (SELECT 1 FROM call_notes c WHERE c.lead_id = l.id),
       (SELECT min(coalesce(c.call_started_at, c.created_at)) FROM call_notes c
         WHERE c.lead_id = l.id AND coalesce(c.call_started_at, c.created_at) >= l.assigned_at),
       d.kind, d.reason, d.decided_at, d.id
  FROM leads l
  LEFT JOIN dispositions d ON d.id = (
       SELECT x.id FROM dispositions x WHERE x.lead_id = l.id
        ORDER BY x.decided_at DESC, x.id DESC LIMIT 1)
 WHERE {where}
ON CONFLICT (lead_id) DO UPDATE SET
       source_campaign_id = excluded.source_campaign_id,
       owner_rep_id = excluded.owner_rep_id,
       assigned_at = excluded.assigned_at,
       deleted = excluded.deleted,
       worked = excluded.worked,
       first_call_at = excluded.first_call_at,
       verdict_kind = excluded.verdict_kind,
       verdict_reason = excluded.verdict_reason,
       verdict_at = excluded.verdict_at,
       verdict_id = excluded.verdict_id
"""
"""The row(s) of the leads matching `where`, recomputed (SQLite and PostgreSQL alike)."""

_LEAD_COLUMNS = "source_campaign_id, owner_rep_id, assigned_at, deleted"
_CHILDREN = ("call_notes", "dispositions")


def _sqlite_triggers() -> list[str]:
    def refresh(lead: str) -> str:
        return _FILL.format(where=f"l.id = {lead}").strip() + ";"

    statements = [
        f"CREATE TRIGGER tr_lead_facts_leads_insert AFTER INSERT ON leads "
        f"BEGIN {refresh('NEW.id')} END",
        f"CREATE TRIGGER tr_lead_facts_leads_update AFTER UPDATE OF {_LEAD_COLUMNS} ON leads "
        f"BEGIN {refresh('NEW.id')} END",
    ]
    for table in _CHILDREN:
        statements += [
            f"CREATE TRIGGER tr_lead_facts_{table}_insert AFTER INSERT ON {table} "
            f"BEGIN {refresh('NEW.lead_id')} END",
            f"CREATE TRIGGER tr_lead_facts_{table}_update AFTER UPDATE ON {table} "
            f"BEGIN {refresh('OLD.lead_id')} {refresh('NEW.lead_id')} END",
            f"CREATE TRIGGER tr_lead_facts_{table}_delete AFTER DELETE ON {table} "
            f"BEGIN {refresh('OLD.lead_id')} END",
        ]
    return statements


def _postgresql_triggers() -> list[str]:
    statements = [
        "CREATE FUNCTION lead_facts_refresh(p_lead_id text) RETURNS void LANGUAGE sql AS $$"
        + _FILL.format(where="l.id = p_lead_id")
        + "$$",
        """CREATE FUNCTION lead_facts_on_lead() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM lead_facts_refresh(NEW.id); RETURN NULL; END $$""",
        """CREATE FUNCTION lead_facts_on_child() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN PERFORM lead_facts_refresh(OLD.lead_id); END IF;
            IF TG_OP <> 'DELETE' THEN PERFORM lead_facts_refresh(NEW.lead_id); END IF;
            RETURN NULL;
        END $$""",
        "CREATE TRIGGER tr_lead_facts_leads_insert AFTER INSERT ON leads "
        "FOR EACH ROW EXECUTE FUNCTION lead_facts_on_lead()",
        f"CREATE TRIGGER tr_lead_facts_leads_update AFTER UPDATE OF {_LEAD_COLUMNS} ON leads "
        "FOR EACH ROW EXECUTE FUNCTION lead_facts_on_lead()",
    ]
    statements += [
        f"CREATE TRIGGER tr_lead_facts_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION lead_facts_on_child()"
        for table in _CHILDREN
    ]
    return statements


def upgrade() -> None:
    op.create_table(
        "lead_facts",
        sa.Column("lead_id", sa.String(length=64), nullable=False),
        sa.Column("source_campaign_id", sa.String(length=64), nullable=True),
        sa.Column("owner_rep_id", sa.String(length=64), nullable=True),
        sa.Column("assigned_at", _TS, nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("worked", sa.Boolean(), nullable=False),
        sa.Column("first_call_at", _TS, nullable=True),
        sa.Column("verdict_kind", sa.String(length=50), nullable=True),
        sa.Column("verdict_reason", sa.Text(), nullable=True),
        sa.Column("verdict_at", _TS, nullable=True),
        sa.Column("verdict_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_lead_facts_lead_id_leads"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("lead_id", name=op.f("pk_lead_facts")),
    )
    op.create_index("ix_lead_facts_assigned", "lead_facts", ["assigned_at"])
    op.create_index("ix_lead_facts_campaign", "lead_facts", ["source_campaign_id"])
    op.create_index("ix_lead_facts_rep", "lead_facts", ["owner_rep_id"])
    bind = op.get_bind()
    for statement in (
        _sqlite_triggers() if bind.dialect.name == "sqlite" else _postgresql_triggers()
    ):
        op.execute(statement)
    op.execute(_FILL.format(where="true"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for table, events in (
            ("leads", ("insert", "update")),
            *((t, ("insert", "update", "delete")) for t in _CHILDREN),
        ):
            for event in events:
                op.execute(f"DROP TRIGGER IF EXISTS tr_lead_facts_{table}_{event}")
    else:
        for table in ("leads", *_CHILDREN):
            for suffix in ("", "_insert", "_update"):
                op.execute(f"DROP TRIGGER IF EXISTS tr_lead_facts_{table}{suffix} ON {table}")
        for function in (
            "lead_facts_on_child()",
            "lead_facts_on_lead()",
            "lead_facts_refresh(text)",
        ):
            op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.drop_index("ix_lead_facts_rep", table_name="lead_facts")
    op.drop_index("ix_lead_facts_campaign", table_name="lead_facts")
    op.drop_index("ix_lead_facts_assigned", table_name="lead_facts")
    op.drop_table("lead_facts")
