"""Recording collateral use from the library: any file, any lead, picked by typing.

A real Store (full-text search, outbox) and the real library and picker widgets, driven
by the keyboard the way a rep would: type part of a name, arrows, Enter.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QApplication

from repdesk.domain.changes import Changes
from repdesk.domain.feedback import UseKind
from repdesk.domain.leads import Collateral
from repdesk.domain.outbox import MutationKind
from repdesk.store.api import TimelineKind
from tests.gui.test_collateral_library import (
    _library,
)
from tests.gui.test_offline_flow_support import (
    grab,
    grab_light_and_dark,
    lead,
    seed_leads,
)

HOSTILE = "<b>Bobby</b><img src=x>"


def _seed(rep_store: Any) -> dict[str, Any]:
    people = {
        "ada": lead("Ada Lovelace", "Analytical Engines"),
        "grace": lead("Grace Hopper", "Navy Compilers"),
        "alan": lead("Alan Turing", "Bletchley Ltd"),
        "hostile": lead(f"{HOSTILE} Tables", "Little <i>Bobby</i> Inc"),
    }
    seed_leads(rep_store, *people.values())
    return people


def _open_picker(qtbot: Any, library: Any) -> Any:
    assert library.send_button.isEnabled()
    library.send_button.click()
    dialog = library.use_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: not dialog.loading and dialog.result_count() > 0)
    return dialog


def test_pick_a_lead_by_typing_and_record_sent(
    qtbot: Any,
    qapp: Any,
    app_ctx: Any,
    rep_store: Any,
    library_items: dict[str, Collateral],
) -> None:
    people = _seed(rep_store)
    library = _library(qtbot, app_ctx)
    item = library_items["remote"]  # not downloaded, no campaign of Ada's: still recordable
    library.select(item.id)
    dialog = _open_picker(qtbot, library)
    assert QApplication.focusWidget() is dialog.search_edit, "the rep types at once"
    assert dialog.kind() == UseKind.SENT

    qtbot.keyClicks(dialog.search_edit, "lovel")
    qtbot.waitUntil(lambda: not dialog.loading and dialog.result_ids() == [people["ada"].id])
    assert dialog.selected_lead_id() == people["ada"].id, "the first match is picked"
    grab_light_and_dark(dialog, "collateral-to-lead-picker")
    with qtbot.waitSignal(library.use_recorded) as recorded:
        qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Return)
    use = recorded.args[0]
    assert (use.lead_id, use.collateral_id, use.kind) == (people["ada"].id, item.id, UseKind.SENT)
    qtbot.waitUntil(lambda: library.use_dialog is None)

    outbox = rep_store.pending_mutations(100)
    assert len(outbox) == 1
    (queued,) = outbox
    assert queued.kind == MutationKind.COLLATERAL_USED
    assert queued.lead_id == people["ada"].id
    assert queued.payload == {"collateral_id": item.id, "kind": "sent"}
    timeline = rep_store.timeline(people["ada"].id)
    assert [e.kind for e in timeline] == [TimelineKind.COLLATERAL_USE]
    assert "Ada Lovelace" in library.use_label.text()
    grab_light_and_dark(library, "collateral-to-lead-recorded", QSize(1000, 600))


def test_arrows_choose_among_matches_and_shown_is_a_keystroke_away(
    qtbot: Any,
    app_ctx: Any,
    rep_store: Any,
    library_items: dict[str, Collateral],
) -> None:
    people = _seed(rep_store)
    library = _library(qtbot, app_ctx)
    library.select(library_items["four"].id)
    dialog = _open_picker(qtbot, library)
    qtbot.keyClicks(dialog.search_edit, "a")  # Ada, Alan, Analytical...: several matches
    qtbot.waitUntil(lambda: not dialog.loading and len(dialog.result_ids()) >= 2)
    ids = dialog.result_ids()
    assert dialog.selected_lead_id() == ids[0]
    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Down)
    assert dialog.search_edit.hasFocus(), "arrows move the pick, typing goes on"
    assert dialog.selected_lead_id() == ids[1]
    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Up)
    assert dialog.selected_lead_id() == ids[0]
    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.kind() == UseKind.SHOWN)  # a mnemonic animates its click
    assert dialog.selected_lead_id() == ids[1]
    with qtbot.waitSignal(library.use_recorded) as recorded:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert recorded.args[0].lead_id == ids[1]
    assert recorded.args[0].kind == UseKind.SHOWN
    assert [m.lead_id for m in rep_store.pending_mutations(100)] == [ids[1]]
    assert set(ids) <= {p.id for p in people.values()}


def test_enter_while_the_matches_are_on_their_way_picks_from_the_new_ones(
    qtbot: Any,
    app_ctx: Any,
    rep_store: Any,
    library_items: dict[str, Collateral],
) -> None:
    people = _seed(rep_store)
    library = _library(qtbot, app_ctx)
    library.select(library_items["four"].id)
    dialog = _open_picker(qtbot, library)
    with qtbot.waitSignal(library.use_recorded) as recorded:
        qtbot.keyClicks(dialog.search_edit, "hopper")
        qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Return)  # before the search ran
    assert recorded.args[0].lead_id == people["grace"].id


def test_no_match_records_nothing_and_prospect_text_stays_plain(
    qtbot: Any,
    app_ctx: Any,
    rep_store: Any,
    library_items: dict[str, Collateral],
) -> None:
    people = _seed(rep_store)
    library = _library(qtbot, app_ctx)
    library.select(library_items["minimal"].id)  # titled "One-pager <b>bold</b>"
    dialog = _open_picker(qtbot, library)
    assert "One-pager <b>bold</b>" in dialog.title_label.text()
    assert dialog.title_label.textFormat() == Qt.TextFormat.PlainText

    qtbot.keyClicks(dialog.search_edit, "bobby")
    qtbot.waitUntil(lambda: not dialog.loading and dialog.result_ids() == [people["hostile"].id])
    shown = dialog.result_texts()[0]
    assert HOSTILE in shown and "Little <i>Bobby</i> Inc" in shown
    grab(dialog, "collateral-to-lead-hostile")

    dialog.search_edit.clear()
    qtbot.keyClicks(dialog.search_edit, "zzzz")
    qtbot.waitUntil(lambda: not dialog.loading and dialog.result_count() == 0)
    assert not dialog.record_button.isEnabled()
    assert "No lead matches" in dialog.empty_label.text()
    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Return)
    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: library.use_dialog is None)
    qtbot.waitUntil(lambda: app_ctx.ops.idle)
    assert rep_store.pending_mutations(100) == []


def test_the_button_needs_a_file(
    qtbot: Any,
    app_ctx: Any,
    rep_store: Any,
    library_items: dict[str, Collateral],
) -> None:
    library = _library(qtbot, app_ctx)
    library.table.clearSelection()
    library.table.setCurrentIndex(library.model.index(-1, -1))
    assert not library.send_button.isEnabled()
    app_ctx.events.emit_changes(Changes(collateral=True))
