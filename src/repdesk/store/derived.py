"""The lead row's derived columns (ready, missing, next_action, last_touch_at) kept in SQL."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update

from repdesk.domain.qualification import Bant, Rubric
from repdesk.domain.rubric import evaluate, missing_summary
from repdesk.store import next_step
from repdesk.store.convert import bant_from_row, rubric_from_json, to_db
from repdesk.store.models import (
    BANT,
    DISPOSITIONS,
    EVENTS,
    LEADS,
    NOTES,
    OBJECTIONS,
    RUBRIC,
    USES,
)

RUBRIC_ID = "current"


def load_rubric(conn: Connection) -> Rubric | None:
    row = conn.execute(select(RUBRIC).where(RUBRIC.c.id == RUBRIC_ID)).first()
    return None if row is None else rubric_from_json(row.data, row.version)


def readiness(rubric: Rubric | None, bant: Bant) -> tuple[bool, str]:
    if rubric is None:
        # No rubric from marketing yet: nobody is sales-ready, and nothing is "missing".
        return False, ""
    result = evaluate(rubric, bant)
    return result.ready, missing_summary(result)


def recompute_readiness(conn: Connection, lead_ids: Iterable[str] | None = None) -> None:
    """Re-judge leads against the current rubric (all of them when `lead_ids` is None), and
    re-derive their next step (see `store/next_step.py`)."""
    rubric = load_rubric(conn)
    if lead_ids is None:
        # Leads with no BANT answers, no open objection and no disposition all get the same
        # verdict and next step: one UPDATE for all of them (most leads on a first sync).
        ready, missing = readiness(rubric, Bant(lead_id=""))
        plain_step = next_step.derive(rubric, Bant(lead_id=""), "", None, None)
        special = next_step.leads_with_feedback()
        conn.execute(
            update(LEADS)
            .where(LEADS.c.id.not_in(select(BANT.c.lead_id)))
            .where(LEADS.c.id.not_in(special))
            .values(
                ready=ready,
                missing=missing,
                next_action=func.coalesce(
                    func.nullif(func.trim(LEADS.c.next_step), ""), plain_step
                ),
            )
        )
        ids = list(conn.execute(next_step.leads_with_feedback(select(BANT.c.lead_id))).scalars())
    else:
        ids = list(lead_ids)
    params: list[dict[str, Any]] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found = {r.lead_id: r for r in conn.execute(select(BANT).where(BANT.c.lead_id.in_(chunk)))}
        facts = next_step.facts(conn, chunk)
        for lead_id in chunk:
            bant = bant_from_row(lead_id, found.get(lead_id))
            ready, missing = readiness(rubric, bant)
            hub_step, disposition, objection = facts.get(lead_id, ("", None, None))
            step = next_step.derive(rubric, bant, hub_step, disposition, objection)
            params.append({"b_id": lead_id, "ready": ready, "missing": missing, "step": step})
    if params:
        conn.execute(
            update(LEADS)
            .where(LEADS.c.id == bindparam("b_id"))
            .values(
                ready=bindparam("ready"),
                missing=bindparam("missing"),
                next_action=bindparam("step"),
            ),
            params,
        )


def touch(conn: Connection, lead_id: str, at: datetime) -> None:
    """Move last_touch_at forward (never back) after something happened to the lead."""
    stamp = to_db(at)
    conn.execute(
        update(LEADS)
        .where(LEADS.c.id == lead_id)
        .where((LEADS.c.last_touch_at.is_(None)) | (LEADS.c.last_touch_at < stamp))
        .values(last_touch_at=stamp)
    )


def recompute_last_touch(conn: Connection, lead_ids: Iterable[str] | None = None) -> None:
    """last_touch_at = the latest nurture event or rep action (after pulls and bulk loads)."""
    latest = [
        select(func.max(EVENTS.c.occurred_at)).where(EVENTS.c.lead_id == LEADS.c.id),
        select(func.max(NOTES.c.created_at)).where(NOTES.c.lead_id == LEADS.c.id),
        select(func.max(OBJECTIONS.c.created_at)).where(OBJECTIONS.c.lead_id == LEADS.c.id),
        select(func.max(DISPOSITIONS.c.decided_at)).where(DISPOSITIONS.c.lead_id == LEADS.c.id),
        select(func.max(USES.c.used_at)).where(USES.c.lead_id == LEADS.c.id),
    ]
    # SQLite's multi-argument max() is NULL if any argument is NULL, so coalesce to ''.
    parts = [func.coalesce(q.scalar_subquery(), "") for q in latest]
    value = func.nullif(func.max(*parts), "")
    stmt = update(LEADS).values(last_touch_at=value)
    if lead_ids is None:
        conn.execute(stmt)
        return
    ids = list(lead_ids)
    for start in range(0, len(ids), 500):
        conn.execute(stmt.where(LEADS.c.id.in_(ids[start : start + 500])))
