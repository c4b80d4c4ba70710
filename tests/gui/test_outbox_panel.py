"""The outbox panel lists every queued change with its state, and acts on rejected/conflicting ones.

The hub's verdicts are recorded with `store.apply_outcomes` exactly as the sync engine
records them (the hub-backed path is in test_offline_flow.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt

from repdesk.domain.defaults import DEFAULT_RUBRIC
from repdesk.domain.outbox import OutboxState
from repdesk.domain.qualification import BantAnswer, BantDimension
from repdesk.gui.outbox_model import OutboxModel, summary
from repdesk.gui.outbox_panel import OutboxPanel
from repdesk.store.api import FieldConflict, MutationOutcome, RemoteUpsert
from tests.gui.test_offline_flow_support import (
    add_note,
    grab,
    lead,
    seed_leads,
)


def _panel(qtbot: Any, ctx: Any) -> OutboxPanel:
    panel = OutboxPanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(900, 520)
    panel.show()
    return panel


def _settle(qtbot: Any, panel: OutboxPanel) -> None:
    """Wait until every queued op (and the refresh its changes trigger) has been delivered.

    DB ops run and deliver in order, so an idle runner means the newest read is shown; a
    `loaded` signal alone could come from an older refresh still in flight.
    """
    qtbot.waitUntil(lambda: panel.ctx.ops.idle)


def _reload(qtbot: Any, panel: OutboxPanel) -> None:
    panel.refresh()
    _settle(qtbot, panel)


def _state_of(panel: OutboxPanel, mutation_id: str) -> str:
    row = panel.model.row_of(mutation_id)
    return panel.model.data(panel.model.index(row, 0), OutboxModel.STATE_ROLE)


def test_pending_items_are_listed_with_lead_and_summary(
    qtbot: Any, app_ctx: Any, rep_store: Any
) -> None:
    ada = lead("Ada Lovelace")
    seed_leads(rep_store, ada)
    add_note(rep_store, ada.id, "Wants a pilot in Q3")
    panel = _panel(qtbot, app_ctx)
    _reload(qtbot, panel)

    assert panel.model.rowCount() == 1
    cells = [panel.model.index(0, c).data() for c in range(panel.model.columnCount())]
    assert cells[1] == "Ada Lovelace"
    assert cells[2] == "Call note: Wants a pilot in Q3"
    assert cells[3] == "Waiting to send"
    assert "Waiting to send: 1" in panel.summary_label.text()
    assert panel.export_button.isEnabled()


def test_rejected_reason_is_shown_literally_and_retry_requeues(
    qtbot: Any, app_ctx: Any, rep_store: Any
) -> None:
    ada = lead("Ada Lovelace")
    seed_leads(rep_store, ada)
    add_note(rep_store, ada.id, "first")
    item = rep_store.outbox()[0]
    rep_store.apply_outcomes(
        [MutationOutcome(item.id, OutboxState.REJECTED, detail="<b>bad</b> category")]
    )
    panel = _panel(qtbot, app_ctx)
    _reload(qtbot, panel)

    assert panel.select(item.id)
    reason = panel.detail.reason
    assert reason.isVisible()
    assert reason.textFormat() == Qt.TextFormat.PlainText
    assert reason.text() == "The hub said: <b>bad</b> category"
    assert panel.model.index(0, 4).data() == "<b>bad</b> category"
    tooltip = panel.model.index(0, 4).data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip == "<qt>&lt;b&gt;bad&lt;/b&gt; category</qt>", "never taken for HTML"
    assert panel.detail.retry_button.isVisible()
    grab(panel, "outbox-rejected", QSize(900, 420))

    panel.detail.retry_button.click()
    _settle(qtbot, panel)
    assert rep_store.outbox()[0].state is OutboxState.PENDING
    assert _state_of(panel, item.id) == "pending"
    assert not panel.detail.retry_button.isVisible()


def test_conflict_shows_both_values_and_keep_mine_or_take_theirs_resolve_it(
    qtbot: Any, app_ctx: Any, rep_store: Any
) -> None:
    ada, bob = lead("Ada Lovelace"), lead("Bob Babbage")
    seed_leads(rep_store, ada, bob)
    rep_store.apply_pull_page([RemoteUpsert("rubric", "rubric-7", 1, DEFAULT_RUBRIC)], "r-1")
    for who, value in ((ada, "50k EUR"), (bob, "next_year")):
        dim = BantDimension.BUDGET if who is ada else BantDimension.TIMEFRAME
        rep_store.update_bant(who.id, {dim: BantAnswer(dim, value)})
    first, second = rep_store.outbox()
    rep_store.apply_outcomes(
        [
            MutationOutcome(
                first.id,
                OutboxState.CONFLICT,
                server_version=3,
                conflicts=(FieldConflict("budget", "50k EUR", "20k EUR"),),
            ),
            MutationOutcome(
                second.id,
                OutboxState.CONFLICT,
                server_version=3,
                conflicts=(FieldConflict("timeframe", "next_year", "this_quarter"),),
            ),
        ]
    )
    panel = _panel(qtbot, app_ctx)
    _reload(qtbot, panel)
    assert panel.select(first.id)
    texts = [w.text() for w in panel.detail.findChildren(type(panel.detail.reason))]
    assert "Yours: 50k EUR" in texts
    assert "Marketing's: 20k EUR" in texts
    grab(panel, "outbox-conflict", QSize(900, 420))

    (conflict_a,) = [c for c in rep_store.conflicts() if c.mutation_id == first.id]
    panel.detail.conflict_buttons[(conflict_a.id, True)].click()
    _settle(qtbot, panel)
    assert conflict_a.id not in {c.id for c in rep_store.conflicts()}
    assert rep_store.bant(ada.id).budget.value == "50k EUR"

    assert panel.select(second.id)
    texts = [w.text() for w in panel.detail.findChildren(type(panel.detail.reason))]
    assert "Yours: Next year or later" in texts, "BANT codes show as the rubric's labels"
    assert "Marketing's: This quarter" in texts
    shown = panel.model.index(1, 2).data()
    assert shown == "BANT answers: Timeframe: \u2014 \u2192 Next year or later"
    (conflict_b,) = [c for c in rep_store.conflicts() if c.mutation_id == second.id]
    panel.detail.conflict_buttons[(conflict_b.id, False)].click()
    _settle(qtbot, panel)
    assert rep_store.conflicts() == []
    assert rep_store.bant(bob.id).timeframe.value == "this_quarter"


def test_export_writes_unsent_items_to_the_chosen_file(
    qtbot: Any, app_ctx: Any, rep_store: Any, tmp_path: Path
) -> None:
    ada = lead("Ada Lovelace")
    seed_leads(rep_store, ada)
    add_note(rep_store, ada.id, "one")
    add_note(rep_store, ada.id, "two")
    panel = _panel(qtbot, app_ctx)
    _reload(qtbot, panel)
    target = tmp_path / "out" / "unsent.json"
    with qtbot.waitSignal(panel.exported):
        panel.export_to(target)
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["count"] == 2
    assert len(rep_store.outbox()) == 2, "exporting never removes anything from the outbox"


def test_empty_outbox_says_so(qtbot: Any, app_ctx: Any) -> None:
    panel = _panel(qtbot, app_ctx)
    _reload(qtbot, panel)
    assert panel.model.rowCount() == 0
    assert "Nothing queued" in panel.summary_label.text()
    assert not panel.export_button.isEnabled()
    grab(panel, "outbox-empty", QSize(700, 300))


def test_outbox_model_passes_qtmodeltester(
    qtmodeltester: Any, app_ctx: Any, rep_store: Any, qtbot: Any
) -> None:
    ada = lead("Ada Lovelace")
    seed_leads(rep_store, ada)
    for i in range(3):
        add_note(rep_store, ada.id, f"note {i}")
    panel = _panel(qtbot, app_ctx)
    _reload(qtbot, panel)
    qtmodeltester.check(panel.model)
    # The tester stays attached: a refresh that adds and changes rows is checked too.
    add_note(rep_store, ada.id, "one more")
    rep_store.apply_outcomes(
        [MutationOutcome(rep_store.outbox()[0].id, OutboxState.REJECTED, detail="no")]
    )
    _reload(qtbot, panel)
    assert panel.model.rowCount() == 4


def test_summary_of_every_kind_is_plain_one_line_text(rep_store: Any) -> None:
    ada = lead("Ada Lovelace")
    seed_leads(rep_store, ada)
    add_note(rep_store, ada.id, "line one\nline two")
    rep_store.update_bant(ada.id, {BantDimension.NEED: BantAnswer(BantDimension.NEED, "CRM sync")})
    texts = [summary(i) for i in rep_store.outbox()]
    assert texts == ["line one line two", "Need: CRM sync"]


def test_export_button_asks_for_a_file_and_remembers_the_folder(
    qtbot: Any, app_ctx: Any, rep_store: Any, tmp_path: Path
) -> None:
    from repdesk.store import settings as registry

    ada = lead("Ada Lovelace")
    seed_leads(rep_store, ada)
    add_note(rep_store, ada.id, "one")
    panel = _panel(qtbot, app_ctx)
    _reload(qtbot, panel)
    panel.export_button.click()
    dialog = panel.file_dialog
    assert dialog is not None and dialog.isVisible()
    target = tmp_path / "exports" / "mine.json"
    target.parent.mkdir()
    dialog.selectFile(str(target))
    with qtbot.waitSignal(panel.exported) as blocker:
        dialog.accept()
    assert blocker.args == [str(target)]
    assert json.loads(target.read_text(encoding="utf-8"))["count"] == 1
    assert app_ctx.settings.get(registry.LAST_EXPORT_DIR) == str(target.parent)


def test_only_the_most_recent_sent_items_are_listed_but_every_unsent_one_is(
    rep_store: Any,
) -> None:
    from repdesk.gui.outbox_model import load_rows

    ada = lead("Ada Lovelace")
    seed_leads(rep_store, ada)
    for i in range(5):
        add_note(rep_store, ada.id, f"note {i}")
    items = rep_store.outbox()
    rep_store.apply_outcomes(
        [MutationOutcome(i.id, OutboxState.APPLIED, server_version=1) for i in items[1:4]]
    )
    rows = load_rows(rep_store, recent_sent=2)
    shown = [(r.item.payload["body"], r.item.state.value) for r in rows]
    assert shown == [
        ("note 0", "pending"),
        ("note 2", "applied"),
        ("note 3", "applied"),
        ("note 4", "pending"),
    ]


def test_one_answer_is_one_line_with_before_and_after(rep_store: Any) -> None:
    """The pick, their words and the confidence, given one after another on a call, are
    one outbox line saying what the answer was and what it is now."""
    from repdesk.domain.outbox import MutationKind
    from repdesk.domain.qualification import Confidence
    from repdesk.gui.outbox_model import load_rows

    need = BantDimension.NEED
    ada = lead("Ada Lovelace")
    seed_leads(rep_store, ada)
    rep_store.update_bant(ada.id, {need: BantAnswer(need, "nice to have")})
    [first] = rep_store.take_for_push(10)
    rep_store.apply_outcomes([MutationOutcome(first.id, OutboxState.APPLIED, server_version=1)])
    rep_store.update_bant(ada.id, {need: BantAnswer(need, "CRM sync")})
    rep_store.update_bant(ada.id, {need: BantAnswer(need, "CRM sync", verbatim="we retype")})
    rep_store.update_bant(
        ada.id,
        {need: BantAnswer(need, "CRM sync", verbatim="we retype", confidence=Confidence.HIGH)},
    )
    rows = [r for r in load_rows(rep_store) if r.item.kind is MutationKind.QUALIFICATION_UPDATE]
    assert [(r.item.state, r.summary) for r in rows] == [
        (OutboxState.APPLIED, "Need: \u2014 \u2192 nice to have"),
        (OutboxState.PENDING, "Need: nice to have \u2192 CRM sync"),
    ]
