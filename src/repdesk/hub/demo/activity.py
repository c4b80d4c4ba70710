"""What the demo reps did with their leads, so every report in marketing's workspace has a
true story to show: first calls after realistic delays (some over the 24 h SLA, the newest
leads not called yet), BANT answers, objections in the prospects' own words, verdicts with
reasons, and collateral shown or sent (more often on leads that were accepted; two pieces
never used at all)."""

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
from repdesk.domain.leads import Collateral, Lead, LeadStatus
from repdesk.domain.qualification import Bant, BantAnswer, BantDimension, Confidence
from repdesk.hub.demo import talk
from repdesk.hub.demo.people import seeded_id

NEVER_USED = ("Pipeline Analytics Datasheet", "Integration guide: Salesforce and HubSpot")
"""Collateral no demo rep ever shows or sends (the "unused collateral" report)."""

REP_PACE = (0.6, 1.0, 1.9)
"""How long each demo rep (in DEMO_REPS order) takes to call, relative to the team."""

# Hours from assignment to the first call, before the rep's pace: (low, high, weight).
_DELAYS = ((0.2, 2, 30), (2, 8, 26), (8, 20, 20), (20, 48, 14), (48, 120, 10))

_CALLED = {
    LeadStatus.ATTEMPTED_TO_CONTACT,
    LeadStatus.IN_PROGRESS,
    LeadStatus.CONNECTED,
    LeadStatus.NURTURE,
    LeadStatus.UNQUALIFIED,
    LeadStatus.QUALIFIED,
    LeadStatus.CONVERTED,
}
_ACCEPTED = {LeadStatus.QUALIFIED, LeadStatus.CONVERTED}
_OBJECTION_ODDS = {
    LeadStatus.IN_PROGRESS: 0.5,
    LeadStatus.CONNECTED: 0.5,
    LeadStatus.NURTURE: 0.85,
    LeadStatus.UNQUALIFIED: 0.5,
    LeadStatus.QUALIFIED: 0.4,
    LeadStatus.CONVERTED: 0.35,
}
# (chance of using collateral at all, most pieces used): accepted leads saw more of it.
_COLLATERAL_USE = {
    LeadStatus.ATTEMPTED_TO_CONTACT: (0.2, 1),
    LeadStatus.IN_PROGRESS: (0.45, 2),
    LeadStatus.CONNECTED: (0.5, 2),
    LeadStatus.NURTURE: (0.3, 1),
    LeadStatus.UNQUALIFIED: (0.1, 1),
    LeadStatus.QUALIFIED: (0.85, 3),
    LeadStatus.CONVERTED: (0.9, 3),
}
_VERDICT = {
    LeadStatus.QUALIFIED: DispositionKind.ACCEPT,
    LeadStatus.CONVERTED: DispositionKind.ACCEPT,
    LeadStatus.NURTURE: DispositionKind.RETURN_TO_NURTURE,
    LeadStatus.UNQUALIFIED: DispositionKind.DISQUALIFY,
}
_QUALIFYING = ("approved", "decision_maker", "critical", "this_quarter")
_BANT_DIMS = (
    BantDimension.BUDGET,
    BantDimension.AUTHORITY,
    BantDimension.NEED,
    BantDimension.TIMEFRAME,
)


@dataclass
class DemoActivity:
    call_notes: list[CallNote] = field(default_factory=list)
    qualifications: list[Bant] = field(default_factory=list)
    objections: list[Objection] = field(default_factory=list)
    dispositions: list[Disposition] = field(default_factory=list)
    collateral_uses: list[CollateralUse] = field(default_factory=list)


@dataclass
class _Lead:
    """One lead being worked: its rep, when the first call was, and a clock after it."""

    lead: Lead
    rep: str
    first_call: datetime
    now: datetime

    def later(self, rng: random.Random, max_hours: float) -> datetime:
        """A moment after the first call, never in the future."""
        room = (self.now - timedelta(minutes=10) - self.first_call).total_seconds() / 3600
        return self.first_call + timedelta(hours=rng.uniform(0.1, max(0.2, min(max_hours, room))))


def first_call_delay(rng: random.Random, pace: float) -> timedelta:
    low, high, _ = rng.choices(_DELAYS, weights=[w for *_, w in _DELAYS])[0]
    return timedelta(hours=rng.uniform(low, high) * pace)


def build_activity(
    rng: random.Random,
    now: datetime,
    leads: list[Lead],
    collateral: list[Collateral],
    rep_ids: list[str],
) -> DemoActivity:
    out = DemoActivity()
    usable = [c for c in collateral if c.title not in NEVER_USED]
    pace = dict(zip(rep_ids, REP_PACE, strict=False))
    for lead in leads:
        if lead.owner_rep_id is None or lead.assigned_at is None:
            continue
        if lead.lead_status not in _CALLED:
            continue  # new: never called (the newest are due, some are long overdue)
        delay = first_call_delay(rng, pace.get(lead.owner_rep_id, 1.0))
        latest = now - timedelta(minutes=30)
        first = min(lead.assigned_at + delay, latest)
        if first <= lead.assigned_at:
            continue
        work = _Lead(lead, lead.owner_rep_id, first, now)
        _calls(rng, work, out)
        if lead.lead_status is LeadStatus.ATTEMPTED_TO_CONTACT:
            _uses(rng, work, usable, [], out)
            continue
        _qualification(rng, work, out)
        objections = _objections(rng, work, collateral, out)
        _uses(rng, work, usable, objections, out)
        _verdict(rng, work, out)
    return out


def _calls(rng: random.Random, work: _Lead, out: DemoActivity) -> None:
    lead = work.lead
    if lead.lead_status is LeadStatus.ATTEMPTED_TO_CONTACT:
        attempts = [work.first_call]
        if rng.random() < 0.5:
            attempts.append(work.later(rng, 72))
        for at in attempts:
            out.call_notes.append(
                _note(rng, work, rng.choice(talk.NO_ANSWER), at, rng.randint(20, 90))
            )
        return
    script = {LeadStatus.NURTURE: talk.NOT_NOW, LeadStatus.UNQUALIFIED: talk.NOT_A_FIT}
    line = rng.choice(script.get(lead.lead_status, talk.FIRST_CALLS))
    out.call_notes.append(_note(rng, work, line, work.first_call, rng.randint(300, 1800)))
    if lead.lead_status is not LeadStatus.UNQUALIFIED and rng.random() < 0.4:
        at = work.later(rng, 24 * 10)
        line = rng.choice(talk.FOLLOW_UPS)
        out.call_notes.append(_note(rng, work, line, at, rng.randint(600, 2700)))


def _note(
    rng: random.Random, work: _Lead, line: tuple[str, str], at: datetime, seconds: int
) -> CallNote:
    body, outcome = line
    written = min(
        at + timedelta(seconds=seconds, minutes=rng.randint(1, 15)), work.now - timedelta(minutes=1)
    )
    return CallNote(seeded_id(rng), work.lead.id, body, written, work.rep, at, seconds, outcome)


def _qualification(rng: random.Random, work: _Lead, out: DemoActivity) -> None:
    accepted = work.lead.lead_status in _ACCEPTED
    answers: dict[BantDimension, BantAnswer] = {}
    for dim, best in zip(_BANT_DIMS, _QUALIFYING, strict=True):
        if not accepted and rng.random() < 0.3:
            continue  # not asked yet
        options = talk.BANT_ANSWERS[dim]
        code = best if accepted and rng.random() < 0.6 else rng.choice(list(options))
        if accepted and dim in (BantDimension.NEED, BantDimension.AUTHORITY):
            code = best  # marketing's rubric requires them for an accepted lead
        answers[dim] = BantAnswer(
            dim,
            code,
            rng.choice(options[code]),
            Confidence(rng.choices((1, 2, 3), weights=(1, 4, 4))[0]),
            work.rep,
            work.first_call + timedelta(minutes=rng.randint(5, 25)),
        )
    if answers:
        out.qualifications.append(
            Bant(
                work.lead.id,
                budget=answers.get(BantDimension.BUDGET),
                authority=answers.get(BantDimension.AUTHORITY),
                need=answers.get(BantDimension.NEED),
                timeframe=answers.get(BantDimension.TIMEFRAME),
                version=1,
            )
        )


def _objections(
    rng: random.Random, work: _Lead, collateral: list[Collateral], out: DemoActivity
) -> list[Objection]:
    lead = work.lead
    if rng.random() >= _OBJECTION_ODDS.get(lead.lead_status, 0.0):
        return []
    made: list[Objection] = []
    count = 2 if rng.random() < 0.25 else 1
    codes = rng.choices(
        list(talk.OBJECTIONS), weights=[w for w, _ in talk.OBJECTIONS.values()], k=count
    )
    for code in dict.fromkeys(codes):
        _, lines = talk.OBJECTIONS[code]
        verbatim, severity = rng.choice(lines)
        answer = [c for c in collateral if code in c.tags and c.title not in NEVER_USED]
        used = rng.choice(answer) if answer and rng.random() < 0.5 else None
        objection = Objection(
            seeded_id(rng),
            lead.id,
            code,
            verbatim,
            work.first_call + timedelta(minutes=rng.randint(3, 20)),
            Severity(severity),
            lead.source_campaign_id,
            used.id if used else None,
            rng.choice(talk.COMPETITORS) if code == "competitor" else "",
            resolved=lead.lead_status in _ACCEPTED and rng.random() < 0.7,
        )
        made.append(objection)
        out.objections.append(objection)
        if used is not None:
            out.collateral_uses.append(
                CollateralUse(seeded_id(rng), lead.id, used.id, UseKind.SENT, work.later(rng, 48))
            )
    return made


def _uses(
    rng: random.Random,
    work: _Lead,
    usable: list[Collateral],
    objections: list[Objection],
    out: DemoActivity,
) -> None:
    odds, most = _COLLATERAL_USE.get(work.lead.lead_status, (0.0, 0))
    if not usable or rng.random() >= odds:
        return
    already = {o.collateral_id for o in objections}
    own = [c for c in usable if c.campaign_id == work.lead.source_campaign_id]
    pool = own + [c for c in usable if c not in own]
    weights = [4 if c in own else 1 for c in pool]
    for _ in range(rng.randint(1, most)):
        piece = rng.choices(pool, weights=weights)[0]
        if piece.id in already:
            continue
        already.add(piece.id)
        kind = UseKind.SHOWN if rng.random() < 0.45 else UseKind.SENT
        out.collateral_uses.append(
            CollateralUse(seeded_id(rng), work.lead.id, piece.id, kind, work.later(rng, 24 * 7))
        )


def _verdict(rng: random.Random, work: _Lead, out: DemoActivity) -> None:
    kind = _VERDICT.get(work.lead.lead_status)
    if kind is None:
        return
    reason = rng.choice(talk.REASONS[kind])
    out.dispositions.append(
        Disposition(seeded_id(rng), work.lead.id, kind, work.later(rng, 24 * 14), reason)
    )
