"""Follow-ups: a call-back the rep promised (when, and what for), and the pure rules around it.

A follow-up is made on the rep's computer with a client-made id and changes by whole
states: every change (create, new time or reason, done, cancelled) is one `followup.set`
mutation carrying the follow-up as it now is, so the hub can apply them in any order and
keep the latest (`updated_at`, the rep's clock when the change was made).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, tzinfo
from enum import StrEnum

from repdesk.domain.ids import ensure_utc

MAX_REASON = 2_000
"""Longest "what for" text (the hub refuses longer)."""


class FollowUpState(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class FollowUpAction(StrEnum):
    """What the rep did; carried with the state for marketing's export."""

    CREATE = "create"
    UPDATE = "update"
    COMPLETE = "complete"
    CANCEL = "cancel"


_STATE_AFTER = {
    FollowUpAction.COMPLETE: FollowUpState.DONE,
    FollowUpAction.CANCEL: FollowUpState.CANCELLED,
}


@dataclass(frozen=True, slots=True)
class FollowUp:
    id: str
    lead_id: str
    due_at: datetime
    reason: str = ""
    """What the call-back is for ("send pricing for 25 seats"); plain text."""
    state: FollowUpState = FollowUpState.OPEN
    created_at: datetime | None = None
    updated_at: datetime | None = None
    """When the rep last changed it (the rep's clock): the latest change wins on the hub."""
    version: int = 0

    @property
    def is_open(self) -> bool:
        return self.state is FollowUpState.OPEN

    def is_due(self, now: datetime) -> bool:
        return self.is_open and ensure_utc(self.due_at) <= ensure_utc(now)

    def after(self, action: FollowUpAction, at: datetime, **changes: object) -> FollowUp:
        """This follow-up after the rep's `action` at `at` (new `due_at`/`reason` for an
        update); `ValueError` for a change that makes no sense."""
        if action is FollowUpAction.CREATE:
            raise ValueError("a follow-up is created once")
        state = _STATE_AFTER.get(action, FollowUpState.OPEN)
        return checked(replace(self, state=state, updated_at=at, **changes))  # type: ignore[arg-type]


def checked(followup: FollowUp) -> FollowUp:
    """`followup` if it can be stored and sent, else `ValueError` with the reason."""
    if len(followup.reason) > MAX_REASON:
        raise ValueError(f"the reason is longer than {MAX_REASON} characters")
    if "\x00" in followup.reason:
        raise ValueError("the reason holds a NUL character")
    return followup


def new_followup(
    followup_id: str, lead_id: str, due_at: datetime, reason: str, now: datetime
) -> FollowUp:
    return checked(
        FollowUp(
            id=followup_id,
            lead_id=lead_id,
            due_at=ensure_utc(due_at),
            reason=reason.strip(),
            created_at=now,
            updated_at=now,
        )
    )


# --- snoozing: "later today" and "tomorrow" in the rep's own time zone ---------------------

LATER_TODAY = timedelta(hours=2)
MORNING = time(9, 0)
LAST_CALL = time(18, 0)
"""Past this local time, "later today" would be tonight: it means tomorrow morning."""


def later_today(now: datetime, tz: tzinfo) -> datetime:
    """Two hours from now, unless that is after the working day: then tomorrow morning."""
    local = ensure_utc(now).astimezone(tz)
    later = local + LATER_TODAY
    if later.date() != local.date() or later.time() > LAST_CALL:
        return tomorrow_morning(now, tz)
    return ensure_utc(later)


def tomorrow_morning(now: datetime, tz: tzinfo) -> datetime:
    """9:00 tomorrow in the rep's time zone, as UTC."""
    local = ensure_utc(now).astimezone(tz)
    day = local.date() + timedelta(days=1)
    return ensure_utc(datetime.combine(day, MORNING, tzinfo=tz))


def in_days(now: datetime, tz: tzinfo, days: int) -> datetime:
    """9:00 in the rep's time zone, `days` days after today."""
    local = ensure_utc(now).astimezone(tz)
    return ensure_utc(datetime.combine(local.date() + timedelta(days=days), MORNING, tzinfo=tz))


def next_week(now: datetime, tz: tzinfo) -> datetime:
    """9:00 next Monday in the rep's time zone."""
    local = ensure_utc(now).astimezone(tz)
    return in_days(now, tz, 7 - local.weekday())


def day_bounds(now: datetime, tz: tzinfo) -> tuple[datetime, datetime, str]:
    """The rep's local day around `now`: (start, end) in UTC and its key ("2026-03-14")."""
    local = ensure_utc(now).astimezone(tz)
    start = datetime.combine(local.date(), time(0, 0), tzinfo=tz)
    end = datetime.combine(local.date() + timedelta(days=1), time(0, 0), tzinfo=tz)
    return ensure_utc(start), ensure_utc(end), local.date().isoformat()


__all__ = [
    "LATER_TODAY",
    "MAX_REASON",
    "FollowUp",
    "FollowUpAction",
    "FollowUpState",
    "checked",
    "day_bounds",
    "in_days",
    "later_today",
    "new_followup",
    "next_week",
    "tomorrow_morning",
]
