"""Speed to lead: how long a rep has left for the first call on a lead marketing assigned.

Marketing's SLA counts hours from the lead's assignment (`Lead.assigned_at`, set by the
hub) to the rep's first call. The first call is the first call note made at or after the
assignment (its `call_started_at`, else when it was written): a note from an earlier owner
does not count for the new one. A lead the rep already decided on (a disposition since the
assignment) needs no first call any more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from repdesk.domain.feedback import CallNote, Disposition
from repdesk.domain.ids import ensure_utc
from repdesk.domain.leads import Lead


@dataclass(frozen=True, slots=True)
class FirstCallDue:
    """A first call still to make, and by when."""

    lead_id: str
    assigned_at: datetime
    due_at: datetime
    sla_hours: int

    def left(self, now: datetime) -> timedelta:
        """Time until the deadline; negative once it has passed."""
        return self.due_at - ensure_utc(now)

    def overdue(self, now: datetime) -> bool:
        return self.left(now) < timedelta(0)


def first_call_at(assigned_at: datetime, notes: Iterable[CallNote]) -> datetime | None:
    """When the first call since the assignment was made; None if none was."""
    start = ensure_utc(assigned_at)
    times = [ensure_utc(n.call_started_at or n.created_at) for n in notes]
    return min((t for t in times if t >= start), default=None)


def first_call_due(
    lead: Lead,
    sla_hours: int | None,
    notes: Iterable[CallNote],
    disposition: Disposition | None = None,
) -> FirstCallDue | None:
    """The countdown for `lead`, or None when there is nothing to count down: the SLA or
    the assignment time is unknown (an older hub), a call was made since the assignment,
    or the rep has already decided on the lead."""
    if sla_hours is None or sla_hours <= 0 or lead.assigned_at is None:
        return None
    assigned = ensure_utc(lead.assigned_at)
    if disposition is not None and ensure_utc(disposition.decided_at) >= assigned:
        return None
    if first_call_at(assigned, notes) is not None:
        return None
    return FirstCallDue(lead.id, assigned, assigned + timedelta(hours=sla_hours), sla_hours)


__all__ = ["FirstCallDue", "first_call_at", "first_call_due"]
