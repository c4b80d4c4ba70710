"""`Changes`: what a write touched, so each view decides for itself whether to refresh."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Changes:
    leads: bool = False
    lead_ids: frozenset[str] = field(default_factory=frozenset)
    """Leads whose row or detail changed; empty with leads=True means 'possibly all'."""
    timeline: bool = False
    qualification: bool = False
    feedback: bool = False
    collateral: bool = False
    outbox: bool = False
    reference: bool = False
    """Rubric, objection taxonomy, campaigns or the speed-to-lead SLA."""
    session: bool = False
    """Sign-in state or sync status."""
    followups: bool = False
    """Follow-ups (call-backs) or the Today list changed."""

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            leads=self.leads or other.leads,
            lead_ids=self.lead_ids | other.lead_ids,
            timeline=self.timeline or other.timeline,
            qualification=self.qualification or other.qualification,
            feedback=self.feedback or other.feedback,
            collateral=self.collateral or other.collateral,
            outbox=self.outbox or other.outbox,
            reference=self.reference or other.reference,
            session=self.session or other.session,
            followups=self.followups or other.followups,
        )

    @property
    def empty(self) -> bool:
        return self == Changes()


NO_CHANGES = Changes()

#: What the cached lead data spans (a resync or an erase replaces all of it).
LEAD_DATA = Changes(
    leads=True, timeline=True, qualification=True, feedback=True, collateral=True, reference=True
)
