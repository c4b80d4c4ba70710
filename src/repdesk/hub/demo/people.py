"""Demo leads and their months of nurture history, consistent in time (Faker, fixed seed)."""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from faker import Faker

from repdesk.domain.leads import Campaign, Lead, LeadStatus, LifecycleStage, NurtureEvent
from repdesk.domain.leads import NurtureEventType as T
from repdesk.hub.demo import catalog

# Points each touch adds to the lead score (a typical marketing-automation scoring model).
_POINTS: dict[T, int] = {
    T.EMAIL_OPENED: 1,
    T.EMAIL_CLICKED: 3,
    T.WEB_VISIT: 2,
    T.FORM_FILL: 8,
    T.CONTENT_DOWNLOAD: 10,
    T.WEBINAR_REGISTERED: 5,
    T.WEBINAR_ATTENDED: 15,
    T.EVENT_BOOTH: 12,
}
MQL_THRESHOLD = 40


def seeded_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


@dataclass
class _Timeline:
    lead_id: str
    rng: random.Random
    now: datetime
    events: list[NurtureEvent] = field(default_factory=list)
    score: int = 0
    stage: LifecycleStage = LifecycleStage.LEAD

    def add(  # noqa: PLR0917 - positional like an event row: kind, time, campaign, asset...
        self,
        kind: T,
        at: datetime,
        campaign: Campaign | None,
        asset: str = "",
        detail: str = "",
        delta: int | None = None,
    ) -> None:
        if at >= self.now:
            return
        points = _POINTS.get(kind) if delta is None else delta
        if kind == T.WEB_VISIT and asset == "/pricing":
            points = 8
        self.events.append(
            NurtureEvent(
                id=seeded_id(self.rng),
                lead_id=self.lead_id,
                type=kind,
                occurred_at=at,
                campaign_id=campaign.id if campaign else None,
                asset=asset,
                detail=detail,
                score_delta=points,
                version=1,
            )
        )
        if points:
            self.score = max(0, self.score + points)
        if self.stage is LifecycleStage.LEAD and self.score >= MQL_THRESHOLD:
            self.stage = LifecycleStage.MQL
            self.add(
                T.STAGE_CHANGE,
                at + timedelta(minutes=5),
                None,
                "lifecycle stage",
                f"Lead \u2192 Marketing qualified lead (score {self.score})",
                0,
            )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:30] or "company"


def _ascii(text: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", plain.lower()) or "contact"


def _history(
    t: _Timeline,
    *,
    start: datetime,
    source: Campaign,
    spec: catalog.CampaignSpec,
    campaigns: dict[str, Campaign],
    engagement: float,
) -> None:
    """First touch from the source campaign, then weekly nurture emails and what followed."""
    rng = t.rng
    first = T(spec.first_touch)
    t.add(first, start, source, spec.first_asset)
    if first is T.WEBINAR_REGISTERED and rng.random() < 0.7:
        t.add(
            T.WEBINAR_ATTENDED,
            start + timedelta(days=rng.randint(2, 9)),
            source,
            spec.first_asset,
            f"Watched {rng.randint(18, 58)} of 60 minutes",
        )
    nurture = campaigns["nurture"]
    at = start + timedelta(days=rng.randint(2, 6), hours=rng.randint(0, 8))
    for number in range(60):
        if at >= t.now:
            break
        subject = catalog.NURTURE_EMAILS[number % len(catalog.NURTURE_EMAILS)]
        t.add(T.EMAIL_SENT, at, nurture, subject)
        if rng.random() < 0.35 + 0.4 * engagement:
            opened = at + timedelta(minutes=rng.randint(4, 60 * 30))
            t.add(T.EMAIL_OPENED, opened, nurture, subject)
            if rng.random() < 0.15 + 0.45 * engagement:
                clicked = opened + timedelta(minutes=rng.randint(1, 20))
                t.add(T.EMAIL_CLICKED, clicked, nurture, subject)
                for visit in range(rng.randint(1, 3)):
                    page = rng.choice(catalog.WEB_PAGES)
                    t.add(T.WEB_VISIT, clicked + timedelta(minutes=2 + 3 * visit), None, page)
        if rng.random() < 0.06 * engagement + 0.01:
            webinar = campaigns["webinar"]
            reg = at + timedelta(days=rng.randint(1, 5))
            t.add(T.WEBINAR_REGISTERED, reg, webinar, "Monthly live session")
            if rng.random() < 0.6:
                t.add(
                    T.WEBINAR_ATTENDED,
                    reg + timedelta(days=rng.randint(3, 10)),
                    webinar,
                    "Monthly live session",
                    f"Asked {rng.randint(1, 3)} questions in Q&A",
                )
        if rng.random() < 0.05 * engagement:
            t.add(
                T.CONTENT_DOWNLOAD,
                at + timedelta(days=rng.randint(1, 4)),
                campaigns["ebook"],
                "The State of Sales Ops 2025 (ebook)",
            )
        if rng.random() < 0.04:
            t.add(
                T.SCORE_CHANGE,
                at + timedelta(days=1),
                None,
                "score decay",
                "No engagement for 30 days",
                -5,
            )
        at += timedelta(days=rng.randint(6, 12), hours=rng.randint(-3, 3))
    t.events.sort(key=lambda e: e.occurred_at)


# Where a handed-off lead stands now, with base weights; the verdicts (qualified or
# converted = accepted, nurture = sent back, unqualified = disqualified) are scaled by the
# source campaign's lead quality, so the lead-quality report has a true story to tell.
_AFTER_HANDOFF: tuple[tuple[LeadStatus, LifecycleStage, int], ...] = (
    (LeadStatus.NEW, LifecycleStage.MQL, 10),
    (LeadStatus.ATTEMPTED_TO_CONTACT, LifecycleStage.MQL, 14),
    (LeadStatus.IN_PROGRESS, LifecycleStage.SQL, 14),
    (LeadStatus.CONNECTED, LifecycleStage.SQL, 10),
    (LeadStatus.NURTURE, LifecycleStage.LEAD, 16),
    (LeadStatus.UNQUALIFIED, LifecycleStage.LEAD, 12),
    (LeadStatus.QUALIFIED, LifecycleStage.SQL, 12),
    (LeadStatus.CONVERTED, LifecycleStage.OPPORTUNITY, 8),
)
_ACCEPTED = {LeadStatus.QUALIFIED, LeadStatus.CONVERTED}
FRESH_HANDOFF = timedelta(hours=10)
"""A lead handed off this recently is still new: its first call is due (the countdown)."""


def _after_handoff(
    rng: random.Random, handoff: datetime, now: datetime, quality: float
) -> tuple[LeadStatus, LifecycleStage]:
    if handoff > now - FRESH_HANDOFF:
        return LeadStatus.NEW, LifecycleStage.MQL
    weights = [
        w * quality if s in _ACCEPTED else w / quality if s is LeadStatus.UNQUALIFIED else w
        for s, _, w in _AFTER_HANDOFF
    ]
    status, stage, _ = rng.choices(_AFTER_HANDOFF, weights=weights)[0]
    return status, stage


ROUTING_WINDOW = timedelta(weeks=10)
"""Every hand-off falls in the last ten weeks (sales started taking MQLs then), spread out so
the speed-to-lead reports have weeks to compare."""


def _handoff_time(t: _Timeline, rng: random.Random) -> datetime:
    """Shortly after the lead became an MQL (an older MQL: some time in the routing window),
    else some time in the last three weeks."""
    mql = next((e.occurred_at for e in t.events if e.type is T.STAGE_CHANGE), None)
    if mql is not None and mql < t.now - timedelta(hours=4):
        latest = min(t.now - timedelta(hours=2), mql + timedelta(days=rng.randint(1, 10)))
        if latest < t.now - ROUTING_WINDOW:
            window = int(ROUTING_WINDOW.total_seconds() // 3600)
            latest = t.now - timedelta(hours=rng.randint(2, window))
        return max(mql + timedelta(hours=1), latest)
    return t.now - timedelta(hours=rng.randint(2, 24 * 21))


def _truncate(t: _Timeline, at: datetime) -> None:
    """Nurture stops at the hand-off: drop later touches and recompute the score."""
    t.events = [e for e in t.events if e.occurred_at < at]
    score = 0
    for e in t.events:
        score = max(0, score + (e.score_delta or 0))
    t.score = score


@dataclass(frozen=True, slots=True)
class DemoLeads:
    leads: list[Lead]
    events: list[NurtureEvent]


def build_leads(
    rng: random.Random,
    *,
    fake_seed: int,
    now: datetime,
    campaigns: dict[str, Campaign],
    reps: list[tuple[str, str]],
    count: int,
) -> DemoLeads:
    fakers = {loc: Faker(loc) for loc, _ in catalog.LOCALES}
    for offset, f in enumerate(fakers.values()):
        f.seed_instance(fake_seed + offset)
    countries = dict(catalog.LOCALES)
    specs = {s.key: s for s in catalog.CAMPAIGNS}
    titles = [t for t, _ in catalog.TITLES]
    weights = [w for _, w in catalog.TITLES]
    leads: list[Lead] = []
    events: list[NurtureEvent] = []
    emails: set[str] = set()
    for number in range(count):
        locale = rng.choices(list(fakers), weights=[40, 15, 14, 10, 8, 7, 6])[0]
        fake = fakers[locale]
        first, last, company = fake.first_name(), fake.last_name(), fake.company()
        email = f"{_ascii(first)}.{_ascii(last)}@{_slug(company)}.example"
        if email in emails:
            email = email.replace("@", f"{number}@")
        emails.add(email)
        spec = rng.choice(catalog.CAMPAIGNS)
        source = campaigns[spec.key]
        assert source.starts_on is not None and source.ends_on is not None
        window = max(
            1,
            int(
                (min(source.ends_on, now - timedelta(days=14)) - source.starts_on).total_seconds()
                // 3600
            ),
        )
        start = source.starts_on + timedelta(hours=rng.randrange(window))
        lead_id = seeded_id(rng)
        engagement = rng.betavariate(2, 3)
        timeline = _Timeline(lead_id, rng, now)
        _history(
            timeline,
            start=start,
            source=source,
            spec=specs[spec.key],
            campaigns=campaigns,
            engagement=engagement,
        )
        owner: str | None = None
        assigned_at: datetime | None = None
        status = LeadStatus.NEW
        stage = timeline.stage
        if stage is LifecycleStage.MQL or rng.random() < 0.2:
            stage = LifecycleStage.MQL
            if rng.random() < 0.85:
                owner_id, owner_name = reps[number % len(reps)]
                owner = owner_id
                handoff = _handoff_time(timeline, rng)
                _truncate(timeline, handoff)
                timeline.add(
                    T.SALES_HANDOFF,
                    handoff,
                    None,
                    "MQL routing",
                    f"Assigned to {owner_name} by round robin",
                    0,
                )
                assigned_at = handoff
                status, stage = _after_handoff(rng, handoff, now, spec.lead_quality)
        else:
            status = LeadStatus.NURTURE if rng.random() < 0.5 else LeadStatus.OPEN
        timeline.events.sort(key=lambda e: e.occurred_at)
        created = timeline.events[0].occurred_at if timeline.events else start
        last_touch = timeline.events[-1].occurred_at if timeline.events else start
        leads.append(
            Lead(
                id=lead_id,
                first_name=first,
                last_name=last,
                company=company,
                email=email,
                title=rng.choices(titles, weights=weights)[0],
                industry=rng.choice(catalog.INDUSTRIES),
                company_size=int(rng.choice(catalog.COMPANY_SIZES) * rng.uniform(0.8, 1.25)),
                phone=fake.phone_number(),
                country=countries[locale],
                lifecycle_stage=stage,
                lead_status=status,
                score=min(100, timeline.score),
                source_campaign_id=source.id,
                owner_rep_id=owner,
                marketing_notes=_note(rng, spec),
                external_id=f"DEMO-{number + 1:04d}",
                created_at=created,
                updated_at=last_touch,
                last_touch_at=last_touch,
                version=1,
                assigned_at=assigned_at,
            )
        )
        events.extend(timeline.events)
    return DemoLeads(leads, events)


_NOTES = (
    "Asked about EU hosting on the form.",
    "Downloaded the ebook twice; second time from a colleague's address.",
    "Existing customer's former employee: knows the product.",
    "Evaluating alongside LegacyCRM Analytics (from the form's free text).",
    "Budget cycle starts in Q3 according to the webinar poll.",
    "",
    "",
    "",
)


def _note(rng: random.Random, spec: catalog.CampaignSpec) -> str:
    note = rng.choice(_NOTES)
    return f"Source: {spec.name}. {note}".strip()
