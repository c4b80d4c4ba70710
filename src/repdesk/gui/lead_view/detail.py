"""Everything the lead view shows about one lead, read in one DB op and built off the GUI thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from repdesk.domain.brief import CallBrief, build_call_brief
from repdesk.domain.feedback import (
    CallNote,
    CollateralUse,
    Disposition,
    Objection,
    ObjectionCategory,
)
from repdesk.domain.followups import FollowUp
from repdesk.domain.ids import utcnow
from repdesk.domain.leads import Campaign, Collateral, Lead
from repdesk.domain.qualification import Bant, BantAnswer, Rubric, RubricResult
from repdesk.domain.rubric import evaluate
from repdesk.domain.speed_to_lead import FirstCallDue, first_call_due
from repdesk.store.api import StoreApi, TimelineEntry


@dataclass(frozen=True, slots=True)
class LeadDetail:
    lead: Lead
    bant: Bant
    rubric: Rubric | None
    readiness: RubricResult | None
    """None while marketing has published no rubric."""
    bant_history: tuple[BantAnswer, ...]
    timeline: tuple[TimelineEntry, ...]
    notes: tuple[CallNote, ...]
    objections: tuple[Objection, ...]
    disposition: Disposition | None
    collateral: tuple[Collateral, ...]
    uses: tuple[CollateralUse, ...]
    campaigns: tuple[Campaign, ...]
    categories: tuple[ObjectionCategory, ...]
    brief: CallBrief
    first_call: FirstCallDue | None = None
    """The speed-to-lead countdown while the first call is still to make."""
    followups: tuple[FollowUp, ...] = ()
    """The rep's call-backs for this lead, open ones first."""

    def campaign_name(self, campaign_id: str | None) -> str:
        return next((c.name for c in self.campaigns if c.id == campaign_id), "")

    def category_label(self, code: str) -> str:
        folded = code.casefold()
        return next((c.label for c in self.categories if c.code.casefold() == folded), code)


def load_detail(store: StoreApi, lead_id: str, now: datetime | None = None) -> LeadDetail | None:
    """Read one lead's whole picture (run on the DB lane); None when the lead is gone."""
    lead = store.lead(lead_id)
    if lead is None:
        return None
    bant = store.bant(lead_id)
    rubric = store.rubric()
    events = store.events(lead_id)
    notes = store.notes(lead_id)
    objections = store.objections(lead_id)
    collateral = store.collateral_for_lead(lead_id)
    uses = store.collateral_uses(lead_id)
    campaigns = store.campaigns()
    categories = store.objection_categories()
    disposition = store.disposition(lead_id)
    brief = build_call_brief(
        lead,
        events,
        bant,
        rubric,
        objections,
        notes,
        collateral,
        now or utcnow(),
        campaigns=campaigns,
        categories=categories,
        uses=uses,
    )
    return LeadDetail(
        lead=lead,
        bant=bant,
        rubric=rubric,
        readiness=evaluate(rubric, bant) if rubric is not None else None,
        bant_history=tuple(store.bant_history(lead_id)),
        timeline=tuple(store.timeline(lead_id)),
        notes=tuple(notes),
        objections=tuple(objections),
        disposition=disposition,
        collateral=tuple(collateral),
        uses=tuple(uses),
        campaigns=tuple(campaigns),
        categories=tuple(categories),
        brief=brief,
        first_call=first_call_due(lead, store.sla_hours(), notes, disposition),
        followups=tuple(store.followups(lead_id)),
    )
