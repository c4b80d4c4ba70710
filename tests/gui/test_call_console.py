"""The call console, driven only from the keyboard, against a real Store in tmp_path."""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from repdesk.domain.feedback import DispositionKind, Severity
from repdesk.domain.outbox import MutationKind
from repdesk.domain.qualification import BantDimension, Confidence
from repdesk.gui.call_console import CallConsole
from repdesk.gui.context import AppContext
from repdesk.gui.disposition_dialog import DispositionDialog
from repdesk.gui.objection_dialog import ObjectionDialog
from repdesk.store.call_drafts import draft_path, load_draft
from tests.support.gui_fixtures import HOSTILE, LEAD_ID

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "something must always have keyboard focus"
    return widget


def key(qtbot: Any, k: Qt.Key, mod: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(focused(), k, mod)


def type_text(qtbot: Any, text: str) -> None:
    qtbot.keyClicks(focused(), text)


def open_console(qtbot: Any, one_lead_ctx: AppContext, *, track: bool = True) -> CallConsole:
    console = CallConsole(one_lead_ctx, LEAD_ID)
    if track:  # qtbot closes tracked widgets at teardown; a "crashed" one is already gone
        qtbot.addWidget(console)
    console.show()
    qtbot.waitExposed(console)
    console.activateWindow()
    qtbot.waitUntil(lambda: console.is_loaded)
    qtbot.waitUntil(lambda: focused() is console.notes)
    return console


def test_a_whole_call_from_the_keyboard(qtbot: Any, one_lead_ctx: AppContext) -> None:
    store = one_lead_ctx.store
    console = open_console(qtbot, one_lead_ctx)
    assert console.readiness.title.text() == "Not ready yet"

    type_text(qtbot, "Spoke with Jo. BANT basics: ")
    assert focused() is console.notes, "plain B/A/N/T typed in the notes never jump"

    key(qtbot, Qt.Key.Key_B, ALT)
    assert focused() is console.cards[BantDimension.BUDGET]
    key(qtbot, Qt.Key.Key_2)  # "Budget identified, approval pending"
    assert focused() is console.notes, "a quick pick hands focus back to the notes"

    key(qtbot, Qt.Key.Key_A, ALT)
    key(qtbot, Qt.Key.Key_H)  # high confidence first, then the pick
    key(qtbot, Qt.Key.Key_1)  # decision maker

    key(qtbot, Qt.Key.Key_N, ALT)
    key(qtbot, Qt.Key.Key_V)
    assert focused() is console.cards[BantDimension.NEED].verbatim
    type_text(qtbot, "we lose <3 days> a month")
    key(qtbot, Qt.Key.Key_Return)
    assert focused() is console.notes
    key(qtbot, Qt.Key.Key_N, ALT)
    key(qtbot, Qt.Key.Key_2)  # clear need: saved with the words typed before the pick

    qtbot.waitUntil(lambda: console.readiness.title.text() == "✓ Sales-ready")
    type_text(qtbot, "they want a demo.")

    key(qtbot, Qt.Key.Key_O, CTRL)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), ObjectionDialog))
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, ObjectionDialog)
    qtbot.waitUntil(lambda: dialog.category.isEnabled() and focused() is dialog.category)
    assert dialog.campaign.currentData() == "camp-1", "the lead's campaign is preselected"
    type_text(qtbot, "Co")  # type-ahead: "Competitor"
    assert dialog.category.currentData() == "competitor"
    key(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "Globex is cheaper")
    key(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "3")  # severity "3  High"
    key(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "Globex")
    key(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible())
    qtbot.waitUntil(lambda: focused() is console.notes)
    assert "Globex is cheaper" in console.objection_list.text()

    key(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), DispositionDialog))
    end = QApplication.activeModalWidget()
    assert isinstance(end, DispositionDialog)
    qtbot.waitUntil(lambda: focused() is end.outcome)
    key(qtbot, Qt.Key.Key_N, ALT)  # return to nurture
    qtbot.waitUntil(end.nurture.isChecked)  # a mnemonic "clicks" with a short animation
    key(qtbot, Qt.Key.Key_Return)
    assert end.isVisible(), "no reason yet: the dialog refuses to close"
    key(qtbot, Qt.Key.Key_R, ALT)
    type_text(qtbot, "Budget only in Q3")
    ended: list[object] = []
    console.call_ended.connect(ended.append)
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ended != [])
    qtbot.waitUntil(lambda: one_lead_ctx.ops.idle)

    bant = store.bant(LEAD_ID)
    assert bant.budget is not None and bant.budget.value == "identified"
    assert bant.authority is not None and bant.authority.value == "decision_maker"
    assert bant.authority.confidence == Confidence.HIGH
    assert bant.need is not None and bant.need.value == "clear"
    assert bant.need.verbatim == "we lose <3 days> a month"
    assert bant.timeframe is None
    [note] = store.notes(LEAD_ID)
    assert note.body == "Spoke with Jo. BANT basics: they want a demo."
    assert note.outcome == "connected"
    assert note.duration_seconds is not None and note.call_started_at is not None
    [objection] = store.objections(LEAD_ID)
    assert (objection.category_code, objection.verbatim) == ("competitor", "Globex is cheaper")
    assert objection.severity == Severity.HIGH and objection.competitor == "Globex"
    disposition = store.disposition(LEAD_ID)
    assert disposition is not None
    assert disposition.kind == DispositionKind.RETURN_TO_NURTURE
    assert disposition.reason == "Budget only in Q3"
    kinds = [item.kind for item in store.outbox()]
    # Every answer of the call (picks, words, confidence) is one queued BANT change.
    assert kinds.count(MutationKind.QUALIFICATION_UPDATE) == 1
    [qualification] = [i for i in store.outbox() if i.kind is MutationKind.QUALIFICATION_UPDATE]
    assert set(qualification.payload["fields"]) == {"budget", "authority", "need"}
    for kind in (
        MutationKind.CALL_NOTE_CREATE,
        MutationKind.OBJECTION_CREATE,
        MutationKind.DISPOSITION_SET,
    ):
        assert kinds.count(kind) == 1
    assert load_draft(one_lead_ctx.drafts_dir, LEAD_ID, one_lead_ctx.store.key) is None, (
        "the draft is gone once the call ended"
    )


def test_notes_draft_survives_a_crash(qtbot: Any, one_lead_ctx: AppContext) -> None:
    console = open_console(qtbot, one_lead_ctx, track=False)
    type_text(qtbot, "Half-way through the call")
    qtbot.waitUntil(
        lambda: (
            (d := load_draft(one_lead_ctx.drafts_dir, LEAD_ID, one_lead_ctx.store.key)) is not None
            and d.notes == "Half-way through the call"
        )
    )
    started = console.timer.started_at
    # A crash: the widget goes away without closeEvent, ending or flushing anything.
    console.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(console))

    again = open_console(qtbot, one_lead_ctx)
    assert again.notes.toPlainText() == "Half-way through the call"
    assert again.timer.started_at == started, "the recovered call keeps its start time"
    assert again.banner.isVisible()
    assert "Recovered your notes" in again.banner.text()
    on_disk = draft_path(one_lead_ctx.drafts_dir, LEAD_ID).read_bytes()
    assert b"Half-way" not in on_disk, "the cache is encrypted: so is its draft"


def test_closing_without_ending_keeps_a_draft(qtbot: Any, one_lead_ctx: AppContext) -> None:
    console = open_console(qtbot, one_lead_ctx)
    type_text(qtbot, "quick")
    console.close()  # before the debounce fires
    qtbot.waitUntil(lambda: one_lead_ctx.ops.idle)
    draft = load_draft(one_lead_ctx.drafts_dir, LEAD_ID, one_lead_ctx.store.key)
    assert draft is not None and draft.notes == "quick"
    assert one_lead_ctx.store.notes(LEAD_ID) == []


def test_hostile_text_is_shown_literally(qtbot: Any, one_lead_ctx: AppContext) -> None:
    console = open_console(qtbot, one_lead_ctx)
    assert console.name_label.text() == f"{HOSTILE} Doe"
    assert console.name_label.textFormat() == Qt.TextFormat.PlainText
    assert console.company_label.text() == "CFO · Acme & Co · +1 555 0100"
    assert HOSTILE in console.windowTitle()


def test_clearing_an_answer_and_plain_letters_outside_text_fields(
    qtbot: Any, one_lead_ctx: AppContext
) -> None:
    console = open_console(qtbot, one_lead_ctx)
    key(qtbot, Qt.Key.Key_T, ALT)
    key(qtbot, Qt.Key.Key_M)  # confidence stays in the card
    assert focused() is console.cards[BantDimension.TIMEFRAME]
    key(qtbot, Qt.Key.Key_B)  # plain B from a card (not a text field) jumps to Budget
    assert focused() is console.cards[BantDimension.BUDGET]
    key(qtbot, Qt.Key.Key_4)
    qtbot.waitUntil(lambda: one_lead_ctx.ops.idle)
    assert one_lead_ctx.store.bant(LEAD_ID).budget is not None
    key(qtbot, Qt.Key.Key_B, ALT)
    key(qtbot, Qt.Key.Key_Delete)
    key(qtbot, Qt.Key.Key_Escape)
    assert focused() is console.notes
    qtbot.waitUntil(lambda: one_lead_ctx.ops.idle)
    assert one_lead_ctx.store.bant(LEAD_ID).budget is None


def test_continuous_typing_is_still_drafted(
    qtbot: Any, one_lead_ctx: AppContext, monkeypatch: Any
) -> None:
    """Without a pause the debounce never fires; the max delay (set to 0 here) still saves."""
    import repdesk.gui.draft_keeper as module

    monkeypatch.setattr(module, "DRAFT_DEBOUNCE_MS", 600_000)
    monkeypatch.setattr(module, "DRAFT_MAX_DELAY_MS", 0)
    open_console(qtbot, one_lead_ctx)
    type_text(qtbot, "no pause at all")
    qtbot.waitUntil(
        lambda: (
            (d := load_draft(one_lead_ctx.drafts_dir, LEAD_ID, one_lead_ctx.store.key)) is not None
            and d.notes == "no pause at all"
        )
    )


def test_a_rubric_synced_mid_call_updates_readiness(qtbot: Any, one_lead_ctx: AppContext) -> None:
    from dataclasses import replace

    from repdesk.domain.defaults import DEFAULT_RUBRIC
    from repdesk.store.api import RemoteUpsert

    console = open_console(qtbot, one_lead_ctx)
    for letter, digit in ((Qt.Key.Key_B, Qt.Key.Key_1), (Qt.Key.Key_A, Qt.Key.Key_1)):
        key(qtbot, letter, ALT)
        key(qtbot, digit)
    key(qtbot, Qt.Key.Key_N, ALT)
    key(qtbot, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: console.readiness.title.text() == "✓ Sales-ready")

    # Marketing now demands high confidence: the same answers no longer qualify.
    stricter = replace(DEFAULT_RUBRIC, min_confidence=Confidence.HIGH, version=2)
    changes = one_lead_ctx.store.apply_pull_page(
        [RemoteUpsert("rubric", "current", 2, stricter)], "c-2"
    )
    one_lead_ctx.events.emit_changes(changes)  # what the sync controller does after a pull
    qtbot.waitUntil(lambda: console.readiness.title.text() == "Not ready yet")
    assert "needs confirming" in console.readiness.details.text()


def test_every_store_call_of_a_call_runs_on_one_worker_thread(
    qtbot: Any, one_lead_ctx: AppContext, monkeypatch: Any
) -> None:
    """The store is wrapped to record the calling thread (an observation, not a fake)."""
    import threading

    real = one_lead_ctx.store
    threads: set[int] = set()

    class Recording:
        def __getattr__(self, name: str) -> Any:
            attr = getattr(real, name)
            if not callable(attr):
                return attr

            def call(*args: Any, **kwargs: Any) -> Any:
                threads.add(threading.get_ident())
                return attr(*args, **kwargs)

            return call

    monkeypatch.setattr(one_lead_ctx.ops, "store", Recording())
    console = open_console(qtbot, one_lead_ctx)
    key(qtbot, Qt.Key.Key_3, CTRL)  # Ctrl+3 is Need, like Alt+N
    assert focused() is console.cards[BantDimension.NEED]
    key(qtbot, Qt.Key.Key_1)
    type_text(qtbot, "short call")
    key(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), DispositionDialog))
    ended: list[object] = []
    console.call_ended.connect(ended.append)
    end = QApplication.activeModalWidget()
    assert isinstance(end, DispositionDialog)
    end.confirm()
    qtbot.waitUntil(lambda: ended != [])
    assert len(threads) == 1
    assert threading.get_ident() not in threads
    assert [n.body for n in real.notes(LEAD_ID)] == ["short call"]


def test_closing_an_empty_call_leaves_no_draft(qtbot: Any, one_lead_ctx: AppContext) -> None:
    console = open_console(qtbot, one_lead_ctx)
    type_text(qtbot, "x")
    qtbot.waitUntil(
        lambda: load_draft(one_lead_ctx.drafts_dir, LEAD_ID, one_lead_ctx.store.key) is not None
    )
    key(qtbot, Qt.Key.Key_Backspace)
    console.close()
    qtbot.waitUntil(lambda: one_lead_ctx.ops.idle)
    assert load_draft(one_lead_ctx.drafts_dir, LEAD_ID, one_lead_ctx.store.key) is None


def test_an_old_draft_starts_a_new_call_with_its_notes(
    qtbot: Any, one_lead_ctx: AppContext
) -> None:
    from datetime import timedelta

    from repdesk.domain.ids import utcnow
    from repdesk.store.call_drafts import CallDraft, save_draft

    long_ago = utcnow() - timedelta(days=2)
    save_draft(
        one_lead_ctx.drafts_dir,
        CallDraft(LEAD_ID, long_ago, "from Monday", long_ago),
        one_lead_ctx.store.key,
    )
    console = open_console(qtbot, one_lead_ctx)
    assert console.notes.toPlainText() == "from Monday"
    started = console.timer.started_at
    assert started is not None and utcnow() - started < timedelta(minutes=1)


def test_a_draft_that_cannot_be_written_is_flagged_in_place(
    qtbot: Any, one_lead_ctx: AppContext
) -> None:
    console = open_console(qtbot, one_lead_ctx)
    # The drafts folder cannot be created: a file sits where it should be.
    one_lead_ctx.drafts_dir.write_text("in the way")
    type_text(qtbot, "important")
    console.save_draft_now()
    qtbot.waitUntil(lambda: "NOT kept on disk" in console.save_status.text())
    assert console.notes.toPlainText() == "important"


def test_a_failed_decision_after_the_note_was_saved_never_duplicates_or_loses_notes(
    qtbot: Any, one_lead_ctx: AppContext, monkeypatch: Any
) -> None:
    """The store's set_disposition is made to fail once (a precise fault, by monkeypatch):
    the note is already committed, so it must be locked, undrafted, and never sent twice."""
    from repdesk.domain.errors import StoreError
    from repdesk.domain.feedback import Disposition
    from repdesk.domain.ids import new_id, utcnow
    from repdesk.gui.disposition_dialog import Decision

    real = one_lead_ctx.store.set_disposition
    calls = {"n": 0}

    def flaky(disposition: Disposition) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise StoreError("The disk is busy; try again.")
        return real(disposition)

    monkeypatch.setattr(one_lead_ctx.store, "set_disposition", flaky)
    monkeypatch.setattr(one_lead_ctx.ops, "report_error", lambda _parent, _exc: None)
    console = open_console(qtbot, one_lead_ctx)
    type_text(qtbot, "Budget is approved")
    decision = Decision(
        "connected",
        Disposition(new_id(), LEAD_ID, DispositionKind.ACCEPT, utcnow()),
    )
    console.finish(decision)
    qtbot.waitUntil(lambda: calls["n"] == 1 and one_lead_ctx.ops.idle)
    assert [n.body for n in one_lead_ctx.store.notes(LEAD_ID)] == ["Budget is approved"]
    assert console.notes.isReadOnly()
    assert load_draft(one_lead_ctx.drafts_dir, LEAD_ID, one_lead_ctx.store.key) is None

    console.finish(decision)  # the rep ends the call again
    qtbot.waitUntil(lambda: console.ended)
    assert [n.body for n in one_lead_ctx.store.notes(LEAD_ID)] == ["Budget is approved"]
    assert one_lead_ctx.store.disposition(LEAD_ID) is not None
    kinds = [i.kind for i in one_lead_ctx.store.outbox()]
    assert kinds.count(MutationKind.CALL_NOTE_CREATE) == 1


def test_the_notes_count_down_to_the_limit_while_typing(
    qtbot: Any, one_lead_ctx: AppContext
) -> None:
    """A live counter under the notes; a warning near the hub's limit; over it, the notes are
    flagged and the call cannot be ended until they are shortened (nothing is cut)."""
    from repdesk.gui.call_console import MAX_NOTE
    from repdesk.gui.theme import Tone, widget_tone
    from repdesk.protocol.schema import MAX_TEXT

    assert MAX_NOTE == MAX_TEXT, "the console counts against the hub's own limit"
    console = open_console(qtbot, one_lead_ctx)
    counter = console.notes_counter
    assert counter.isVisible()
    type_text(qtbot, "Spoke with Jo.")
    assert counter.text() == f"14 / {MAX_NOTE:,}"
    assert widget_tone(counter) is Tone.MUTED

    console.notes.setPlainText("x" * (MAX_NOTE - 50))
    assert widget_tone(counter) is Tone.WARN
    assert "50 left" in counter.text()
    assert console.end_button.isEnabled()

    console.notes.moveCursor(console.notes.textCursor().MoveOperation.End)
    type_text(qtbot, "y" * 60)
    assert len(console.notes.toPlainText()) == MAX_NOTE + 10, "nothing the rep typed is cut"
    assert widget_tone(counter) is Tone.BAD
    assert "10 over" in counter.text()
    assert not console.end_button.isEnabled(), "flagged before the call ends"
    from tests.gui.test_offline_flow_support import (
        grab,
    )

    grab(console, "call-notes-over-limit")

    key(qtbot, Qt.Key.Key_Backspace)
    console.notes.setPlainText("short again")
    assert widget_tone(counter) is Tone.MUTED and console.end_button.isEnabled()
