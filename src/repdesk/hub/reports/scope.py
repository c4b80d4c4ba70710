"""A `ReportFilter` as SQL conditions: which leads, and which rows, a section counts."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, select, true

from repdesk.hub.db.models import Campaign, Lead, LeadFacts
from repdesk.hub.reports.filters import ReportFilter

NO_CAMPAIGN = "(no campaign)"
NO_SOURCE = "(no source)"


def window(flt: ReportFilter) -> tuple[datetime | None, datetime | None]:
    """[from, until) in aware UTC for the filter's whole days (None: open end)."""
    start = datetime.combine(flt.start, time(), UTC) if flt.start is not None else None
    until = (
        datetime.combine(flt.end + timedelta(days=1), time(), UTC) if flt.end is not None else None
    )
    return start, until


def in_window(at: Any, flt: ReportFilter) -> list[ColumnElement[bool]]:
    """`at` falls on one of the filter's days (nothing when the range is open)."""
    start, until = window(flt)
    conditions: list[ColumnElement[bool]] = []
    if start is not None:
        conditions.append(at >= start)
    if until is not None:
        conditions.append(at < until)
    return conditions


def campaigns_of_sources(sources: frozenset[str]) -> Select[tuple[str]]:
    """The ids of campaigns whose channel is one of `sources`."""
    return select(Campaign.id).where(Campaign.channel.in_(sorted(sources)))


LeadTable = type[Lead] | type[LeadFacts]
"""`leads`, or `lead_facts` (its copy of the same scope columns, under the same names)."""


def lead_conditions(flt: ReportFilter, of: LeadTable = Lead) -> list[ColumnElement[bool]]:
    """Leads a lead-based section counts: assigned to a rep now (assigned on one of the
    filter's days), not deleted, from the chosen campaigns / sources, owned by the chosen
    reps. Joins nothing: every condition is on `of` (`leads`, or `lead_facts`)."""
    conditions: list[ColumnElement[bool]] = [
        of.assigned_at.is_not(None),
        of.deleted.is_(False),
        *in_window(of.assigned_at, flt),
    ]
    if flt.campaign_ids:
        conditions.append(of.source_campaign_id.in_(sorted(flt.campaign_ids)))
    if flt.sources:
        conditions.append(of.source_campaign_id.in_(campaigns_of_sources(flt.sources)))
    if flt.rep_ids:
        conditions.append(of.owner_rep_id.in_(sorted(flt.rep_ids)))
    return conditions


def row_conditions(
    flt: ReportFilter,
    *,
    at: Any,
    rep_id: Any,
    campaign_id: Any,
    of: LeadTable = Lead,
) -> list[ColumnElement[bool]]:
    """Rows (objections, collateral uses) a section counts, with `of` (`leads` or
    `lead_facts`) joined: written on one of the filter's days (`at`), by the chosen reps,
    under the chosen campaigns (`campaign_id`: the row's campaign expression), for leads
    of the chosen sources."""
    conditions = in_window(at, flt)
    if flt.campaign_ids:
        conditions.append(campaign_id.in_(sorted(flt.campaign_ids)))
    if flt.sources:
        conditions.append(of.source_campaign_id.in_(campaigns_of_sources(flt.sources)))
    if flt.rep_ids:
        conditions.append(rep_id.in_(sorted(flt.rep_ids)))
    return conditions


def all_of(conditions: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    """AND of `conditions` (TRUE when there are none)."""
    if not conditions:
        return true()
    result = conditions[0]
    for condition in conditions[1:]:
        result = result & condition
    return result


__all__ = [
    "NO_CAMPAIGN",
    "LeadTable",
    "NO_SOURCE",
    "all_of",
    "campaigns_of_sources",
    "in_window",
    "lead_conditions",
    "row_conditions",
    "window",
]
