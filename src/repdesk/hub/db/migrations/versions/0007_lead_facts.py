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
import, an assignment, a bulk loader). A lead's insert or a change of its scope columns
recomputes its row from `leads`, `call_notes`, `dispositions` and `qualification_fields`
(index lookups; SQLite repeats the statement in the trigger, PostgreSQL calls one SQL
function). A child row's write updates only the columns it can change, so a push costs
about what it did before this table: a new call note sets `worked` and lowers
`first_call_at` if it is the earliest call since the assignment (no lookup), a new
disposition replaces the verdict if it is the latest, a BANT answer sets its own two
columns; an edit, a move to another lead or a deletion recomputes the call or verdict
columns of the lead(s) concerned (index searches), and an edit of a column the facts do
not read (a note's text) fires nothing. The same statements run as SQLite trigger bodies
and in one PL/pgSQL function per table. The upgrade fills the table for the leads
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


_CALL_AT = "coalesce({row}.call_started_at, {row}.created_at)"

# What each child table's write changes, as SET clauses of `UPDATE lead_facts ... WHERE
# lead_id = <the row's lead>` (SQLite and PostgreSQL alike; `{row}` is NEW or OLD):
_CALLS_RECOMPUTE = """worked = EXISTS (SELECT 1 FROM call_notes c WHERE c.lead_id = {lead}),
       first_call_at = (SELECT min(coalesce(c.call_started_at, c.created_at))
                          FROM call_notes c
                         WHERE c.lead_id = {lead}
                           AND coalesce(c.call_started_at, c.created_at)
                               >= lead_facts.assigned_at)"""
"""A note changed or went: the lead's call columns from its notes (two index searches)."""
_CALLS_ADD = (
    "worked = TRUE, first_call_at = CASE WHEN " + _CALL_AT + " >= assigned_at"
    " AND (first_call_at IS NULL OR " + _CALL_AT + " < first_call_at)"
    " THEN " + _CALL_AT + " ELSE first_call_at END"
)
"""A new note: the lead is worked, and its call is the first one if earlier than the first
so far and at or after the assignment (no lookup at all)."""
_VERDICT_RECOMPUTE = """(verdict_kind, verdict_reason, verdict_at, verdict_id) = (
       SELECT d.kind, d.reason, d.decided_at, d.id FROM dispositions d WHERE d.lead_id = {lead}
        ORDER BY d.decided_at DESC, d.id DESC LIMIT 1)"""
"""A disposition changed or went: the lead's latest one (NULLs when none is left)."""
_VERDICT_ADD = (
    "verdict_kind = NEW.kind, verdict_reason = NEW.reason, verdict_at = NEW.decided_at,"
    " verdict_id = NEW.id"
)
_VERDICT_ADD_WHEN = (
    "(verdict_id IS NULL OR NEW.decided_at > verdict_at"
    " OR (NEW.decided_at = verdict_at AND NEW.id > verdict_id))"
)
"""A new disposition is the lead's verdict when later than the current one (ties to the
higher id), as `ORDER BY decided_at DESC, id DESC` picks."""


def _answer_set(row: str, *, clear: bool) -> str:
    """One BANT answer's two columns set from `row` (or cleared), the others kept."""
    return ", ".join(
        f"{d}_{c} = CASE WHEN {row}.dimension = '{d}' THEN "
        f"{'NULL' if clear else f'{row}.{c}'} ELSE {d}_{c} END"
        for d in _BANT
        for c in ("value", "confidence")
    )


_WATCHED = {
    "call_notes": "lead_id, call_started_at, created_at",
    "dispositions": "id, lead_id, kind, reason, decided_at",
    "qualification_fields": "lead_id, dimension, value, confidence",
}
"""The child columns a lead's facts depend on: an update of any other (a note's text)
fires no trigger."""


def _child_statements(table: str, event: str) -> list[str]:
    """The statements that bring lead_facts up to date after one `event` on a `table` row
    (OLD and NEW as in a row trigger; the same text runs in SQLite and PL/pgSQL)."""

    def update(set_clause: str, lead: str, *, where: str = "TRUE") -> str:
        return f"UPDATE lead_facts SET {set_clause} WHERE lead_id = {lead} AND {where};"

    if table == "call_notes":
        if event == "insert":
            return [update(_CALLS_ADD.format(row="NEW"), "NEW.lead_id")]
        leads = ["OLD.lead_id"] + (["NEW.lead_id"] if event == "update" else [])
        return [update(_CALLS_RECOMPUTE.format(lead=lead), lead) for lead in leads]
    if table == "dispositions":
        if event == "insert":
            return [update(_VERDICT_ADD, "NEW.lead_id", where=_VERDICT_ADD_WHEN)]
        leads = ["OLD.lead_id"] + (["NEW.lead_id"] if event == "update" else [])
        return [update(_VERDICT_RECOMPUTE.format(lead=lead), lead) for lead in leads]
    # qualification_fields: one row per (lead, dimension)
    statements = []
    if event != "insert":
        statements.append(update(_answer_set("OLD", clear=True), "OLD.lead_id"))
    if event != "delete":
        statements.append(update(_answer_set("NEW", clear=False), "NEW.lead_id"))
    return statements


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
        for event, timing in (
            ("insert", "INSERT"),
            ("update", f"UPDATE OF {_WATCHED[table]}"),
            ("delete", "DELETE"),
        ):
            body = " ".join(_child_statements(table, event))
            statements.append(
                f"CREATE TRIGGER tr_lead_facts_{table}_{event} AFTER {timing} ON {table} "
                f"BEGIN {body} END"
            )
    return statements


def _postgresql_triggers() -> list[str]:
    statements = [
        "CREATE FUNCTION lead_facts_refresh(p_lead_id text) RETURNS void LANGUAGE sql AS $$"
        + _fill("l.id = p_lead_id")
        + "$$",
        """CREATE FUNCTION lead_facts_on_lead() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM lead_facts_refresh(NEW.id); RETURN NULL; END $$""",
        "CREATE TRIGGER tr_lead_facts_leads_insert AFTER INSERT ON leads "
        "FOR EACH ROW EXECUTE FUNCTION lead_facts_on_lead()",
        f"CREATE TRIGGER tr_lead_facts_leads_update AFTER UPDATE OF {_LEAD_COLUMNS} ON leads "
        "FOR EACH ROW EXECUTE FUNCTION lead_facts_on_lead()",
    ]
    for table in _CHILDREN:
        branches = "\n".join(
            f"IF TG_OP = '{event.upper()}' THEN {' '.join(_child_statements(table, event))} END IF;"
            for event in ("insert", "update", "delete")
        )
        statements += [
            f"CREATE FUNCTION lead_facts_on_{table}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n{branches}\nRETURN NULL;\nEND $$",
            f"CREATE TRIGGER tr_lead_facts_{table} AFTER INSERT OR DELETE OR UPDATE OF "
            f"{_WATCHED[table]} ON {table} FOR EACH ROW EXECUTE FUNCTION lead_facts_on_{table}()",
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
            *(f"lead_facts_on_{table}()" for table in _CHILDREN),
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
