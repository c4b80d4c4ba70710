"""How lead fields read in the GUI: stage names, readiness and unsent markers."""

from __future__ import annotations

from repdesk.domain.leads import LifecycleStage
from repdesk.gui.text import tr

__all__ = ["readiness_text", "stage_label", "stage_labels", "unsent_text"]


def stage_labels() -> dict[LifecycleStage, str]:
    """Every lifecycle stage with the name a rep knows it by, in funnel order."""
    return {
        LifecycleStage.SUBSCRIBER: tr("stage", "Subscriber"),
        LifecycleStage.LEAD: tr("stage", "Lead"),
        LifecycleStage.MQL: tr("stage", "Marketing qualified"),
        LifecycleStage.SQL: tr("stage", "Sales qualified"),
        LifecycleStage.OPPORTUNITY: tr("stage", "Opportunity"),
        LifecycleStage.CUSTOMER: tr("stage", "Customer"),
        LifecycleStage.EVANGELIST: tr("stage", "Evangelist"),
        LifecycleStage.OTHER: tr("stage", "Other"),
    }


def stage_label(stage: LifecycleStage | str) -> str:
    try:
        return stage_labels()[LifecycleStage(stage)]
    except ValueError:
        return str(stage)


def readiness_text(ready: bool, missing: str) -> str:
    """ "Ready", or "Not yet: Budget, Timeframe" (what the rubric still misses)."""
    if ready:
        return tr("readiness", "Ready")
    if missing:
        return tr("readiness", "Not yet: %1").replace("%1", missing)
    return tr("readiness", "Not yet")


def unsent_text(count: int) -> str:
    """The list's unsent marker: empty when everything reached the hub."""
    if count <= 0:
        return ""
    return tr("unsent", "%n unsent", n=count)
