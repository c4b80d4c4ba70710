"""The lead list: id-backed model, SQL sorting/filtering, debounced search, plain text, refresh."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication, QStyledItemDelegate

from repdesk.domain.changes import Changes
from repdesk.domain.feedback import CallNote
from repdesk.domain.ids import new_id, utcnow
from repdesk.domain.leads import LifecycleStage
from repdesk.gui.context import AppContext
from repdesk.gui.lead_list import model as model_module
from repdesk.gui.lead_list.model import LEAD_ID_ROLE, Column, LeadTableModel
from repdesk.gui.lead_list.view import LeadListView
from repdesk.gui.ops import CollectionOp, QueryOp
from repdesk.store.api import LeadQuery, LeadSort
from repdesk.store.store import Store
from tests.support.lead_data import HOSTILE_NAME, Seeded


def load_all_rows(qtbot: Any, model: LeadTableModel) -> None:
    """Ask for every row (as painting would) and wait until the store has answered."""
    qtbot.waitUntil(lambda: not model.loading)
    for row in range(model.rowCount()):
        model.data(model.index(row, Column.NAME))
    qtbot.waitUntil(
        lambda: (
            not model.loading
            and all(model.cached_row(r) is not None for r in range(model.rowCount()))
        )
    )


def make_list(qtbot: Any, ctx: AppContext) -> LeadListView:
    view = LeadListView(ctx)
    qtbot.addWidget(view)
    view.resize(1200, 600)
    with qtbot.waitSignal(view.model.ids_loaded):
        view.start()
    return view


def column_texts(model: LeadTableModel, column: Column) -> list[str]:
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def test_model_passes_qtmodeltester(qtbot: Any, qtmodeltester: Any, seeded_ctx: AppContext) -> None:
    model = LeadTableModel(seeded_ctx.ops)
    with qtbot.waitSignal(model.ids_loaded):
        model.set_query(LeadQuery())
    load_all_rows(qtbot, model)
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 60


def test_model_holds_ids_and_fetches_only_a_block_around_the_row(
    qtbot: Any,
    seeded_ctx: AppContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(model_module, "BLOCK_SIZE", 8)
    model = LeadTableModel(seeded_ctx.ops)
    with qtbot.waitSignal(model.ids_loaded):
        model.set_query(LeadQuery())
    assert model.rowCount() == 60
    # The id query brings the first screenful's rows along; nothing else is loaded yet.
    assert {r for r in range(60) if model.cached_row(r) is not None} == set(range(8))
    assert model.cached_row(40) is None
    assert model.data(model.index(40, Column.NAME)) == "Loading…"
    with qtbot.waitSignal(model.rows_loaded):
        pass
    cached = {r for r in range(60) if model.cached_row(r) is not None}
    # One block around the requested row (a little before, mostly after), not the list.
    assert cached == set(range(8)) | set(range(38, 46))
    assert model.data(model.index(40, Column.NAME)) != "Loading…"


def test_sorting_by_header_click_runs_in_sql(
    qtbot: Any,
    seeded_ctx: AppContext,
    seeded_leads: Seeded,
) -> None:
    view = make_list(qtbot, seeded_ctx)
    header = view.table.horizontalHeader()
    with qtbot.waitSignal(view.model.ids_loaded):
        header.setSortIndicator(Column.SCORE, Qt.SortOrder.DescendingOrder)
    assert view.model.query.sort == LeadSort.SCORE and view.model.query.descending
    load_all_rows(qtbot, view.model)
    scores = [int(s) for s in column_texts(view.model, Column.SCORE)]
    assert scores[0] == seeded_leads.top_score
    assert scores == sorted(scores, reverse=True)

    with qtbot.waitSignal(view.model.ids_loaded):
        header.setSortIndicator(Column.NAME, Qt.SortOrder.AscendingOrder)
    load_all_rows(qtbot, view.model)
    names = [view.model.cached_row(r).name for r in range(view.model.rowCount())]  # type: ignore[union-attr]
    assert names == sorted(names, key=str.casefold) or names == sorted(names)


def test_unsortable_column_keeps_the_sql_sort(qtbot: Any, seeded_ctx: AppContext) -> None:
    view = make_list(qtbot, seeded_ctx)
    before = view.model.query
    runs = view.model.queries_run
    view.table.horizontalHeader().setSortIndicator(Column.UNSENT, Qt.SortOrder.AscendingOrder)
    assert view.model.query == before and view.model.queries_run == runs
    assert view.table.horizontalHeader().sortIndicatorSection() == Column.LAST_TOUCH


def test_quick_filters_filter_in_sql(
    qtbot: Any,
    seeded_ctx: AppContext,
    rep_store: Store,
) -> None:
    view = make_list(qtbot, seeded_ctx)
    bar = view.filter_bar
    with qtbot.waitSignal(view.model.ids_loaded):
        bar.stage.setCurrentIndex(bar.stage.findData(LifecycleStage.SQL.value))
    expected = rep_store.lead_ids(LeadQuery(stage=LifecycleStage.SQL))
    assert list(view.model.ids) == expected and 0 < len(expected) < 60
    load_all_rows(qtbot, view.model)
    assert set(column_texts(view.model, Column.STAGE)) == {"SQL"}

    with qtbot.waitSignal(view.model.ids_loaded):
        bar.stage.setCurrentIndex(0)
    with qtbot.waitSignal(view.model.ids_loaded):
        bar.readiness.setCurrentIndex(bar.readiness.findData(False))
    not_ready = view.model.rowCount()
    load_all_rows(qtbot, view.model)
    assert all(t.startswith("Not yet") for t in column_texts(view.model, Column.READINESS))
    assert not_ready == len(rep_store.lead_ids(LeadQuery(ready=False)))
    assert "matching" in view.count_label.text()


def test_unsent_filter_and_marker_follow_the_outbox(
    qtbot: Any,
    seeded_ctx: AppContext,
    seeded_leads: Seeded,
) -> None:
    view = make_list(qtbot, seeded_ctx)
    with qtbot.waitSignal(view.model.ids_loaded):
        view.filter_bar.unsent.setChecked(True)
    assert view.model.rowCount() == 0
    assert view.count_label.text() == "No leads match these filters."
    lead_id = seeded_leads.lead_ids[5]
    note = CallNote(new_id(), lead_id, "Left a voicemail", utcnow())
    with qtbot.waitSignal(view.model.ids_loaded):
        CollectionOp(parent=None, op=lambda c: c.store.add_call_note(note)).run_in_background(
            seeded_ctx.ops
        )
    assert list(view.model.ids) == [lead_id]
    load_all_rows(qtbot, view.model)
    assert view.model.data(view.model.index(0, Column.UNSENT)) == "1 unsent"


def test_search_is_debounced_into_one_query(
    qtbot: Any,
    seeded_ctx: AppContext,
    seeded_leads: Seeded,
) -> None:
    view = make_list(qtbot, seeded_ctx)
    runs = view.model.queries_run
    # keyClicks types every character synchronously, far inside the debounce interval.
    with qtbot.waitSignal(view.model.ids_loaded):
        qtbot.keyClicks(view.filter_bar.search, "Hamilt")
    qtbot.waitUntil(lambda: not view.model.loading)
    assert view.model.queries_run == runs + 1, "typing fast must run exactly one query"
    assert view.model.query.search == "Hamilt"
    assert seeded_leads.rich_id in view.model.ids
    load_all_rows(qtbot, view.model)
    assert all(
        "hamilt" in (view.model.cached_row(r).name or "").casefold()  # type: ignore[union-attr]
        for r in range(view.model.rowCount())
    )


def test_hostile_lead_name_is_plain_text(
    qtbot: Any,
    seeded_ctx: AppContext,
    seeded_leads: Seeded,
) -> None:
    view = make_list(qtbot, seeded_ctx)
    load_all_rows(qtbot, view.model)
    row = view.model.row_of(seeded_leads.hostile_id)
    assert row is not None
    index = view.model.index(row, Column.NAME)
    assert view.model.data(index) == HOSTILE_NAME
    assert view.model.data(index, LEAD_ID_ROLE) == seeded_leads.hostile_id
    # The stock delegate draws DisplayRole as literal text (no rich-text delegate here).
    assert type(view.table.itemDelegate()) is QStyledItemDelegate
    # Qt guesses tooltips are HTML when they look like it: what the rep reads must still be
    # the characters themselves.
    tooltip = view.model.data(index, Qt.ItemDataRole.ToolTipRole)
    shown = QTextDocument()
    shown.setHtml(tooltip)
    assert shown.toPlainText().splitlines()[0] == HOSTILE_NAME


def test_refresh_on_lead_changes_keeps_the_selection(
    qtbot: Any,
    seeded_ctx: AppContext,
    seeded_leads: Seeded,
) -> None:
    view = make_list(qtbot, seeded_ctx)
    with qtbot.waitSignal(view.model.ids_loaded):
        view.table.horizontalHeader().setSortIndicator(Column.NAME, Qt.SortOrder.AscendingOrder)
    target = seeded_leads.lead_ids[7]
    assert view.select_lead(target)
    runs = view.model.queries_run
    # A note makes this lead the most recently touched: its row moves, the selection follows.
    note = CallNote(new_id(), target, "Booked the demo", utcnow())
    with qtbot.waitSignal(view.model.ids_loaded):
        CollectionOp(parent=None, op=lambda c: c.store.add_call_note(note)).run_in_background(
            seeded_ctx.ops
        )
    assert view.model.queries_run == runs + 1
    assert view.current_lead_id() == target

    # Changes that do not concern leads do not re-query.
    seeded_ctx.events.emit_changes(Changes(session=True))
    assert view.model.queries_run == runs + 1


def test_a_keystroke_searches_without_waiting_for_a_pause(
    qtbot: Any,
    seeded_ctx: AppContext,
) -> None:
    """The search runs as soon as the key events in hand are handled: no fixed debounce
    (it was 150 ms of every keystroke's wait)."""
    view = make_list(qtbot, seeded_ctx)
    asked: list[LeadQuery] = []
    view.filter_bar.filter_changed.connect(asked.append)
    qtbot.keyClicks(view.filter_bar.search, "Ham")
    QApplication.processEvents()  # one turn of the event loop; no timer is due later
    assert [q.search for q in asked] == ["Ham"]


def test_typing_while_a_search_runs_queues_only_the_newest(
    qtbot: Any,
    seeded_ctx: AppContext,
    seeded_leads: Seeded,
) -> None:
    """While an id query runs, later searches wait for its answer and only the newest
    runs then: the DB lane never holds a backlog of stale searches. The DB lane is held
    by an op that waits on an event, so the searches are asked while one is running."""
    model = LeadTableModel(seeded_ctx.ops)
    with qtbot.waitSignal(model.ids_loaded):
        model.set_query(LeadQuery())
    release = threading.Event()
    QueryOp(parent=None, op=lambda _c: release.wait(10)).run_in_background(seeded_ctx.ops)
    runs = model.queries_run
    for text in ("H", "Ha", "Ham", "Hamilt"):
        model.set_query(LeadQuery(search=text))
    release.set()
    qtbot.waitUntil(lambda: not model.loading and model.query.search == "Hamilt")
    qtbot.waitUntil(lambda: seeded_leads.rich_id in model.ids)
    assert model.queries_run == runs + 2  # "H" (already asked), then "Hamilt"


def test_a_search_shows_its_first_page_before_the_whole_list(
    qtbot: Any,
    seeded_ctx: AppContext,
    rep_store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first screenful (and the count) lands first; the rest of the ids follow in a
    second query. The screenful is lowered to 5 rows so 60 leads need two."""
    monkeypatch.setattr(model_module, "BLOCK_SIZE", 5)
    model = LeadTableModel(seeded_ctx.ops)
    first: list[tuple[int, int, bool]] = []
    model.ids_loaded.connect(
        lambda: first.append((model.rowCount(), len(model.ids), model.complete))
    )
    model.set_query(LeadQuery())
    qtbot.waitUntil(lambda: model.complete)
    assert first[0] == (60, 5, False)
    assert list(model.ids) == rep_store.lead_ids(LeadQuery())
    load_all_rows(qtbot, model)
    assert model.cached_row(59) is not None


def test_stale_answers_are_dropped(qtbot: Any, seeded_ctx: AppContext) -> None:
    model = LeadTableModel(seeded_ctx.ops)
    model.set_query(LeadQuery(search="Hamilton"))
    with qtbot.waitSignal(model.ids_loaded):
        model.set_query(LeadQuery(search="zzzz-nothing"))
    qtbot.waitUntil(lambda: not model.loading)
    assert model.rowCount() == 0
