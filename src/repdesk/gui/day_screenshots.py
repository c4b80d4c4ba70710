"""The rep's day in the screenshot set: Today (13) and a call-back reminder (14).

Called by `repdesk.gui.screenshots.render_screenshots` with its main window. Like the call
picture, it works through the rep's own actions: two call-backs are scheduled (one due
later today, one two hours overdue, so its reminder shows), so it writes to `ctx.store`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from repdesk.domain.followups import new_followup
from repdesk.domain.ids import new_id
from repdesk.gui.context import AppContext
from repdesk.gui.followup_ops import schedule_followup
from repdesk.gui.ops import QueryOp
from repdesk.gui.today.model import Column

#: The two call-backs the pictures show: (hours from now, what for).
CALL_BACKS = (
    (-2.0, "Promised the SOC 2 report and a price for 25 seats"),
    (3.0, "Pilot kick-off: confirm the date with their IT lead"),
)


def render_day(
    ctx: AppContext, window: Any, out_dir: Path, *, save: Any, settle: Any, wait_for: Any
) -> list[Path]:
    """13-today.png and 14-followup-reminder.png; returns them in that order."""
    today, reminders = window.today, window.reminders
    window.show_today()
    settle(ctx)
    leads = _leads_for_call_backs(window)
    told: list[object] = []
    reminders.reminded.connect(told.append)
    now = ctx.clock.now()
    found: list[set[str]] = []
    QueryOp(
        parent=None,
        op=lambda c: {f.reason for lead in leads for f in c.store.followups(lead) if f.is_open},
        success=found.append,
    ).run_in_background(ctx.ops)
    wait_for("the call-backs already there", lambda: bool(found), [ctx.ops.busy_changed])
    for lead_id, (hours, what) in zip(leads, CALL_BACKS, strict=False):
        if what in found[0]:
            continue  # rendered again on the same data: the call-backs are there already
        followup = new_followup(new_id(), lead_id, now + timedelta(hours=hours), what, now)
        schedule_followup(parent=window, followup=followup).run_in_background(ctx.ops)
    settle(ctx)
    reminders.check()
    if leads:  # with no lead there is no call-back, so no reminder to wait for
        wait_for("the reminder", lambda: bool(told) or _banner_shown(window), [reminders.reminded])

    def listed() -> bool:
        if not leads:  # no lead, nothing to call: an empty Today is the picture
            return not today.reload_pending
        return (
            not today.reload_pending
            and today.model.row_of(leads[0]) is not None
            and _rows_ready(today)
        )

    wait_for("Today", listed, [today.model.loaded, today.model.rows_loaded])
    if leads:
        row = today.model.row_of(leads[0])
        if row is not None:
            today.select_row(row)
            view = window.lead_view
            view.show_lead(leads[0])
            wait_for(
                "the reminded lead",
                lambda: view.detail is not None and view.detail.lead.id == leads[0],
                [view.loaded],
            )
    settle(ctx)
    reminder = save(window, out_dir / "14-followup-reminder.png")
    banner = window.banner
    if banner is not None:
        banner.dismiss()
    settle(ctx)
    shot = save(window, out_dir / "13-today.png")
    return [shot, reminder]


def _banner_shown(window: Any) -> bool:
    banner = window.banner
    return banner is not None and banner.isVisible()


def _rows_ready(today: Any) -> bool:
    """Today has rows and every one shows its lead (not "Loading…")."""
    model = today.model
    if model.rowCount() == 0:
        return False
    for row in range(model.rowCount()):
        model.data(model.index(row, Column.LEAD))  # asks for rows not fetched yet
        item = model.item(row)
        if item is not None and model.cached_row(item.lead_id) is None:
            return False
    return True


def _leads_for_call_backs(window: Any) -> list[str]:
    """Two leads other than the ones on Today already (they are listed anyway)."""
    listed = {item.lead_id for item in window.today.model.items}
    ids = [i for i in window.lead_list.model.ids if i not in listed]
    return ids[1 : 1 + len(CALL_BACKS)]


__all__ = ["CALL_BACKS", "render_day"]
