"""Headless screenshots of the main views (`repdesk --demo --screenshot DIR`), for docs and QA.

Every picture waits for its data through the widgets' own signals and op completion (an
event loop runs while waiting; nothing sleeps), renders without showing a window
(`WA_DontShowOnScreen`), in the light palette and then again in the dark one (the
`NN-dark-*.png` files: every view, same state).

The call console and outbox pictures record a sample call through the rep's own actions:
`render_screenshots` WRITES to `ctx.store`. The app hands it a throwaway copy of the rep's
database (`repdesk.app.launch`), never the rep's own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, Qt, QTimer, SignalInstance
from PySide6.QtWidgets import QApplication, QWidget

from repdesk.gui.context import AppContext
from repdesk.gui.lead_view.view import Tab
from repdesk.gui.ops import OpContext, QueryOp
from repdesk.gui.table_fit import ColumnFitter
from repdesk.gui.theme import apply_palette, is_dark
from repdesk.store.api import LeadQuery, LeadSort

log = logging.getLogger(__name__)

WINDOW_SIZE = (1600, 960)
TIMEOUT_MS = 20_000
#: A safety net re-check while waiting, for state that has no signal of its own.
_RECHECK_MS = 25


class ScreenshotError(RuntimeError):
    """A view did not finish loading in time; the message says which."""


def wait_for(
    what: str,
    ready: Callable[[], bool],
    signals: Sequence[SignalInstance] = (),
    timeout_ms: int = TIMEOUT_MS,
) -> None:
    """Run the event loop until `ready()` holds; re-checked whenever one of `signals` fires."""
    if ready():
        return
    loop = QEventLoop()
    timed_out = False

    def check(*_args: object) -> None:
        if ready():
            loop.quit()

    def expire() -> None:
        nonlocal timed_out
        timed_out = True
        loop.quit()

    for signal in signals:
        signal.connect(check)
    recheck = QTimer()
    recheck.timeout.connect(check)
    recheck.start(_RECHECK_MS)
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(expire)
    deadline.start(timeout_ms)
    try:
        loop.exec()
    finally:
        recheck.stop()
        deadline.stop()
        for signal in signals:
            signal.disconnect(check)
    if timed_out and not ready():
        raise ScreenshotError(f"timed out waiting for {what}")


def _settle(ctx: AppContext) -> None:
    """Wait until no op is queued or running, then let layouts and paints run."""
    wait_for("background work", lambda: ctx.ops.idle, [ctx.ops.busy_changed])
    QApplication.processEvents()


@dataclass(frozen=True, slots=True)
class _Pick:
    lead_id: str | None


def _pick_showcase_lead(c: OpContext) -> _Pick:
    """The lead with the richest history among the top-scored ones: the best picture."""
    store = c.store
    candidates = store.lead_ids(LeadQuery(sort=LeadSort.SCORE, descending=True))[:40]
    best, best_size = None, -1
    for lead_id in candidates:
        size = len(store.timeline(lead_id)) + 5 * len(store.objections(lead_id))
        if store.collateral_for_lead(lead_id):
            size += 20
        if size > best_size:
            best, best_size = lead_id, size
    return _Pick(best)


def _offscreen(widget: QWidget, size: tuple[int, int]) -> None:
    widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    widget.resize(*size)
    widget.show()


#: Each light picture and its dark twin.
DARK_NAMES = {
    "01-lead-list.png": "07-dark-lead-list.png",
    "02-lead-timeline.png": "08-dark-lead-timeline.png",
    "03-lead-qualification.png": "09-dark-lead-qualification.png",
    "04-call-console.png": "10-dark-call-console.png",
    "05-collateral-preview.png": "11-dark-collateral-preview.png",
    "06-outbox.png": "12-dark-outbox.png",
}


def _save_both(widget: QWidget, path: Path, dark: list[Path]) -> Path:
    """Save `widget` in the light palette to `path`, then its dark twin (added to `dark`)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    written = _save(widget, path)
    apply_palette(app, True)
    try:
        dark.append(_save(widget, path.with_name(DARK_NAMES[path.name])))
    finally:
        apply_palette(app, False)
    return written


def _save(widget: QWidget, path: Path) -> Path:
    # Widgets added by the last signal (preview pages) are laid out by posted events:
    # deliver them, then let the paints they cause run.
    for _round in range(3):
        QApplication.sendPostedEvents()
        QApplication.processEvents()
        # Tables fit their columns a moment after a resize: do it now, not after the picture.
        for fitter in widget.findChildren(ColumnFitter):
            fitter.flush()
    if not widget.grab().save(str(path), "PNG"):
        raise ScreenshotError(f"could not write {path}")
    log.info("screenshot %s", path)
    return path


def render_screenshots(ctx: AppContext, out_dir: Path) -> list[Path]:
    """Render the main views into PNG files in `out_dir`; returns the files written."""
    from repdesk.gui.main_window import MainWindow

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        raise ScreenshotError("render_screenshots needs a QApplication")
    was_dark = is_dark()
    apply_palette(app, False)
    written: list[Path] = []
    dark: list[Path] = []
    window = MainWindow(ctx)
    try:
        _offscreen(window, WINDOW_SIZE)
        window.show_leads()  # the app opens on Today (13-today.png); these show All leads
        model = window.lead_list.model
        wait_for("the lead list", lambda: not model.loading, [model.ids_loaded])

        picked: list[_Pick] = []
        QueryOp(parent=None, op=_pick_showcase_lead, success=picked.append).run_in_background(
            ctx.ops
        )
        wait_for("a lead to show", lambda: bool(picked), [ctx.ops.busy_changed])
        lead_id = picked[0].lead_id
        view = window.lead_view
        if lead_id is not None:
            window.lead_list.select_lead(lead_id)
            view.show_lead(lead_id)
            wait_for(
                "the lead view",
                lambda: view.detail is not None and view.detail.lead.id == lead_id,
                [view.loaded],
            )
        _wait_rows(window)
        _settle(ctx)
        written.append(_save_both(window, out_dir / "01-lead-list.png", dark))

        view.tabs.setCurrentIndex(Tab.TIMELINE)
        _settle(ctx)
        written.append(_save_both(window, out_dir / "02-lead-timeline.png", dark))

        view.tabs.setCurrentIndex(Tab.QUALIFICATION)
        _settle(ctx)
        written.append(_save_both(window, out_dir / "03-lead-qualification.png", dark))

        if lead_id is not None:
            written.append(_call_shot(ctx, lead_id, out_dir / "04-call-console.png", dark))
        written.append(_collateral_shot(ctx, out_dir / "05-collateral-preview.png", dark))

        view.tabs.setCurrentIndex(Tab.BRIEF)
        window.show_outbox()
        outbox: Any = window.outbox
        window.resizeDocks([window.outbox_dock], [300], Qt.Orientation.Vertical)
        read: list[bool] = []
        outbox.loaded.connect(lambda: read.append(True))
        outbox.refresh()
        wait_for("the outbox", lambda: bool(read), [outbox.loaded])
        _settle(ctx)
        _select_latest_unsent(outbox)
        written.append(_save_both(window, out_dir / "06-outbox.png", dark))
        window.outbox_dock.hide()
        written.extend(_day_shots(ctx, window, out_dir))
    finally:
        window.save_layout = lambda: None  # type: ignore[method-assign]  # keep the rep's layout
        window.close()
        window.deleteLater()
        apply_palette(app, was_dark)
    return written + dark


def _day_shots(ctx: AppContext, window: Any, out_dir: Path) -> list[Path]:
    """13-today.png and 14-followup-reminder.png (`repdesk.gui.day_screenshots`)."""
    from repdesk.gui.day_screenshots import render_day

    return render_day(ctx, window, out_dir, save=_save, settle=_settle, wait_for=wait_for)


def _select_latest_unsent(outbox: Any) -> None:
    """Show the detail pane with something in it: the newest change still waiting."""
    model = outbox.model
    for row in reversed(range(model.rowCount())):
        entry = model.row_at(row)
        if entry is not None and entry.item.state.value != "applied":
            outbox.select(entry.item.id)
            outbox.table.scrollTo(model.index(row, 0))
            return


_SCREENFUL = 100
"""More rows than any lead table shows at once."""


def _wait_rows(window: Any) -> None:
    """Until every row the lead table shows has its data (not "Loading…")."""
    table = window.lead_list.table
    model = window.lead_list.model

    def visible_loaded() -> bool:
        top = max(0, table.rowAt(0))
        bottom = table.rowAt(table.viewport().height() - 1)
        if bottom < 0:  # the rows end above the bottom edge, or the table is not laid out
            bottom = min(model.rowCount(), top + _SCREENFUL) - 1
        for row in range(top, bottom + 1):
            model.data(model.index(row, 0))
            if model.cached_row(row) is None:
                return False
        return True

    wait_for("the lead rows", visible_loaded, [model.rows_loaded])


#: The call recorded for the screenshots: what a rep would type during a real one.
CALL_NOTES = (
    "Spoke with {first}; good call.\n"
    "- The Friday forecast review takes two analysts most of the day.\n"
    "- Board meets on the 14th; they want a pilot live before the Q3 kick-off.\n"
    "- Asked for the security overview and pricing for 25 seats.\n"
    "Next: send the security PDF, book the technical demo with their IT lead."
)
CALL_WORDS = "The board signs on the 14th, and we want it live before the Q3 kick-off."
CALL_OBJECTION = "25 seats is more than we set aside for this year."


def _call_shot(ctx: AppContext, lead_id: str, path: Path, dark: list[Path]) -> Path:
    """The console during a call, then the call ended: its items wait in the outbox.

    Everything goes through the rep's own actions (typing, a BANT pick, the objection
    form, ending the call), so the outbox shows what a real call leaves behind.
    """
    from repdesk.gui.call_console import CallConsole

    console: Any = CallConsole(ctx, lead_id)
    _offscreen(console, (1000, 680))
    wait_for("the call console", lambda: bool(console.is_loaded))
    _settle(ctx)
    try:
        _record_call(ctx, console)
        shot = _save_both(console, path, dark)
        _end_call(ctx, console)
        return shot
    finally:
        if not console.ended:
            console.ended = True  # a failed screenshot is not a call: close without asking
            console.close()


def _record_call(ctx: AppContext, console: Any) -> None:
    from repdesk.domain.feedback import Severity
    from repdesk.domain.qualification import BantDimension

    lead = console.lead
    first = lead.first_name if lead is not None and lead.first_name else "them"
    console.notes.insertPlainText(CALL_NOTES.format(first=first))

    card = console.cards[BantDimension.TIMEFRAME]
    scale = card.rubric_dimension
    value = card.answer.value if card.answer is not None else None
    if value is None and scale is not None and scale.options:
        value = next((o.code for o in scale.options if o.qualifies), scale.options[0].code)
    if value is not None:
        card.verbatim.setText(CALL_WORDS)
        card.pick(value)
    _settle(ctx)

    # Rendered again on the same demo data, the call does not pile up the same objection.
    repeat = CALL_OBJECTION in console.objection_list.text()
    dialog = None if repeat else console.objection_dialog()
    if dialog is not None:
        saved: list[object] = []
        dialog.saved.connect(saved.append)
        wait_for("the objection form", dialog.category.isEnabled)
        codes = [dialog.category.itemData(i) for i in range(dialog.category.count())]
        wanted = next((c for c in codes if c and "price" in str(c)), None)
        wanted = wanted or next((c for c in codes if c), None)
        if wanted is not None:
            dialog.category.setCurrentIndex(dialog.category.findData(wanted))
            dialog.verbatim.setPlainText(CALL_OBJECTION)
            dialog.severity.setCurrentIndex(dialog.severity.findData(int(Severity.MEDIUM)))
            dialog.save()
            wait_for("the objection to be saved", lambda: bool(saved), [dialog.saved])
        else:
            dialog.close()
    _settle(ctx)


def _end_call(ctx: AppContext, console: Any) -> None:
    from repdesk.domain.feedback import Disposition, DispositionKind
    from repdesk.domain.ids import new_id, utcnow
    from repdesk.gui.disposition_dialog import Decision

    ended: list[object] = []
    console.call_ended.connect(ended.append)
    accept = Disposition(new_id(), console.lead_id, DispositionKind.ACCEPT, utcnow())
    console.finish(Decision("connected", accept))
    wait_for("the call to be saved", lambda: bool(ended), [console.call_ended])
    _settle(ctx)


def _collateral_shot(ctx: AppContext, path: Path, dark: list[Path]) -> Path:
    from repdesk.gui.collateral_library import CollateralLibrary

    library = CollateralLibrary(ctx)
    try:
        read: list[bool] = []
        library.loaded.connect(lambda: read.append(True))
        _offscreen(library, (1280, 760))
        library.refresh()
        # Loaded, empty or not: a hub with no collateral still gets its picture.
        wait_for("the collateral library", lambda: bool(read), [library.loaded])
        rows = [library.model.row_at(n) for n in range(library.model.rowCount())]
        ready = next((r for r in rows if r is not None and r.path is not None), None)
        if ready is not None:
            library.select(ready.collateral.id)
            preview: Any = library.preview
            wait_for(
                "the collateral preview",
                lambda: preview.rendered_pages() > 0 or bool(preview.message()),
                [preview.rendered, preview.failed],
            )
        _settle(ctx)
        return _save_both(library, path, dark)
    finally:
        library.close()
        library.deleteLater()
