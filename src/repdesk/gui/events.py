"""`AppEvents`: the one place views learn that data or connectivity changed."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from repdesk.domain.changes import Changes


class AppEvents(QObject):
    """Re-emits what happened on the GUI thread; each view decides whether to refresh.

    No view refreshes another by hand: a write op's `Changes` arrive on `changed`
    (see `repdesk.gui.ops.CollectionOp`), and each view checks the flags it cares about,
    e.g. ``if changes.feedback and (not changes.lead_ids or my_id in changes.lead_ids)``.
    """

    changed = Signal(object)
    """A `repdesk.domain.Changes` that is never empty."""
    online_changed = Signal(bool)
    """True when the hub is reachable, False when the app works offline."""

    def emit_changes(self, changes: Changes) -> None:
        if not changes.empty:
            self.changed.emit(changes)


def touches_lead(changes: Changes, lead_id: str) -> bool:
    """True when `changes` may concern `lead_id` (an empty id set means "possibly all")."""
    return not changes.lead_ids or lead_id in changes.lead_ids
