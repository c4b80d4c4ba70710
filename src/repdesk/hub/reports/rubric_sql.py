"""Marketing's rubric evaluated in SQL, lead by lead, exactly as `domain.rubric.evaluate`
judges one lead (a property test holds the two together):

- a rubric dimension is met when the lead's answer is set (not cleared, not empty), is
  an option of that dimension whose first occurrence qualifies, and its confidence is at
  least the rubric's `min_confidence`; a dimension listed twice counts once (the first);
- a lead is ready when every required dimension is met and at least `min_qualifying`
  are;
- a dimension blocks a lead that is not ready when it is unmet and either required, or
  optional while too few dimensions are met (the gaps `evaluate` lists).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Subquery, and_, case, func, literal, select, true
from sqlalchemy.orm import Session

from repdesk.domain.qualification import BANT_ORDER
from repdesk.hub.db.models import LeadFacts, RubricRow
from repdesk.hub.reports.filters import ReportFilter
from repdesk.hub.reports.scope import all_of, lead_conditions
from repdesk.hub.reports.sql import as_int
from repdesk.protocol.schema import RubricData


@dataclass(frozen=True, slots=True)
class RubricRule:
    """One rubric dimension as the SQL needs it."""

    dimension: str
    required: bool
    qualifying: tuple[str, ...]
    """Codes whose first option qualifies (never "": an empty answer is unanswered)."""


def rubric_rules(rubric: RubricData) -> tuple[RubricRule, ...]:
    """The rubric's dimensions in BANT order, first occurrence of each."""
    rules = []
    for dim in BANT_ORDER:
        spec = next((d for d in rubric.dimensions if d.dimension == dim.value), None)
        if spec is None:
            continue
        first: dict[str, bool] = {}
        for option in spec.options:
            first.setdefault(option.code, option.qualifies)
        qualifying = tuple(sorted(code for code, ok in first.items() if ok and code))
        rules.append(RubricRule(dim.value, spec.required, qualifying))
    return tuple(rules)


def _met(rule: RubricRule, min_confidence: int) -> ColumnElement[bool]:
    """The lead's current answer (its `lead_facts` row) meets `rule`."""
    value = LeadFacts.__table__.c[f"{rule.dimension}_value"]
    confidence = LeadFacts.__table__.c[f"{rule.dimension}_confidence"]
    return and_(value.in_(rule.qualifying), confidence >= min_confidence)


def unanswered(rubric: RubricData) -> tuple[bool, dict[str, bool]]:
    """(ready, blocks per BANT dimension) of a lead with no answers at all: `readiness`
    has no row for such leads, the sections count them from `leads` and add this."""
    rules = rubric_rules(rubric)
    required = [rule for rule in rules if rule.required]
    enough = rubric.min_qualifying <= 0
    ready = not required and enough
    blocks = {
        dim.value: any(
            rule.dimension == dim.value and not ready and (rule.required or not enough)
            for rule in rules
        )
        for dim in BANT_ORDER
    }
    return ready, blocks


def readiness(rubric: RubricData, flt: ReportFilter) -> Subquery:
    """One row per lead in scope: lead_id, campaign_id, met_<dimension> (0/1) for every
    BANT dimension (0 when the rubric does not ask it), met, ready (0/1) and
    blocks_<dimension> (0/1: the dimension is one of the lead's gaps). One pass over
    `lead_facts`, which holds each lead's current answers."""
    rules = rubric_rules(rubric)
    by_dimension = {rule.dimension: rule for rule in rules}
    met_flag: dict[str, ColumnElement[Any]] = {}
    for dim in BANT_ORDER:
        rule = by_dimension.get(dim.value)
        met_flag[dim.value] = (
            literal(0) if rule is None else case((_met(rule, rubric.min_confidence), 1), else_=0)
        )
    met_count: ColumnElement[Any] = literal(0)
    required_met: ColumnElement[Any] = literal(0)
    for rule in rules:
        met_count = met_count + met_flag[rule.dimension]
        if rule.required:
            required_met = required_met + met_flag[rule.dimension]
    required = sum(1 for rule in rules if rule.required)
    enough = met_count >= rubric.min_qualifying
    ready = and_(required_met == required, enough)
    blocks = []
    for dim in BANT_ORDER:
        rule = by_dimension.get(dim.value)
        if rule is None:
            blocks.append(literal(0).label(f"blocks_{dim.value}"))
            continue
        unmet = met_flag[dim.value] == 0
        why = true() if rule.required else ~enough
        blocks.append(case((and_(~ready, unmet, why), 1), else_=0).label(f"blocks_{dim.value}"))
    return (
        select(
            LeadFacts.lead_id,
            LeadFacts.source_campaign_id.label("campaign_id"),
            *(met_flag[dim.value].label(f"met_{dim.value}") for dim in BANT_ORDER),
            met_count.label("met"),
            case((ready, 1), else_=0).label("ready"),
            *blocks,
        )
        .where(all_of(lead_conditions(flt, LeadFacts)))
        .subquery("readiness")
    )


def count_ready(session: Session, rubric: RubricData, flt: ReportFilter | None = None) -> int:
    """How many leads in scope meet `rubric` now (published or not: the rubric editor's
    preview). Leads in scope as for every lead-based section (`scope.lead_conditions`)."""
    flt = flt or ReportFilter()
    ready = readiness(rubric, flt)
    return int(session.scalar(select(as_int(func.sum(ready.c.ready)))) or 0)


def active_rubric(session: Session) -> RubricData | None:
    """The published rubric reps work to (None when the hub has none or it is unreadable)."""
    data = session.scalar(
        select(RubricRow.data)
        .where(RubricRow.active.is_(True))
        .order_by(RubricRow.updated_at.desc())
        .limit(1)
    )
    if data is None:
        return None
    try:
        return RubricData.model_validate(data)
    except ValueError:
        return None


__all__ = [
    "RubricRule",
    "active_rubric",
    "count_ready",
    "readiness",
    "rubric_rules",
    "unanswered",
]
