"""The lead list's "Next step": marketing's when it set one, else one derived locally.

Derived from what the rep would do next, most decisive first: a disposition ("Back to
nurture"), the most severe open objection ("Answer the price objection"), the rubric's
first blocking gap ("Ask about budget"), or "Book a meeting" once sales-ready. Kept in the
`next_action` column by `derived.recompute_readiness`, so the list sorts on it in SQL.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import CompoundSelect, Connection, Select, select, union

from repdesk.domain.feedback import DispositionKind
from repdesk.domain.qualification import Bant, GapReason, Rubric
from repdesk.domain.rubric import dimension_title, evaluate
from repdesk.store.models import CATEGORIES, DISPOSITIONS, LEADS, OBJECTIONS

Facts = tuple[str, str | None, str | None]
"""(marketing's next step, the latest disposition kind, the worst open objection's label)."""

_BY_DISPOSITION = {
    DispositionKind.RETURN_TO_NURTURE.value: "Back to nurture",
    DispositionKind.DISQUALIFY.value: "Disqualified: no action",
}
_VERB = {
    GapReason.UNANSWERED: "Ask about",
    GapReason.LOW_CONFIDENCE: "Confirm",
    GapReason.NOT_QUALIFYING: "Recheck",
    GapReason.UNKNOWN_VALUE: "Recheck",
}


def derive(
    rubric: Rubric | None,
    bant: Bant,
    hub_step: str,
    disposition: str | None,
    objection: str | None,
) -> str:
    """The next step shown for one lead (short; plain text)."""
    if hub_step.strip():
        return hub_step.strip()
    if disposition in _BY_DISPOSITION:
        return _BY_DISPOSITION[disposition]
    if objection:
        # "Price / budget" -> "Answer the price objection"; "Other" says nothing more.
        kind = objection.split(" / ")[0].strip().lower()
        return "Answer the objection" if kind in ("", "other") else f"Answer the {kind} objection"
    if rubric is None:
        return ""
    result = evaluate(rubric, bant)
    if result.ready:
        return "Book a meeting"
    if not result.gaps:
        return ""
    gap = result.gaps[0]
    title = dimension_title(gap.dimension, rubric.for_dimension(gap.dimension))
    return f"{_VERB.get(gap.reason, 'Ask about')} {title.lower()}"


def leads_with_feedback(*more: Select[tuple[str]]) -> CompoundSelect[tuple[str]]:
    """Leads whose next step depends on more than the rubric (a subquery, for NOT IN);
    `more` adds other lead-id selects to the same flat UNION (SQLite nests none)."""
    return union(
        *more,
        select(DISPOSITIONS.c.lead_id),
        select(OBJECTIONS.c.lead_id).where(OBJECTIONS.c.resolved.is_(False)),
        select(LEADS.c.id).where(LEADS.c.next_step != ""),
    )


def facts(conn: Connection, lead_ids: Sequence[str]) -> dict[str, Facts]:
    """For each of these leads: marketing's step, latest disposition, worst open objection."""
    hub = {
        r.id: r.next_step
        for r in conn.execute(select(LEADS.c.id, LEADS.c.next_step).where(LEADS.c.id.in_(lead_ids)))
    }
    dispositions: dict[str, str] = {}
    for r in conn.execute(
        select(DISPOSITIONS.c.lead_id, DISPOSITIONS.c.kind)
        .where(DISPOSITIONS.c.lead_id.in_(lead_ids))
        .order_by(DISPOSITIONS.c.decided_at, DISPOSITIONS.c.id)
    ):
        dispositions[r.lead_id] = r.kind  # the latest wins
    objections: dict[str, str] = {}
    for r in conn.execute(
        select(OBJECTIONS.c.lead_id, OBJECTIONS.c.category_code, CATEGORIES.c.label)
        .outerjoin(CATEGORIES, CATEGORIES.c.code == OBJECTIONS.c.category_code)
        .where(OBJECTIONS.c.lead_id.in_(lead_ids))
        .where(OBJECTIONS.c.resolved.is_(False))
        .order_by(OBJECTIONS.c.severity, OBJECTIONS.c.created_at)
    ):
        objections[r.lead_id] = r.label or r.category_code  # the worst, then latest, wins
    return {
        i: (hub.get(i, ""), dispositions.get(i), objections.get(i))
        for i in set(hub) | set(dispositions) | set(objections)
    }
