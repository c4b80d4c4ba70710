"""Marketing's team-wide settings kept in `hub_meta`: today, the speed-to-lead SLA.

The workspace sets it; the reports count leads over it; reps' apps receive it at sync
(their Today queue counts down to it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from repdesk.domain.errors import ValidationError
from repdesk.hub.admin import audit
from repdesk.hub.db.models import HubMeta

if TYPE_CHECKING:
    from repdesk.hub.admin.hub import Hub

SLA_HOURS_KEY = "sla_hours"
DEFAULT_SLA_HOURS = 24
"""Hours from assignment to first call, until marketing sets its own."""
MAX_SLA_HOURS = 24 * 30


def sla_hours(session: Session) -> int:
    """The speed-to-lead SLA in hours (the default when never set or unreadable)."""
    row = session.get(HubMeta, SLA_HOURS_KEY)
    if row is None:
        return DEFAULT_SLA_HOURS
    try:
        return check_sla_hours(int(row.value))
    except (ValueError, ValidationError):
        return DEFAULT_SLA_HOURS


def check_sla_hours(hours: int) -> int:
    """`hours` if it is a usable SLA, else a ValidationError saying why."""
    if not 1 <= hours <= MAX_SLA_HOURS:
        raise ValidationError(
            f"The speed-to-lead SLA must be between 1 and {MAX_SLA_HOURS} hours (got {hours})."
        )
    return hours


def set_sla_hours(session: Session, hours: int) -> int:
    """Store a new SLA (in the caller's writing transaction); returns it."""
    check_sla_hours(hours)
    row = session.get(HubMeta, SLA_HOURS_KEY)
    if row is None:
        session.add(HubMeta(key=SLA_HOURS_KEY, value=str(hours)))
    else:
        row.value = str(hours)
    return hours


def change_sla_hours(hub: Hub, hours: int, *, actor: str = audit.CLI_ACTOR) -> int:
    """Set the team's SLA and record `settings.sla` (old and new hours) in the same
    transaction; returns the new SLA. Reps' apps receive it at their next sync."""
    check_sla_hours(hours)
    with hub.db.write() as session:
        before = sla_hours(session)
        set_sla_hours(session, hours)
        audit.record(session, actor, "settings.sla", SLA_HOURS_KEY, {"from": before, "to": hours})
    return hours


__all__ = [
    "change_sla_hours",
    "DEFAULT_SLA_HOURS",
    "MAX_SLA_HOURS",
    "SLA_HOURS_KEY",
    "check_sla_hours",
    "set_sla_hours",
    "sla_hours",
]
