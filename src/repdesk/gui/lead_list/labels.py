"""How lead fields read in the GUI: stage names, readiness and unsent markers."""

from __future__ import annotations

import functools

from repdesk.domain.leads import LifecycleStage
from repdesk.gui.text import tr

__all__ = [
    "plural",
    "readiness_text",
    "short_stage_label",
    "stage_label",
    "stage_labels",
    "unsent_text",
]


def plural(context: str, n: int, one: str, many: str) -> str:
    """`one` or `many` (each holding "%n") translated, with `n` grouped: "1 lead", "12,034 leads".

    English needs no translator for plurals this way; a translation can still give both.
    """
    return tr(context, one if n == 1 else many).replace("%n", f"{n:,}")


@functools.cache  # painted per cell: translate once
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


def short_stage_label(stage: LifecycleStage | str) -> str:
    """The list column's compact form: reps say "MQL" and "SQL"."""
    try:
        value = LifecycleStage(stage)
    except ValueError:
        return str(stage)
    if value == LifecycleStage.MQL:
        return tr("stage", "MQL")
    if value == LifecycleStage.SQL:
        return tr("stage", "SQL")
    return stage_label(value)


def stage_label(stage: LifecycleStage | str) -> str:
    try:
        return stage_labels()[LifecycleStage(stage)]
    except ValueError:
        return str(stage)


_MAX_READINESS_CHARS = 26


def readiness_text(ready: bool, missing: str) -> str:
    """ "Ready", or "Not yet: Budget, Timeframe" (what the rubric still misses)."""
    if ready:
        return tr("readiness", "Ready")
    if not missing:
        return tr("readiness", "Not yet")
    words = tr("readiness", "Not yet: %1").replace("%1", missing)
    if len(words) <= _MAX_READINESS_CHARS:
        return words
    # Three or four gaps do not fit a list cell; reps read BANT initials at a glance
    # ("Not yet: B, A, T") and the tooltip spells them out.
    initials = ", ".join(part.strip()[:1].upper() for part in missing.split(",") if part.strip())
    return tr("readiness", "Not yet: %1").replace("%1", initials)


def unsent_text(count: int) -> str:
    """The list's unsent marker: empty when everything reached the hub."""
    if count <= 0:
        return ""
    return plural("unsent", count, "%n unsent", "%n unsent")
