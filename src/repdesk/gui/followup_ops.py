"""Op builders for follow-ups and Today (in the style of Anki's `aqt.operations`).

Each returns a `CollectionOp` ready for `.success(...)` and `.run_in_background(...)`; the
store writes the row and its `followup.set` outbox item in one transaction, and the
`Changes` (followups=True) reach every view through `AppEvents`.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from repdesk.domain.followups import FollowUp, FollowUpAction
from repdesk.gui.ops import CollectionOp


def schedule_followup(*, parent: QObject | None, followup: FollowUp) -> CollectionOp:
    return CollectionOp(
        parent=parent, op=lambda c: c.store.set_followup(followup, FollowUpAction.CREATE)
    )


def change_followup(
    *, parent: QObject | None, followup: FollowUp, action: FollowUpAction
) -> CollectionOp:
    """`followup` as it is after `action` (update, complete or cancel)."""
    return CollectionOp(parent=parent, op=lambda c: c.store.set_followup(followup, action))


def skip_for_today(*, parent: QObject | None, lead_id: str, day: str) -> CollectionOp:
    """Hide a lead from Today until the rep's day `day` is over (this computer only)."""
    return CollectionOp(parent=parent, op=lambda c: c.store.skip_today(lead_id, day))


__all__ = ["change_followup", "schedule_followup", "skip_for_today"]
