"""The lead view: header, brief (PDF), timeline by day, BANT editing, collateral, feedback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from PySide6.QtCore import QModelIndex, Qt

from repdesk.domain.feedback import UseKind
from repdesk.domain.ids import ensure_utc
from repdesk.domain.qualification import BantDimension, Confidence
from repdesk.gui.context import AppContext
from repdesk.gui.lead_view.timeline_model import ENTRY_ROLE, TimelineModel
from repdesk.gui.lead_view.view import LeadView, Tab
from repdesk.store.api import TimelineKind
from repdesk.store.store import Store
from tests.support.lead_data import HOSTILE_NAME, Seeded


def open_lead(qtbot: Any, ctx: AppContext, lead_id: str) -> LeadView:
    view = LeadView(ctx)
    qtbot.addWidget(view)
    view.resize(1100, 760)
    with qtbot.waitSignal(view.loaded):
        view.show_lead(lead_id)
    return view


def test_header_shows_who_and_readiness_gaps(
    qtbot: Any,
    seeded_ctx: AppContext,
    seeded_leads: Seeded,
) -> None:
    view = open_lead(qtbot, seeded_ctx, seeded_leads.rich_id)
    header = view.header
    assert header.name.text() == "Margaret Hamilton"
    assert header.role.text() == "VP Operations · Northwind Logistics"
    assert header.stage.text() == "Sales qualified"
    assert header.score.text().startswith("87")
    # Budget, Authority and Need qualify; only Timeframe is unanswered: 3 of 4 is ready.
    assert header.readiness.text() == "Sales-ready"


def test_hostile_text_is_shown_literally(
    qtbot: Any,
    seeded_ctx: AppContext,
    seeded_leads: Seeded,
) -> None:
    view = open_lead(qtbot, seeded_ctx, seeded_leads.hostile_id)
    assert view.header.name.text() == HOSTILE_NAME
    assert view.header.name.textFormat() == Qt.TextFormat.PlainText
    assert HOSTILE_NAME in view.brief.view.toPlainText()
    assert view.header.readiness.text().startswith("Not yet: ")


def test_timeline_model_passes_qtmodeltester(
    qtbot: Any,
    qtmodeltester: Any,
    seeded_ctx: AppContext,
    rep_store: Store,
    seeded_leads: Seeded,
) -> None:
    model = TimelineModel()
    model.set_entries(rep_store.timeline(seeded_leads.rich_id))
    qtmodeltester.check(model, force_py=True)
    model.set_filter(lambda e: e.kind == TimelineKind.OBJECTION)
    qtmodeltester.check(model, force_py=True)


def test_record_models_pass_qtmodeltester(
    qtbot: Any,
    qtmodeltester: Any,
    seeded_ctx: AppContext,
    seeded_leads: Seeded,
) -> None:
    view = open_lead(qtbot, seeded_ctx, seeded_leads.rich_id)
    qtbot.waitUntil(lambda: view.collateral.model.rowCount() > 0)
    for model in (view.qualification.history, view.collateral.model, view.feedback.objections):
        assert model.rowCount() > 0
        # The tester disconnects from the model after qtbot closed the view: keep it alive.
        model.setParent(None)  # type: ignore[call-overload]
        qtmodeltester.check(model, force_py=True)


def test_timeline_is_grouped_by_day_and_filterable(
    qtbot: Any,
    seeded_ctx: AppContext,
    rep_store: Store,
    seeded_leads: Seeded,
) -> None:
    view = open_lead(qtbot, seeded_ctx, seeded_leads.rich_id)
    view.tabs.setCurrentIndex(Tab.TIMELINE)
    model = view.timeline.model
    entries = rep_store.timeline(seeded_leads.rich_id)
    days = {ensure_utc(e.at).astimezone().date() for e in entries}
    assert model.rowCount() == len(days)
    shown = 0
    previous_day = None
    for row in range(model.rowCount()):
        day = model.day_of_row(row)
        assert previous_day is None or day < previous_day, "days newest first"
        previous_day = day
        parent = model.index(row, 0)
        for child in range(model.rowCount(parent)):
            entry = model.index(child, 0, parent).data(ENTRY_ROLE)
            assert ensure_utc(entry.at).astimezone().date() == day
            shown += 1
    assert shown == len(entries)
    assert view.timeline.tree.isFirstColumnSpanned(0, QModelIndex())

    assert view.timeline.set_filter_key("kind:objection")
    objections = model.entries()
    assert len(objections) == 4
    assert all(e.kind == TimelineKind.OBJECTION for e in objections)
    assert view.timeline.summary.text() == f"4 of {len(entries)} entries"

    assert view.timeline.set_filter_key("event:webinar_attended")
    assert model.entries() and all(e.event_type == "webinar_attended" for e in model.entries())
    assert view.timeline.set_filter_key("")
    assert len(model.entries()) == len(entries)


def test_brief_exports_a_real_pdf(
    qtbot: Any,
    seeded_ctx: AppContext,
    seeded_leads: Seeded,
    tmp_path: Path,
) -> None:
    view = open_lead(qtbot, seeded_ctx, seeded_leads.rich_id)
    text = view.brief.view.toPlainText()
    assert "Call brief: Margaret Hamilton" in text
    assert "Talking points" in text and "Open objections" in text
    out = view.brief.export_to(tmp_path / "exports" / "brief.pdf")
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    assert len(data) > 5_000
    pdf = pdfium.PdfDocument(str(out))
    try:
        page_text = pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()
    assert "Margaret Hamilton" in page_text
    assert "Talking points" in page_text
    assert not list(out.parent.glob(".*.pdf")), "no temporary file left behind"


def test_bant_edit_goes_through_update_bant(
    qtbot: Any,
    seeded_ctx: AppContext,
    rep_store: Store,
    seeded_leads: Seeded,
) -> None:
    view = open_lead(qtbot, seeded_ctx, seeded_leads.rich_id)
    tab = view.qualification
    before = len(rep_store.bant_history(seeded_leads.rich_id))
    assert not tab.save_button.isEnabled()
    tab.set_answer(
        BantDimension.TIMEFRAME, "this_quarter", "Before the April go-live", Confidence.HIGH
    )
    assert list(tab.pending_answers()) == [BantDimension.TIMEFRAME]
    assert tab.save_button.isEnabled()
    with qtbot.waitSignal(view.loaded):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    saved = rep_store.bant(seeded_leads.rich_id).timeframe
    assert saved is not None and saved.value == "this_quarter"
    assert saved.verbatim == "Before the April go-live"
    assert len(rep_store.bant_history(seeded_leads.rich_id)) == before + 1
    assert tab.history.rowCount() == before + 1
    assert not tab.pending_answers(), "the form now matches the store"
    assert rep_store.outbox_counts().pending >= 1


def test_mark_collateral_as_sent(
    qtbot: Any,
    seeded_ctx: AppContext,
    rep_store: Store,
    seeded_leads: Seeded,
) -> None:
    view = open_lead(qtbot, seeded_ctx, seeded_leads.rich_id)
    tab = view.collateral
    qtbot.waitUntil(lambda: tab.selected_item() is not None and tab.selected_item().checked)  # type: ignore[union-attr]
    item = tab.selected_item()
    assert item is not None and item.path is not None
    qtbot.waitUntil(lambda: tab.preview.rendered_pages() > 0)
    with qtbot.waitSignal(view.loaded):
        qtbot.mouseClick(tab.sent_button, Qt.MouseButton.LeftButton)
    uses = rep_store.collateral_uses(seeded_leads.rich_id)
    assert [(u.collateral_id, u.kind) for u in uses] == [(item.collateral.id, UseKind.SENT)]
    row = next(
        n for n, rec in enumerate(tab.model.records) if rec.collateral.id == item.collateral.id
    )
    assert tab.model.index(row, 4).data().startswith("Sent")
    assert tab.selected_id() == item.collateral.id, "the refresh keeps the selection"


def test_add_objection_through_the_dialog(
    qtbot: Any,
    seeded_ctx: AppContext,
    rep_store: Store,
    seeded_leads: Seeded,
) -> None:
    view = open_lead(qtbot, seeded_ctx, seeded_leads.rich_id)
    view.tabs.setCurrentIndex(Tab.FEEDBACK)
    tab = view.feedback
    assert tab.objections.rowCount() == 4
    dialog: Any = tab.add_objection()
    qtbot.waitUntil(dialog.category.isEnabled)
    dialog.category.setCurrentIndex(dialog.category.findData("competitor"))
    dialog.verbatim.setPlainText("We already use <script>Acme</script>")
    with qtbot.waitSignal(view.loaded):
        dialog.save()
    assert tab.objections.rowCount() == 5
    words = {o.verbatim for o in rep_store.objections(seeded_leads.rich_id)}
    assert "We already use <script>Acme</script>" in words
    assert tab.objections.index(0, 2).data() == "We already use <script>Acme</script>"


def test_disposition_is_shown(
    qtbot: Any,
    seeded_ctx: AppContext,
    seeded_leads: Seeded,
) -> None:
    view = open_lead(qtbot, seeded_ctx, seeded_leads.rich_id)
    assert view.feedback.disposition_label.text().startswith("Accepted as a sales opportunity")
    other = open_lead(qtbot, seeded_ctx, seeded_leads.lead_ids[3])
    assert other.feedback.disposition_label.text() == "No decision yet."


def test_stale_load_is_dropped(
    qtbot: Any,
    seeded_ctx: AppContext,
    seeded_leads: Seeded,
) -> None:
    view = LeadView(seeded_ctx)
    qtbot.addWidget(view)
    shown: list[str] = []
    view.loaded.connect(lambda d: shown.append(d.lead.id))
    view.show_lead(seeded_leads.lead_ids[4])
    with qtbot.waitSignal(view.loaded):
        view.show_lead(seeded_leads.rich_id)
    qtbot.waitUntil(lambda: seeded_ctx.ops.idle)
    assert shown == [seeded_leads.rich_id]


def test_a_long_note_opens_in_a_readable_copyable_pane(
    qtbot: Any,
    seeded_ctx: AppContext,
    rep_store: Store,
    seeded_leads: Seeded,
) -> None:
    """The timeline's tooltip is short; the whole note (plain text, selectable) is read in a
    pane under the timeline when its row is selected."""
    from datetime import UTC, datetime

    from PySide6.QtWidgets import QPlainTextEdit

    from repdesk.domain.feedback import CallNote

    body = "First line <b>not bold</b>\n" + "\n".join(
        f"Point {n}: they asked about SSO and the audit log again." for n in range(200)
    )
    rep_store.add_call_note(CallNote("note-long", seeded_leads.rich_id, body, datetime.now(UTC)))
    view = open_lead(qtbot, seeded_ctx, seeded_leads.rich_id)
    view.tabs.setCurrentIndex(Tab.TIMELINE)
    timeline = view.timeline
    assert timeline.set_filter_key("kind:note")
    model = timeline.model
    index = None
    for row in range(model.rowCount()):
        parent = model.index(row, 0)
        for child in range(model.rowCount(parent)):
            candidate = model.index(child, 0, parent)
            if candidate.data(ENTRY_ROLE).ref_id == "note-long":
                index = candidate
    assert index is not None
    title_index = index.siblingAtColumn(2)
    tooltip = title_index.data(Qt.ItemDataRole.ToolTipRole)
    assert len(tooltip) < 700, "a tooltip never fills the screen"

    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    timeline.tree.setCurrentIndex(index)
    reader = timeline.reader
    assert isinstance(reader, QPlainTextEdit), "plain text only: markup shows as typed"
    assert reader.isVisible() and reader.isReadOnly()
    assert reader.toPlainText() == body
    flags = reader.textInteractionFlags()
    assert flags & Qt.TextInteractionFlag.TextSelectableByMouse
    assert flags & Qt.TextInteractionFlag.TextSelectableByKeyboard
    # Enter on the row moves the keyboard into the pane (to scroll, select and copy).
    timeline.tree.activated.emit(index)
    qtbot.waitUntil(reader.hasFocus)
    grab_path = Path(__file__).resolve().parents[2] / "build" / "gui-shots"
    grab_path.mkdir(parents=True, exist_ok=True)
    view.grab().save(str(grab_path / "timeline-note-pane.png"))


def test_clearing_the_view_drops_a_load_still_on_its_way(
    qtbot: Any,
    seeded_ctx: AppContext,
    seeded_leads: Seeded,
) -> None:
    """`show_lead(None)` (the lead was reassigned away, the list emptied) while a load is
    running: the late answer must not put that lead back on a view that was cleared."""
    view = LeadView(seeded_ctx)
    qtbot.addWidget(view)
    view.show_lead(seeded_leads.rich_id)
    view.show_lead(None)  # before the load answered
    qtbot.waitUntil(lambda: bool(seeded_ctx.ops.idle))
    assert view.lead_id is None
    assert view.detail is None, "the cleared view stays cleared"
    assert "Hamilton" not in view.header.name.text()


def test_tabs_are_built_when_first_shown_and_show_the_lead_on_screen(
    qtbot: Any,
    seeded_ctx: AppContext,
    seeded_leads: Seeded,
) -> None:
    """Only the current tab is built with the view (start-up, issue 9); a tab first shown
    after a lead loaded shows that lead, and follows the next lead like the others."""
    from repdesk.gui.lead_view.feedback_tab import FeedbackTab
    from repdesk.gui.lead_view.qualification_tab import QualificationTab

    view = LeadView(seeded_ctx)
    qtbot.addWidget(view)
    view.show()
    page = view.tabs.widget(Tab.FEEDBACK)
    assert page.findChild(FeedbackTab) is None
    assert view.tabs.widget(Tab.QUALIFICATION).findChild(QualificationTab) is None
    with qtbot.waitSignal(view.loaded):
        view.show_lead(seeded_leads.rich_id)
    assert page.findChild(FeedbackTab) is None

    view.tabs.setCurrentIndex(Tab.FEEDBACK)
    built = page.findChild(FeedbackTab)
    assert built is not None and built.isVisible()
    assert built.disposition_label.text().startswith("Accepted as a sales opportunity")
    with qtbot.waitSignal(view.loaded):
        view.show_lead(seeded_leads.lead_ids[3])
    assert built.disposition_label.text() == "No decision yet."
    assert view.feedback is built
