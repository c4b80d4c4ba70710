"""A few reps' writes on the demo leads (notes, BANT, objections...) so the hub looks lived-in."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from repdesk.domain.feedback import (
    CallNote,
    CollateralUse,
    Disposition,
    DispositionKind,
    Objection,
    Severity,
    UseKind,
)
from repdesk.domain.leads import Collateral, Lead, LeadStatus, NurtureEvent, NurtureEventType
from repdesk.domain.qualification import Bant, BantAnswer, BantDimension, Confidence
from repdesk.hub.demo.people import seeded_id

_WORKED = {LeadStatus.IN_PROGRESS, LeadStatus.CONNECTED, LeadStatus.CONVERTED, LeadStatus.NURTURE}

_NOTES = (
    (
        "Intro call. They consolidate the forecast in Excel every Friday; two people, most of "
        "a day. Wants to see scenario planning with their own data.",
        "connected",
    ),
    ("Left a voicemail and sent the Northwind case study.", "voicemail"),
    (
        "Discovery with the Head of Sales Ops. Salesforce, 140 reps, three regions. Pain is "
        "forecast accuracy: missed the last two quarters.",
        "connected",
    ),
    (
        "Short call: interested but busy with a CRM clean-up until next quarter. Agreed to "
        "reconnect in 6 weeks.",
        "follow_up",
    ),
    (
        "Demo booked for Thursday with the VP Sales and IT. Security questionnaire to follow.",
        "meeting_booked",
    ),
)
_OBJECTIONS = (
    ("price", "Honestly, 65 a seat is more than we pay for the CRM itself.", Severity.HIGH, ""),
    (
        "competitor",
        "We already have the analytics add-on from our CRM vendor.",
        Severity.MEDIUM,
        "LegacyCRM Analytics",
    ),
    (
        "security",
        "Our data can't leave the EU, and legal will want the SOC 2 report.",
        Severity.HIGH,
        "",
    ),
    ("timing", "Not before the fiscal year starts in April.", Severity.MEDIUM, ""),
    ("integration", "Does it work with our custom opportunity stages?", Severity.LOW, ""),
)
_BANT: tuple[tuple[str, str, str, str], ...] = (
    ("identified", "champion", "clear", "this_quarter"),
    ("must_find", "influencer", "clear", "next_year"),
    ("approved", "decision_maker", "critical", "this_month"),
    ("identified", "decision_maker", "nice_to_have", "six_months"),
)
_VERBATIM = {
    BantDimension.BUDGET: "There is a line for tooling in this year's budget.",
    BantDimension.AUTHORITY: "I'd bring it to our CRO; she signs anything over 50k.",
    BantDimension.NEED: "We missed the last two forecasts by more than 15%.",
    BantDimension.TIMEFRAME: "We want it live before the Q3 kick-off.",
}


@dataclass
class DemoActivity:
    call_notes: list[CallNote] = field(default_factory=list)
    qualifications: list[Bant] = field(default_factory=list)
    objections: list[Objection] = field(default_factory=list)
    dispositions: list[Disposition] = field(default_factory=list)
    collateral_uses: list[CollateralUse] = field(default_factory=list)


def build_activity(
    rng: random.Random,
    now: datetime,
    leads: list[Lead],
    events: list[NurtureEvent],
    collateral: list[Collateral],
) -> DemoActivity:
    handoffs = {
        e.lead_id: e.occurred_at for e in events if e.type is NurtureEventType.SALES_HANDOFF
    }
    out = DemoActivity()
    worked = [lead for lead in leads if lead.owner_rep_id and lead.lead_status in _WORKED]
    for n, lead in enumerate(worked[:40]):
        assert lead.owner_rep_id is not None
        rep = lead.owner_rep_id
        start = handoffs.get(lead.id, now - timedelta(days=10))
        span = max(3600, int((now - start).total_seconds()) - 600)

        def at(fraction: float, _start: datetime = start, _span: int = span) -> datetime:
            return _start + timedelta(seconds=int(_span * fraction))

        body, outcome = _NOTES[n % len(_NOTES)]
        called = at(rng.uniform(0.1, 0.4))
        out.call_notes.append(
            CallNote(
                seeded_id(rng),
                lead.id,
                body,
                called + timedelta(minutes=20),
                rep,
                called,
                rng.randint(180, 1800),
                outcome,
            )
        )
        if n % 3 != 2:
            codes = _BANT[n % len(_BANT)]
            answers = {
                dim: BantAnswer(
                    dim,
                    code,
                    _VERBATIM[dim],
                    Confidence(rng.randint(2, 3)),
                    rep,
                    called + timedelta(minutes=15),
                )
                for dim, code in zip(
                    (
                        BantDimension.BUDGET,
                        BantDimension.AUTHORITY,
                        BantDimension.NEED,
                        BantDimension.TIMEFRAME,
                    ),
                    codes,
                    strict=True,
                )
                if rng.random() < 0.85
            }
            out.qualifications.append(
                Bant(
                    lead.id,
                    budget=answers.get(BantDimension.BUDGET),
                    authority=answers.get(BantDimension.AUTHORITY),
                    need=answers.get(BantDimension.NEED),
                    timeframe=answers.get(BantDimension.TIMEFRAME),
                    version=1,
                )
            )
        if n % 2 == 0:
            code, verbatim, severity, competitor = _OBJECTIONS[n % len(_OBJECTIONS)]
            answer = next((c for c in collateral if code in c.tags), None)
            out.objections.append(
                Objection(
                    seeded_id(rng),
                    lead.id,
                    code,
                    verbatim,
                    called + timedelta(minutes=12),
                    severity,
                    lead.source_campaign_id,
                    answer.id if answer else None,
                    competitor,
                )
            )
            if answer is not None:
                out.collateral_uses.append(
                    CollateralUse(
                        seeded_id(rng), lead.id, answer.id, UseKind.SENT, at(rng.uniform(0.45, 0.6))
                    )
                )
        if lead.lead_status is LeadStatus.CONVERTED:
            out.dispositions.append(
                Disposition(seeded_id(rng), lead.id, DispositionKind.ACCEPT, at(0.8))
            )
        elif lead.lead_status is LeadStatus.NURTURE:
            out.dispositions.append(
                Disposition(
                    seeded_id(rng),
                    lead.id,
                    DispositionKind.RETURN_TO_NURTURE,
                    at(0.8),
                    "Not before next fiscal year; keep them in the nurture track.",
                )
            )
    return out
