"""Follow-up reads and the Today list, in SQL (indexed: fast at 100k leads).

The rules are `repdesk.domain.today`'s; each section is one query on an index:
open follow-ups by (state, due_at), newly assigned leads by (assigned_at), recent touches
by the covering (occurred_at, type, lead_id, asset).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    and_,
    case,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from repdesk.domain.followups import FollowUp, FollowUpState
from repdesk.domain.ids import ensure_utc
from repdesk.domain.leads import NurtureEventType
from repdesk.domain.today import (
    PRICING_WORD,
    SPIKE_DAYS,
    SPIKE_LIMIT,
    SPIKE_TOUCHES,
    SPIKE_TYPES,
    Engagement,
    TodayItem,
    TodayKind,
    why_now,
)
from repdesk.store.convert import from_db, to_db
from repdesk.store.convert_feedback import followup_from_row
from repdesk.store.models import (
    DISPOSITIONS,
    EVENTS,
    FOLLOWUPS,
    LEADS,
    NOTES,
    SYNC,
    TODAY_SKIPS,
)

_OPEN = FOLLOWUPS.c.state == FollowUpState.OPEN.value
_LEAD_HERE = exists().where(LEADS.c.id == FOLLOWUPS.c.lead_id)
"""The follow-up's lead is still here (not reassigned away)."""
_CHUNK = 500


# --- follow-ups ---------------------------------------------------------------------------


def followups(conn: Connection, lead_id: str) -> list[FollowUp]:
    """A lead's follow-ups: open ones first (soonest first), then the rest, newest first."""
    rows = conn.execute(
        select(FOLLOWUPS)
        .where(FOLLOWUPS.c.lead_id == lead_id)
        .order_by(case((_OPEN, 0), else_=1), FOLLOWUPS.c.due_at)
    ).all()
    found = [followup_from_row(r) for r in rows]
    open_ones = [f for f in found if f.is_open]
    done = sorted((f for f in found if not f.is_open), key=lambda f: f.due_at, reverse=True)
    return open_ones + done


def followup(conn: Connection, followup_id: str) -> FollowUp | None:
    row = conn.execute(select(FOLLOWUPS).where(FOLLOWUPS.c.id == followup_id)).first()
    return None if row is None else followup_from_row(row)


def to_remind(conn: Connection, now: datetime) -> list[FollowUp]:
    """Open follow-ups due by `now` this computer has not reminded the rep of (at this due
    time) yet, for leads still here; oldest first."""
    rows = conn.execute(
        select(FOLLOWUPS)
        .where(_OPEN, FOLLOWUPS.c.due_at <= to_db(now))
        .where(
            or_(
                FOLLOWUPS.c.reminded_at.is_(None),
                FOLLOWUPS.c.reminded_at < FOLLOWUPS.c.due_at,
            )
        )
        .where(_LEAD_HERE)
        .order_by(FOLLOWUPS.c.due_at)
    )
    return [followup_from_row(r) for r in rows]


def next_due(conn: Connection, now: datetime) -> datetime | None:
    """When the next open follow-up after `now` falls due (one index seek)."""
    value = conn.execute(
        select(func.min(FOLLOWUPS.c.due_at)).where(_OPEN, FOLLOWUPS.c.due_at > to_db(now))
    ).scalar()
    return from_db(value)


def mark_reminded(conn: Connection, followup_ids: Sequence[str], at: datetime) -> None:
    ids = list(followup_ids)
    for start in range(0, len(ids), _CHUNK):
        conn.execute(
            update(FOLLOWUPS)
            .where(FOLLOWUPS.c.id.in_(ids[start : start + _CHUNK]))
            .values(reminded_at=to_db(at))
        )


def skip_today(conn: Connection, lead_id: str, day: str) -> None:
    stmt = sqlite_insert(TODAY_SKIPS).values(lead_id=lead_id, day=day)
    conn.execute(stmt.on_conflict_do_update(index_elements=["lead_id"], set_={"day": day}))
    # Older days' skips are spent: keep the table as small as one day's list.
    conn.execute(delete(TODAY_SKIPS).where(TODAY_SKIPS.c.day != day))


# --- Today --------------------------------------------------------------------------------


def today(conn: Connection, now: datetime, day_end: datetime, day: str) -> list[TodayItem]:
    """Who to call next (see `repdesk.domain.today` for the order and the rules)."""
    now = ensure_utc(now)
    skipped = select(TODAY_SKIPS.c.lead_id).where(TODAY_SKIPS.c.day == day)
    listed: set[str] = set()
    overdue: list[TodayItem] = []
    later: list[TodayItem] = []
    rows = conn.execute(
        select(FOLLOWUPS)
        .where(_OPEN, FOLLOWUPS.c.due_at < to_db(day_end))
        .where(_LEAD_HERE)
        .where(FOLLOWUPS.c.lead_id.not_in(skipped))
        .order_by(FOLLOWUPS.c.due_at, FOLLOWUPS.c.id)
    )
    for r in rows:
        f = followup_from_row(r)
        if f.lead_id in listed:
            continue
        listed.add(f.lead_id)
        kind = TodayKind.OVERDUE if f.is_due(now) else TodayKind.DUE_TODAY
        item = TodayItem(f.lead_id, kind, f.due_at, f.reason, followup_id=f.id)
        (overdue if kind is TodayKind.OVERDUE else later).append(item)
    scheduled = select(FOLLOWUPS.c.lead_id).where(_OPEN)
    first_calls = _first_calls(conn, now, skipped, scheduled)
    listed.update(i.lead_id for i in first_calls)
    spikes = _spikes(conn, now, skipped, scheduled, listed)
    return [*overdue, *first_calls, *later, *spikes]


def _first_calls(
    conn: Connection, now: datetime, skipped: Select[Any], scheduled: Select[Any]
) -> list[TodayItem]:
    """Leads inside the speed-to-lead window with no call (and no decision) since their
    assignment: `repdesk.domain.speed_to_lead.first_call_due`, in SQL."""
    sla = conn.execute(select(SYNC.c.sla_hours)).scalar()
    if sla is None or sla <= 0:
        return []
    window = timedelta(hours=int(sla))
    called = exists().where(
        NOTES.c.lead_id == LEADS.c.id,
        func.coalesce(NOTES.c.call_started_at, NOTES.c.created_at) >= LEADS.c.assigned_at,
    )
    decided = exists().where(
        DISPOSITIONS.c.lead_id == LEADS.c.id,
        DISPOSITIONS.c.decided_at >= LEADS.c.assigned_at,
    )
    rows = conn.execute(
        select(LEADS.c.id, LEADS.c.assigned_at)
        .where(LEADS.c.assigned_at > to_db(now - window))
        .where(~called, ~decided)
        .where(LEADS.c.id.not_in(skipped))
        .where(LEADS.c.id.not_in(scheduled))
        .order_by(LEADS.c.assigned_at, LEADS.c.id)
    )
    return [
        TodayItem(
            r.id, TodayKind.FIRST_CALL, ensure_utc(r.assigned_at) + window, sla_hours=int(sla)
        )
        for r in rows
    ]


def _spikes(
    conn: Connection,
    now: datetime,
    skipped: Select[Any],
    scheduled: Select[Any],
    listed: set[str],
) -> list[TodayItem]:
    since = now - timedelta(days=SPIKE_DAYS)
    is_pricing = and_(
        EVENTS.c.type == NurtureEventType.WEB_VISIT.value,
        func.lower(EVENTS.c.asset).contains(PRICING_WORD),
    )
    is_form = EVENTS.c.type == NurtureEventType.FORM_FILL.value
    touches = func.count().label("touches")
    pricing = func.sum(case((is_pricing, 1), else_=0)).label("pricing")
    forms = func.sum(case((is_form, 1), else_=0)).label("forms")
    last_at = func.max(EVENTS.c.occurred_at).label("last_at")
    recent = (
        select(EVENTS.c.lead_id, touches, pricing, forms, last_at)
        .where(EVENTS.c.occurred_at >= to_db(since), EVENTS.c.occurred_at <= to_db(now))
        .where(EVENTS.c.type.in_(sorted(t.value for t in SPIKE_TYPES)))
        .group_by(EVENTS.c.lead_id)
        .having(or_(touches >= SPIKE_TOUCHES, pricing > 0, forms > 0))
        .subquery()
    )
    called_since = exists().where(
        NOTES.c.lead_id == recent.c.lead_id,
        func.coalesce(NOTES.c.call_started_at, NOTES.c.created_at) >= recent.c.last_at,
    )
    decided_since = exists().where(
        DISPOSITIONS.c.lead_id == recent.c.lead_id,
        DISPOSITIONS.c.decided_at >= recent.c.last_at,
    )
    rows = conn.execute(
        select(recent)
        .where(exists().where(LEADS.c.id == recent.c.lead_id))
        .where(~called_since, ~decided_since)
        .where(recent.c.lead_id.not_in(skipped))
        .where(recent.c.lead_id.not_in(scheduled))
        .order_by(
            (recent.c.forms > 0).desc(),
            (recent.c.pricing > 0).desc(),
            recent.c.touches.desc(),
            recent.c.last_at.desc(),
            recent.c.lead_id,
        )
        .limit(SPIKE_LIMIT + len(listed))
    ).all()
    rows = [r for r in rows if r.lead_id not in listed][:SPIKE_LIMIT]
    forms_of = _last_forms(conn, [r.lead_id for r in rows if r.forms], since)
    items = []
    for r in rows:
        engagement = Engagement(
            touches=int(r.touches),
            pricing_visits=int(r.pricing or 0),
            form_fills=int(r.forms or 0),
            last_form=forms_of.get(r.lead_id, ""),
            last_at=from_db(r.last_at),
        )
        at = engagement.last_at or now
        items.append(TodayItem(r.lead_id, TodayKind.WHY_NOW, at, why_now(engagement)))
    return items


def _last_forms(conn: Connection, lead_ids: list[str], since: datetime) -> dict[str, str]:
    """The name of each lead's latest form fill since `since`."""
    found: dict[str, str] = {}
    for start in range(0, len(lead_ids), _CHUNK):
        rows = conn.execute(
            select(EVENTS.c.lead_id, EVENTS.c.asset, EVENTS.c.detail)
            .where(EVENTS.c.lead_id.in_(lead_ids[start : start + _CHUNK]))
            .where(EVENTS.c.type == NurtureEventType.FORM_FILL.value)
            .where(EVENTS.c.occurred_at >= to_db(since))
            .order_by(EVENTS.c.occurred_at, EVENTS.c.id)
        )
        for r in rows:
            found[r.lead_id] = (r.asset or r.detail or "").strip()
    return found


__all__ = [
    "followup",
    "followups",
    "mark_reminded",
    "next_due",
    "skip_today",
    "to_remind",
    "today",
]
