"""What a report page lets marketing narrow: dates, campaigns, lead sources, reps.

Definitions shared by every section:

- **Lead source** is the channel of the lead's source campaign (`Campaign.channel`, e.g.
  "Webinar", "Paid search"); a lead with no source campaign has no source.
- **Date range** `start`..`end` are whole UTC days, both included. Each section says which
  timestamp it applies to: lead quality, speed to lead, qualification and the collateral
  acceptance comparison count leads by their `assigned_at` (the current owner's
  assignment); objections by `created_at`; collateral use counts by `used_at`.
- **Campaign** is the lead's source campaign, except for objections, whose campaign is the
  one the rep filed it under (`objections.campaign_id`), else the lead's.
- **Rep** is the lead's current owner for lead-based measures, and the rep who wrote the
  row for objections and collateral uses.

An empty set means "no restriction".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from repdesk.domain.errors import ValidationError
from repdesk.hub.db.models import Campaign, Rep


@dataclass(frozen=True, slots=True)
class ReportFilter:
    start: date | None = None
    """First UTC day included (None: from the beginning)."""
    end: date | None = None
    """Last UTC day included (None: up to now)."""
    campaign_ids: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()
    """Channels of the leads' source campaigns."""
    rep_ids: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for name in ("campaign_ids", "sources", "rep_ids"):
            value = getattr(self, name)
            if not isinstance(value, frozenset):
                object.__setattr__(self, name, _frozen(value))
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValidationError(
                f"The date range starts ({self.start.isoformat()}) after it ends "
                f"({self.end.isoformat()})."
            )

    @property
    def is_empty(self) -> bool:
        """True when nothing is narrowed."""
        return (
            self.start is None
            and self.end is None
            and not (self.campaign_ids or self.sources or self.rep_ids)
        )


def _frozen(values: Iterable[str] | str) -> frozenset[str]:
    if isinstance(values, str):
        return frozenset({values})
    return frozenset(values)


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    """What goes into the filter (an id, or the channel itself)."""
    label: str


@dataclass(frozen=True, slots=True)
class FilterOptions:
    campaigns: tuple[Option, ...]
    sources: tuple[Option, ...]
    reps: tuple[Option, ...]


def filter_options(session: Session) -> FilterOptions:
    """Every campaign (by name), lead source (channel) and rep (by name), for dropdowns.

    Campaign labels carry their channel ("Spring webinar (Webinar)"); disabled reps are
    listed too (their past work is in the reports), marked "(disabled)".
    """
    campaigns = session.execute(
        select(Campaign.id, Campaign.name, Campaign.channel).order_by(Campaign.name, Campaign.id)
    ).all()
    sources = session.scalars(
        select(Campaign.channel).where(Campaign.channel != "").distinct().order_by(Campaign.channel)
    ).all()
    reps = session.execute(
        select(Rep.id, Rep.name, Rep.email, Rep.disabled).order_by(Rep.name, Rep.email)
    ).all()
    return FilterOptions(
        campaigns=tuple(
            Option(cid, f"{name} ({channel})" if channel else name)
            for cid, name, channel in campaigns
        ),
        sources=tuple(Option(s, s) for s in sources),
        reps=tuple(
            Option(rid, (name or email) + (" (disabled)" if disabled else ""))
            for rid, name, email, disabled in reps
        ),
    )


__all__ = ["FilterOptions", "Option", "ReportFilter", "filter_options"]
