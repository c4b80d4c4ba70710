"""Today: who to call next, and why now. Pure rules; the store finds the candidates in SQL.

Four reasons put a lead on the rep's Today list, in this order:

1. an open follow-up that is overdue (oldest first);
2. a first call still due inside marketing's speed-to-lead window (least time left first);
3. an open follow-up due later today (earliest first);
4. engagement that just spiked: several touches in the last days, a visit to the pricing
   page, a form filled in (strongest first), unless the rep has called since.

A lead is listed once, for its first reason. A lead with an open follow-up is listed only
for that follow-up: the rep has already decided when to call. A lead the rep skipped is
hidden for the rest of their day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from repdesk.domain.leads import NurtureEventType

SPIKE_DAYS = 3
"""How far back "just spiked" looks."""
SPIKE_TOUCHES = 3
"""This many engagement touches within `SPIKE_DAYS` is a spike on its own."""
SPIKE_LIMIT = 50
"""At most this many "why now" leads (the strongest): a list to work through, not a report."""
PRICING_WORD = "pricing"
"""A web visit whose page mentions this is a pricing-page visit."""

#: Touches that count toward a spike: the prospect acting, not marketing sending.
SPIKE_TYPES: frozenset[NurtureEventType] = frozenset(
    {
        NurtureEventType.EMAIL_CLICKED,
        NurtureEventType.WEB_VISIT,
        NurtureEventType.FORM_FILL,
        NurtureEventType.CONTENT_DOWNLOAD,
        NurtureEventType.WEBINAR_ATTENDED,
        NurtureEventType.EVENT_BOOTH,
    }
)


class TodayKind(StrEnum):
    OVERDUE = "overdue"
    FIRST_CALL = "first_call"
    DUE_TODAY = "due_today"
    WHY_NOW = "why_now"


ORDER: tuple[TodayKind, ...] = tuple(TodayKind)


@dataclass(frozen=True, slots=True)
class Engagement:
    """A lead's recent touches, as counted by the store."""

    touches: int
    pricing_visits: int = 0
    form_fills: int = 0
    last_form: str = ""
    """The form most recently filled in (its name or page), "" if none or unknown."""
    last_at: datetime | None = None

    @property
    def spiked(self) -> bool:
        return self.touches >= SPIKE_TOUCHES or self.pricing_visits > 0 or self.form_fills > 0

    @property
    def strength(self) -> tuple[int, int, int]:
        """Sort key, strongest first when reversed: a form, then pricing, then volume."""
        return (min(self.form_fills, 1), min(self.pricing_visits, 1), self.touches)


def why_now(e: Engagement, days: int = SPIKE_DAYS) -> str:
    """The reason in words: "Filled in a form (Demo request) · visited the pricing page ·
    4 touches in the last 3 days"."""
    parts: list[str] = []
    if e.form_fills:
        parts.append(f"filled in a form ({e.last_form})" if e.last_form else "filled in a form")
    if e.pricing_visits:
        times = "" if e.pricing_visits == 1 else f" ({e.pricing_visits} times)"
        parts.append("visited the pricing page" + times)
    if e.touches >= SPIKE_TOUCHES or not parts:
        parts.append(f"{e.touches} touch{'es' if e.touches != 1 else ''} in the last {days} days")
    text = " · ".join(parts)
    return text[:1].upper() + text[1:]


@dataclass(frozen=True, slots=True)
class TodayItem:
    """One lead on the Today list."""

    lead_id: str
    kind: TodayKind
    at: datetime
    """The follow-up's due time, the first call's deadline, or the last touch."""
    reason: str = ""
    """Plain text: the follow-up's "what for", or why now; "" for a first call (the view
    counts down to `at`)."""
    followup_id: str | None = None
    sla_hours: int | None = None
    """For FIRST_CALL: marketing's SLA."""

    def left(self, now: datetime) -> timedelta:
        return self.at - now


__all__ = [
    "ORDER",
    "PRICING_WORD",
    "SPIKE_DAYS",
    "SPIKE_LIMIT",
    "SPIKE_TOUCHES",
    "SPIKE_TYPES",
    "Engagement",
    "TodayItem",
    "TodayKind",
    "why_now",
]
