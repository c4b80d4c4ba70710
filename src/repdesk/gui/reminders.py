"""Reminders: a desktop notice when a call-back falls due, offline too.

One single-shot timer aims at the next due time (`store.next_followup_due`); when it fires
(or the clock jumps, or follow-ups change) the store says which follow-ups are due and not
yet reminded of, the rep gets one notice through the app's `Notifier` (tray message, else
the in-window banner), and the store remembers the reminder (`mark_reminded`, local only),
so a restart does not remind again, while a call-back moved to a new time reminds again
then. Clicking the notice opens the lead (or Today, when several fell due at once).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QSystemTrayIcon

from repdesk.domain.changes import Changes
from repdesk.domain.followups import FollowUp
from repdesk.gui.clock import Heartbeat
from repdesk.gui.context import AppContext
from repdesk.gui.ops import CollectionOp, OpContext, QueryOp
from repdesk.gui.text import one_line, tr

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Due:
    followup: FollowUp
    lead_name: str
    company: str

    @property
    def who(self) -> str:
        return f"{self.lead_name} ({self.company})" if self.company else self.lead_name


@dataclass(frozen=True, slots=True)
class DueNow:
    due: list[Due]
    next_at: datetime | None
    now: datetime


def load_due(c: OpContext, now: datetime) -> DueNow:
    store = c.store
    followups = store.followups_to_remind(now)
    rows = {r.id: r for r in store.lead_rows(sorted({f.lead_id for f in followups}))}
    due = [
        Due(f, rows[f.lead_id].name, rows[f.lead_id].company)
        for f in followups
        if f.lead_id in rows
    ]
    return DueNow(due, store.next_followup_due(now), now)


def notice_text(due: list[Due], now: datetime, tz: tzinfo) -> tuple[str, str]:
    """(title, message) of the notice, plain text (the notifier escapes it for the tray)."""
    if len(due) == 1:
        d = due[0]
        title = tr("remind", "Call back %1").replace("%1", d.who)
        what = d.followup.reason or tr("remind", "No note on what for.")
        from repdesk.gui.followup_dialog import when_text  # the dialog: not at start-up

        when = when_text(d.followup.due_at, tz)
        late = d.followup.due_at < now
        prefix = tr("remind", "Was due %1") if late else tr("remind", "Due %1")
        return title, f"{prefix.replace('%1', when)}: {one_line(what, 160)}"
    title = tr("remind", "%n call-backs are due", n=len(due))
    lines = [
        f"{d.who}: {one_line(d.followup.reason, 60)}" if d.followup.reason else d.who
        for d in due[:5]
    ]
    if len(due) > 5:
        lines.append(tr("remind", "and %n more in Today", n=len(due) - 5))
    return title, "\n".join(lines)


class Reminders(QObject):
    """Owned by the main window; `start()` once the window is up."""

    reminded = Signal(object)
    """The `Due` list of a notice just shown (tests and screenshots wait on it)."""

    def __init__(
        self,
        ctx: AppContext,
        notifier: object,
        open_lead: Callable[[str], None],
        open_today: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.notifier = notifier
        self.open_lead = open_lead
        self.open_today = open_today
        self.next_at: datetime | None = None
        """When the timer is aimed at (None: no open follow-up ahead)."""
        self._told: set[tuple[str, datetime]] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.check)
        self._started = False
        # Sleep or a clock change re-aims the timer (the clock says it jumped).
        self._heartbeat = Heartbeat(ctx.clock, self)

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        self.ctx.clock.jumped.connect(self.check)
        self.ctx.events.changed.connect(self._on_changes)
        self.check()

    def stop(self) -> None:
        self._timer.stop()
        self._heartbeat.stop()

    @property
    def timer_interval_ms(self) -> int | None:
        """How long the timer waits, or None when it is not running."""
        return self._timer.interval() if self._timer.isActive() else None

    def _on_changes(self, changes: Changes) -> None:
        if changes.followups or (changes.leads and not changes.lead_ids):
            self.check()

    def check(self) -> None:
        if self.ctx.ops.closed:  # the app is closing
            self._timer.stop()
            return
        now = self.ctx.clock.now()
        QueryOp(parent=self, op=lambda c: load_due(c, now), success=self._loaded).run_in_background(
            self.ctx.ops
        )

    def _loaded(self, result: DueNow) -> None:
        fresh = [d for d in result.due if (d.followup.id, d.followup.due_at) not in self._told]
        if fresh:
            self._remind(fresh, result.now)
        self._aim(result.next_at)

    def _aim(self, next_at: datetime | None) -> None:
        self.next_at = next_at
        if next_at is None:
            self._timer.stop()
            return
        self._timer.start(self.ctx.clock.ms_until(next_at))

    def _remind(self, due: list[Due], now: datetime) -> None:
        self._told.update((d.followup.id, d.followup.due_at) for d in due)
        title, message = notice_text(due, now, self.ctx.clock.tz())
        if len(due) == 1:
            lead_id = due[0].followup.lead_id
            action, click = tr("remind", "Open lead"), lambda: self.open_lead(lead_id)
        else:
            action, click = tr("remind", "Open Today"), self.open_today
        notify = getattr(self.notifier, "notify", None)
        if notify is not None:
            notify(
                title,
                message,
                on_click=click,
                action=action,
                icon=QSystemTrayIcon.MessageIcon.Information,
            )
        ids = [d.followup.id for d in due]
        CollectionOp(parent=self, op=lambda c: c.store.mark_reminded(ids, now)).run_in_background(
            self.ctx.ops
        )
        log.info("reminded of %d call-back(s)", len(due))
        self.reminded.emit(due)


__all__ = ["Due", "DueNow", "Reminders", "load_due", "notice_text"]
