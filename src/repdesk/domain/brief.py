"""The pre-call brief: everything a rep should glance at before dialling, built from domain data."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from repdesk.domain.feedback import CallNote, CollateralUse, Objection, ObjectionCategory
from repdesk.domain.ids import ensure_utc
from repdesk.domain.leads import (
    ENGAGEMENT_TYPES,
    Campaign,
    Collateral,
    Lead,
    NurtureEvent,
    NurtureEventType,
)
from repdesk.domain.qualification import Bant, Gap, Rubric, RubricResult
from repdesk.domain.rubric import evaluate, readiness_label

__all__ = [
    "CallBrief",
    "Engagement",
    "GapToAsk",
    "ScorePoint",
    "ScoreTrend",
    "Suggestion",
    "build_call_brief",
    "describe_event",
    "render_brief_text",
]

#: Internal bookkeeping events: they change the record but nobody touched the prospect.
_NOT_TOUCHES = frozenset(
    {NurtureEventType.SCORE_CHANGE, NurtureEventType.STAGE_CHANGE, NurtureEventType.SALES_HANDOFF}
)
_TREND_WINDOW = timedelta(days=30)

_EVENT_VERBS: dict[NurtureEventType, str] = {
    NurtureEventType.EMAIL_SENT: "Email sent",
    NurtureEventType.EMAIL_OPENED: "Opened email",
    NurtureEventType.EMAIL_CLICKED: "Clicked email",
    NurtureEventType.WEB_VISIT: "Visited page",
    NurtureEventType.FORM_FILL: "Filled in form",
    NurtureEventType.CONTENT_DOWNLOAD: "Downloaded",
    NurtureEventType.WEBINAR_REGISTERED: "Registered for webinar",
    NurtureEventType.WEBINAR_ATTENDED: "Attended webinar",
    NurtureEventType.EVENT_BOOTH: "Visited event booth",
    NurtureEventType.SCORE_CHANGE: "Score changed",
    NurtureEventType.STAGE_CHANGE: "Stage changed",
    NurtureEventType.SALES_HANDOFF: "Handed to sales",
}


@dataclass(frozen=True, slots=True)
class Engagement:
    """Everything the prospect did with one asset of one campaign."""

    campaign_id: str | None
    campaign_name: str
    asset: str
    count: int
    last_at: datetime
    types: tuple[NurtureEventType, ...]


@dataclass(frozen=True, slots=True)
class GapToAsk:
    gap: Gap
    question: str
    """The rubric's question for this dimension: what to ask on the call."""
    required: bool = True


@dataclass(frozen=True, slots=True)
class Suggestion:
    collateral: Collateral
    reason: str
    objection_codes: tuple[str, ...] = ()
    """Open objections this piece answers (matched through its tags)."""


@dataclass(frozen=True, slots=True)
class ScorePoint:
    at: datetime
    score: int
    delta: int


@dataclass(frozen=True, slots=True)
class ScoreTrend:
    current: int
    change_30d: int
    points: tuple[ScorePoint, ...]
    """Oldest first; scores reconstructed backwards from the lead's current score."""

    @property
    def direction(self) -> str:
        if self.change_30d > 0:
            return "rising"
        return "falling" if self.change_30d < 0 else "flat"


@dataclass(frozen=True, slots=True)
class CallBrief:
    lead: Lead
    generated_at: datetime
    readiness: RubricResult | None
    """None when no rubric has been published yet."""
    readiness_label: str
    last_touches: tuple[NurtureEvent, ...]
    engagement: tuple[Engagement, ...]
    gaps: tuple[GapToAsk, ...]
    open_objections: tuple[Objection, ...]
    objection_labels: tuple[str, ...]
    """The category label of each open objection (same order; the code when unknown)."""
    suggested_collateral: tuple[Suggestion, ...]
    last_touch_at: datetime | None
    days_since_last_touch: int | None
    score_trend: ScoreTrend
    last_note: CallNote | None
    talking_points: tuple[str, ...]


def describe_event(event: NurtureEvent) -> str:
    """One plain-text line for an event, e.g. "Attended webinar: Cutting onboarding time"."""
    if event.type is NurtureEventType.SCORE_CHANGE and event.score_delta is not None:
        text = f"Score {event.score_delta:+d}"
        return f"{text}: {event.detail}" if event.detail else text
    verb = _EVENT_VERBS.get(event.type, str(event.type))
    return f"{verb}: {event.asset}" if event.asset else verb


def _day(at: datetime) -> str:
    # ISO dates: unambiguous in every locale and independent of the process locale.
    return ensure_utc(at).date().isoformat()


def _newest_first(events: Iterable[NurtureEvent]) -> list[NurtureEvent]:
    return sorted(events, key=lambda e: (ensure_utc(e.occurred_at), e.id), reverse=True)


def _engagement(events: Sequence[NurtureEvent], names: dict[str, str]) -> tuple[Engagement, ...]:
    groups: dict[tuple[str | None, str], list[NurtureEvent]] = {}
    for event in events:
        if event.type in ENGAGEMENT_TYPES:
            groups.setdefault((event.campaign_id, event.asset), []).append(event)
    result = [
        Engagement(
            campaign_id=campaign_id,
            campaign_name=names.get(campaign_id or "", ""),
            asset=asset,
            count=len(group),
            last_at=max(ensure_utc(e.occurred_at) for e in group),
            types=tuple(sorted({e.type for e in group})),
        )
        for (campaign_id, asset), group in groups.items()
    ]
    result.sort(key=lambda g: (-g.last_at.timestamp(), -g.count, g.campaign_id or "", g.asset))
    return tuple(result)


def _score_trend(lead: Lead, events: Sequence[NurtureEvent], now: datetime) -> ScoreTrend:
    changes = sorted(
        (e for e in events if e.type is NurtureEventType.SCORE_CHANGE and e.score_delta),
        key=lambda e: (ensure_utc(e.occurred_at), e.id),
    )
    points: list[ScorePoint] = []
    score = lead.score
    for event in reversed(changes):
        delta = event.score_delta or 0
        points.append(ScorePoint(ensure_utc(event.occurred_at), score, delta))
        score -= delta
    points.reverse()
    since = now - _TREND_WINDOW
    change = sum(p.delta for p in points if since <= p.at <= now)
    return ScoreTrend(current=lead.score, change_30d=change, points=tuple(points))


def _category_labels(categories: Sequence[ObjectionCategory]) -> dict[str, str]:
    return {c.code.casefold(): c.label for c in categories}


def _suggest(
    *,
    collateral: Sequence[Collateral],
    events: Sequence[NurtureEvent],
    open_objections: Sequence[Objection],
    uses: Sequence[CollateralUse],
    engagement: Sequence[Engagement],
    labels: dict[str, str],
    limit: int,
) -> tuple[Suggestion, ...]:
    used = {u.collateral_id for u in uses}
    downloaded = {
        e.asset.strip().casefold()
        for e in events
        if e.type is NurtureEventType.CONTENT_DOWNLOAD and e.asset.strip()
    }
    engaged: dict[str, int] = {}
    names: dict[str, str] = {}
    for group in engagement:
        if group.campaign_id:
            engaged[group.campaign_id] = engaged.get(group.campaign_id, 0) + group.count
            names[group.campaign_id] = group.campaign_name
    weight: dict[str, int] = {}
    for objection in open_objections:
        code = objection.category_code.casefold()
        weight[code] = weight.get(code, 0) + int(objection.severity)

    ranked: list[tuple[int, int, str, str, Suggestion]] = []
    seen: set[str] = set()
    for item in collateral:
        if item.id in seen or item.problem.strip() or item.id in used:
            continue
        if {item.id.casefold(), item.title.strip().casefold()} & downloaded:
            continue
        seen.add(item.id)
        tags = {t.strip().casefold() for t in item.tags}
        codes = tuple(sorted(c for c in weight if c in tags))
        fit = sum(weight[c] for c in codes)
        interest = engaged.get(item.campaign_id or "", 0)
        if codes:
            what = ", ".join(labels.get(c, c) for c in codes)
            reason = f"Answers their open objection: {what}"
        elif interest:
            name = names.get(item.campaign_id or "") or "a campaign"
            reason = f"From {name}, which they engaged with"
        else:
            reason = "From one of their campaigns"
        suggestion = Suggestion(item, reason, codes)
        ranked.append((-fit, -interest, item.title.casefold(), item.id, suggestion))
    ranked.sort(key=lambda r: r[:4])
    return tuple(r[4] for r in ranked[:limit])


def _last_touch(
    lead: Lead, events: Sequence[NurtureEvent], notes: Sequence[CallNote]
) -> datetime | None:
    times = [ensure_utc(e.occurred_at) for e in events if e.type not in _NOT_TOUCHES]
    times += [ensure_utc(n.created_at) for n in notes]
    if lead.last_touch_at is not None:
        times.append(ensure_utc(lead.last_touch_at))
    return max(times, default=None)


def _talking_points(
    *,
    lead: Lead,
    gaps: Sequence[GapToAsk],
    open_objections: Sequence[Objection],
    engagement: Sequence[Engagement],
    trend: ScoreTrend,
    labels: dict[str, str],
    limit: int,
) -> tuple[str, ...]:
    points: list[str] = []
    if lead.next_step.strip():
        points.append(f"Agreed next step: {lead.next_step}")
    if open_objections:
        top = open_objections[0]
        label = labels.get(top.category_code.casefold(), top.category_code)
        points.append(f'Address their {label} objection: "{top.verbatim}"')
    if engagement:
        latest = engagement[0]
        what = latest.asset or latest.campaign_name or "your content"
        points.append(f"Recent interest: {what} (last on {_day(latest.last_at)})")
    if gaps:
        first = next((g for g in gaps if g.required), gaps[0])
        points.append(f"Ask: {first.question}" if first.question else first.gap.explanation)
    if trend.change_30d:
        word = "up" if trend.change_30d > 0 else "down"
        points.append(f"Score {word} {abs(trend.change_30d)} in the last 30 days")
    if lead.marketing_notes.strip():
        points.append(f"Marketing notes: {lead.marketing_notes}")
    return tuple(points[:limit])


def build_call_brief(  # noqa: PLR0917 - the agreed call shape, positional like the store's reads
    lead: Lead,
    events: Sequence[NurtureEvent],
    bant: Bant,
    rubric: Rubric | None,
    objections: Sequence[Objection],
    notes: Sequence[CallNote],
    collateral: Sequence[Collateral],
    now: datetime,
    *,
    campaigns: Sequence[Campaign] = (),
    categories: Sequence[ObjectionCategory] = (),
    uses: Sequence[CollateralUse] = (),
    max_touches: int = 5,
    max_suggestions: int = 3,
    max_talking_points: int = 5,
) -> CallBrief:
    """Build the brief. Rows about other leads are ignored; nothing here reads a clock.

    `collateral` is everything available for the lead's campaigns; `campaigns` names them,
    `categories` labels objection codes and `uses` excludes what the rep already showed/sent.
    """
    now = ensure_utc(now)
    own_events = [e for e in events if e.lead_id == lead.id]
    own_notes = sorted(
        (n for n in notes if n.lead_id == lead.id),
        key=lambda n: (ensure_utc(n.created_at), n.id),
    )
    open_objections = sorted(
        (o for o in objections if o.lead_id == lead.id and not o.resolved),
        key=lambda o: (-int(o.severity), -ensure_utc(o.created_at).timestamp(), o.id),
    )
    names = {c.id: c.name for c in campaigns}
    labels = _category_labels(categories)

    readiness = evaluate(rubric, bant) if rubric is not None else None
    gaps: tuple[GapToAsk, ...] = ()
    if readiness is not None and rubric is not None:
        asks: list[GapToAsk] = []
        for gap in readiness.gaps:
            rd = rubric.for_dimension(gap.dimension)
            asks.append(GapToAsk(gap, rd.question if rd else "", rd.required if rd else True))
        gaps = tuple(asks)
    touches = [e for e in _newest_first(own_events) if e.type not in _NOT_TOUCHES]
    engagement = _engagement(own_events, names)
    trend = _score_trend(lead, own_events, now)
    last_touch_at = _last_touch(lead, own_events, own_notes)
    days = None if last_touch_at is None else max(0, (now - last_touch_at).days)

    return CallBrief(
        lead=lead,
        generated_at=now,
        readiness=readiness,
        readiness_label=(
            readiness_label(readiness) if readiness is not None else "No rubric published yet"
        ),
        last_touches=tuple(touches[: max(0, max_touches)]),
        engagement=engagement,
        gaps=gaps,
        open_objections=tuple(open_objections),
        objection_labels=tuple(
            labels.get(o.category_code.casefold(), o.category_code) for o in open_objections
        ),
        suggested_collateral=_suggest(
            collateral=collateral,
            events=own_events,
            open_objections=open_objections,
            uses=[u for u in uses if u.lead_id == lead.id],
            engagement=engagement,
            labels=labels,
            limit=max(0, max_suggestions),
        ),
        last_touch_at=last_touch_at,
        days_since_last_touch=days,
        score_trend=trend,
        last_note=own_notes[-1] if own_notes else None,
        talking_points=_talking_points(
            lead=lead,
            gaps=gaps,
            open_objections=open_objections,
            engagement=engagement,
            trend=trend,
            labels=labels,
            limit=max(0, max_talking_points),
        ),
    )


def _section(title: str, lines: Sequence[str], empty: str) -> list[str]:
    return ["", title, *(f"  - {line}" for line in lines)] if lines else ["", title, f"  {empty}"]


def render_brief_text(brief: CallBrief) -> str:
    """The brief as plain text for export or print. Every value appears verbatim (no markup)."""
    lead = brief.lead
    who = lead.full_name or "(no name)"
    header = [f"Call brief: {who}" + (f", {lead.company}" if lead.company else "")]
    if lead.title:
        header.append(f"Title: {lead.title}")
    for label, value in (("Email", lead.email), ("Phone", lead.phone)):
        if value:
            header.append(f"{label}: {value}")
    header.append(f"Readiness: {brief.readiness_label}")
    header.append(
        f"Score: {brief.score_trend.current} ({brief.score_trend.direction}, "
        f"{brief.score_trend.change_30d:+d} in 30 days)"
    )
    if brief.days_since_last_touch is None:
        header.append("Last touch: never")
    else:
        header.append(
            f"Last touch: {brief.days_since_last_touch} days ago"
            f" ({_day(brief.last_touch_at or brief.generated_at)})"
        )
    out = header
    out += _section("Talking points", brief.talking_points, "Nothing in particular.")
    out += _section(
        "Ask about",
        [f"{g.gap.explanation}. {g.question}".rstrip() for g in brief.gaps],
        "Nothing: every rubric dimension is covered."
        if brief.readiness is not None
        else "No rubric published yet.",
    )
    out += _section(
        "Open objections",
        [
            f"{label}: {o.verbatim}"
            for o, label in zip(brief.open_objections, brief.objection_labels, strict=True)
        ],
        "None.",
    )
    out += _section(
        "What they engaged with",
        [
            f"{g.asset or '(no asset)'}"
            + (f" ({g.campaign_name})" if g.campaign_name else "")
            + f": {g.count}x, last {_day(g.last_at)}"
            for g in brief.engagement
        ],
        "No engagement recorded.",
    )
    out += _section(
        "Last touches",
        [f"{_day(e.occurred_at)} {describe_event(e)}" for e in brief.last_touches],
        "No nurture history.",
    )
    out += _section(
        "Suggested collateral",
        [f"{s.collateral.title}: {s.reason}" for s in brief.suggested_collateral],
        "Nothing new to send.",
    )
    if brief.last_note is not None:
        out += ["", f"Last call note ({_day(brief.last_note.created_at)})", brief.last_note.body]
    generated = ensure_utc(brief.generated_at).strftime("%Y-%m-%d %H:%M")
    out += ["", f"Generated {generated} UTC"]
    return "\n".join(out) + "\n"
