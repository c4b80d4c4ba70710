"""The objection and disposition dialogs on their own, against a real Store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QDialogButtonBox

from repdesk.domain.feedback import DispositionKind, ObjectionCategory
from repdesk.domain.outbox import MutationKind
from repdesk.gui.context import AppContext
from repdesk.gui.disposition_dialog import DispositionDialog, ask_disposition
from repdesk.gui.objection_dialog import ObjectionDialog
from repdesk.store import Store
from repdesk.store.api import RemoteUpsert
from tests.support.gui_fixtures import HOSTILE, LEAD_ID


def _save_button(dialog: ObjectionDialog) -> Any:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Save)


def test_objection_dialog_without_a_taxonomy_explains_and_cannot_save(
    qtbot: Any, qapp: Any, tmp_path: Path
) -> None:
    store = Store.open(tmp_path / "empty")
    one_lead_ctx = AppContext.create(store, tmp_path / "empty")
    try:
        dialog = ObjectionDialog(one_lead_ctx, LEAD_ID)
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: dialog.problem.text() != "")
        assert "sync once" in dialog.problem.text()
        assert not dialog.category.isEnabled()
        assert not _save_button(dialog).isEnabled()
        dialog.save()
        qtbot.waitUntil(lambda: one_lead_ctx.ops.idle)
        assert store.objections(LEAD_ID) == []
    finally:
        one_lead_ctx.shutdown()
        store.close()


def test_objection_dialog_shows_hub_text_literally_and_preselects_the_campaign(
    qtbot: Any, one_lead_ctx: AppContext
) -> None:
    one_lead_ctx.store.apply_pull_page(
        [RemoteUpsert("objection_category", "odd", 2, ObjectionCategory("odd", HOSTILE, HOSTILE))],
        "cursor-2",
    )
    dialog = ObjectionDialog(one_lead_ctx, LEAD_ID, campaign_id="camp-1")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.category.isEnabled)
    index = dialog.category.findData("odd")
    assert dialog.category.itemText(index) == HOSTILE
    dialog.category.setCurrentIndex(index)
    assert dialog.description.text() == HOSTILE
    assert dialog.description.textFormat() == Qt.TextFormat.PlainText
    tip = QTextDocument()
    tip.setHtml(dialog.category.itemData(index, Qt.ItemDataRole.ToolTipRole))
    assert tip.toPlainText() == HOSTILE, "Qt would render a raw tooltip as HTML"
    assert dialog.campaign.currentData() == "camp-1"
    saved: list[Any] = []
    dialog.saved.connect(saved.append)
    dialog.verbatim.setPlainText("  too pricey  ")
    _save_button(dialog).click()
    qtbot.waitUntil(lambda: saved != [])
    [stored] = one_lead_ctx.store.objections(LEAD_ID)
    assert (stored.category_code, stored.verbatim, stored.campaign_id) == (
        "odd",
        "too pricey",
        "camp-1",
    )


@pytest.mark.parametrize("kind", ["nurture", "disqualify"])
def test_a_reason_is_required_to_nurture_or_disqualify(qtbot: Any, kind: str) -> None:
    dialog = DispositionDialog(LEAD_ID)
    qtbot.addWidget(dialog)
    getattr(dialog, kind).setChecked(True)
    for blank in ("", "   ", "\t"):
        dialog.reason.setText(blank)
        assert not dialog.ok_button.isEnabled()
        assert dialog.decision() is None
        assert "reason is required" in dialog.hint.text()
    dialog.reason.setText("no budget until Q3")
    assert dialog.ok_button.isEnabled() and dialog.hint.text() == ""
    decision = dialog.decision()
    assert decision is not None and decision.disposition is not None
    assert decision.disposition.reason == "no budget until Q3"
    assert decision.outcome == "", "no outcome step outside a call"


def test_accept_needs_no_reason_and_undecided_is_only_offered_in_a_call(qtbot: Any) -> None:
    plain = DispositionDialog(LEAD_ID)
    qtbot.addWidget(plain)
    assert plain.accept_radio.isChecked() and plain.undecided.isHidden()
    decision = plain.decision()
    assert decision is not None and decision.disposition is not None
    assert decision.disposition.kind is DispositionKind.ACCEPT

    in_call = DispositionDialog(LEAD_ID, with_outcome=True, lead_name=HOSTILE)
    qtbot.addWidget(in_call)
    assert in_call.undecided.isChecked()
    decision = in_call.decision()
    assert decision is not None and decision.disposition is None
    assert decision.outcome == "connected"


def test_ask_disposition_saves_with_its_outbox_row(qtbot: Any, one_lead_ctx: AppContext) -> None:
    saved: list[Any] = []
    dialog = ask_disposition(one_lead_ctx, LEAD_ID, on_saved=saved.append)
    dialog.disqualify.setChecked(True)
    dialog.reason.setText("Student project, no company")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: saved != [])
    stored = one_lead_ctx.store.disposition(LEAD_ID)
    assert stored is not None and stored.kind is DispositionKind.DISQUALIFY
    assert [i.kind for i in one_lead_ctx.store.outbox()] == [MutationKind.DISPOSITION_SET]
