"""Per-lead report facts (`lead_facts`), kept current by the database itself.

Revision ID: 0007
Revises: 0006

One row per lead: the lead's report scope (a copy of `leads.source_campaign_id`,
`owner_rep_id`, `assigned_at`, `deleted`), whether it was ever called (`worked`), its
first call at or after the current assignment (`first_call_at`: a call's start as logged,
else when the note was written) and its current verdict (the latest disposition by
`decided_at`, ties to the higher id) and its current BANT answers, one value and confidence
column per dimension (`<dimension>_value`, `<dimension>_confidence`). The report pages
aggregate this narrow table instead of recomputing those facts from `call_notes`,
`dispositions` and `qualification_fields` on every view.

Triggers keep it current in the transaction of every write, whoever writes (a push, an
import, an assignment, a bulk loader): each recomputes the affected lead's row from
`leads`, `call_notes`, `dispositions` and `qualification_fields` (index lookups), so a
re-applied or repeated write gives the same row. SQLite repeats the statement in each
trigger; PostgreSQL calls one SQL function. The upgrade fills the table for the leads
already there.

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
_BANT = ("budget", "authority", "need", "timeframe")
_BANT_COLUMNS = "".join(f", {d}_value, {d}_confidence" for d in _BANT)
_BANT_VALUES = "".join(
    f",\n       (SELECT q.value FROM qualification_fields q"
    f" WHERE q.lead_id = l.id AND q.dimension = '{d}'),"
    f"\n       (SELECT q.confidence FROM qualification_fields q"
    f" WHERE q.lead_id = l.id AND q.dimension = '{d}')"
    for d in _BANT
)
_BANT_UPDATES = "".join(
    f",\n       {d}_{c} = excluded.{d}_{c}" for d in _BANT for c in ("value", "confidence")
)

_FILL = """
INSERT INTO lead_facts (lead_id, source_campaign_id, owner_rep_id, assigned_at, deleted,
                        worked, first_call_at, verdict_kind, verdict_reason, verdict_at,
                        verdict_id{bant_columns})
SELECT l.id, l.source_campaign_id, l.owner_rep_id, l.assigned_at, l.deleted,
       EXISTS (SELECT 1 FROM call_notes c WHERE c.lead_id = l.id),
       (SELECT min(coalesce(c.call_started_at, c.created_at)) FROM call_notes c
         WHERE c.lead_id = l.id AND coalesce(c.call_started_at, c.created_at) >= l.assigned_at),
       d.kind, d.reason, d.decided_at, d.id{bant_values}
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
       verdict_id = excluded.verdict_id{bant_updates}
"""
"""The row(s) of the leads matching `where`, recomputed (SQLite and PostgreSQL alike)."""

_LEAD_COLUMNS = "source_campaign_id, owner_rep_id, assigned_at, deleted"
_CHILDREN = ("call_notes", "dispositions", "qualification_fields")


INDEXES = (
    # per (campaign, rep) in index order, index-only: lead quality, speed to lead
    ("ix_lead_facts_group", ["source_campaign_id", "owner_rep_id", "assigned_at", "deleted",
                             "worked", "first_call_at", "verdict_kind"]),
    # by lead, index-only: joins from collateral uses and BANT answers
    ("ix_lead_facts_key", ["lead_id", "assigned_at", "deleted", "source_campaign_id",
                           "owner_rep_id", "verdict_kind"]),
    # a date range or a rep chosen in the filter
    ("ix_lead_facts_assigned", ["assigned_at", "deleted", "source_campaign_id", "owner_rep_id"]),
    ("ix_lead_facts_rep", ["owner_rep_id", "assigned_at"]),
)  # fmt: skip


OTHER_INDEXES = (
    # collateral uses per asset, index-only (collateral report)
    ("ix_collateral_uses_report", "collateral_uses",
     ["collateral_id", "lead_id", "kind", "used_at", "rep_id"]),
    # objections filed under a campaign (objections report, campaign filter)
    ("ix_objections_campaign", "objections", ["campaign_id"]),
)  # fmt: skip


def _fill(where: str) -> str:
    return _FILL.format(
        where=where,
        bant_columns=_BANT_COLUMNS,
        bant_values=_BANT_VALUES,
        bant_updates=_BANT_UPDATES,
    )


def _sqlite_triggers() -> list[str]:
    def refresh(lead: str) -> str:
        return _fill(f"l.id = {lead}").strip() + ";"

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
        + _fill("l.id = p_lead_id")
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
        *(
            column
            for d in _BANT
            for column in (
                sa.Column(f"{d}_value", sa.String(length=100), nullable=True),
                sa.Column(f"{d}_confidence", sa.Integer(), nullable=True),
            )
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_lead_facts_lead_id_leads"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("lead_id", name=op.f("pk_lead_facts")),
    )
    for name, columns in INDEXES:
        op.create_index(name, "lead_facts", columns)
    for name, table, columns in OTHER_INDEXES:
        op.create_index(name, table, columns)
    bind = op.get_bind()
    for statement in (
        _sqlite_triggers() if bind.dialect.name == "sqlite" else _postgresql_triggers()
    ):
        op.execute(statement)
    op.execute(_fill("true"))


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
    for name, table, _columns in reversed(OTHER_INDEXES):
        op.drop_index(name, table_name=table)
    for name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name="lead_facts")
    op.drop_table("lead_facts")
