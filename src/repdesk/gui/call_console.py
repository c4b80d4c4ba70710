"""The live-call console: a keyboard-first screen for qualifying a lead while on the phone.

Open it with `CallConsole(ctx, lead_id)`; the call timer starts at once. The notes field
has focus and keeps it; every other action is one chord away and hands focus back:

* Alt+B / Alt+A / Alt+N / Alt+T, or Ctrl+1..4 (or plain B/A/N/T when no text field has
  focus) jump to Budget / Authority / Need / Timeframe. There: a digit picks the rubric's
  scale option and returns to the notes; L/M/H set the confidence; V goes to the
  prospect's own words (Enter saves them and returns); Delete clears; Esc returns.
* Ctrl+O records an objection; Ctrl+Enter ends the call (outcome and disposition).

Typing notes can never trigger these: letters only act when a BANT card, not a text
field, has focus. Each BANT answer and objection is written to the store (with its
outbox row) the moment it is entered; notes are kept as a crash-safe draft file a moment
after each typing pause, and become a call note queued for upload when the call ends.
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from repdesk.domain.changes import Changes
from repdesk.domain.defaults import DEFAULT_RUBRIC
from repdesk.domain.feedback import CallNote, Objection, ObjectionCategory
from repdesk.domain.followups import FollowUp, FollowUpAction, day_bounds
from repdesk.domain.ids import new_id, utcnow
from repdesk.domain.leads import Lead
from repdesk.domain.qualification import BANT_ORDER, Bant, BantAnswer, BantDimension, Rubric
from repdesk.domain.rubric import evaluate
from repdesk.gui.call_data import (
    CallData,
    Reference,
    load_call,
    load_reference,
    objection_lines,
    with_answer,
)
from repdesk.gui.context import AppContext
from repdesk.gui.disposition_dialog import Decision, DispositionDialog, outcome_label
from repdesk.gui.draft_keeper import DraftKeeper
from repdesk.gui.events import touches_lead
from repdesk.gui.objection_dialog import ObjectionDialog
from repdesk.gui.ops import CollectionOp, OpContext, QueryOp
from repdesk.gui.text import format_duration, format_when, one_line, plain_label, set_plain, tr
from repdesk.gui.theme import SPACING, Tone, scaled_font, set_tone
from repdesk.gui.widgets.bant_card import BantCard
from repdesk.gui.widgets.call_header import CallHeader
from repdesk.store.call_drafts import CallDraft

#: A draft saved less than this long ago is the same call resumed (its timer continues).
RESUME_WINDOW = timedelta(minutes=30)
MAX_NOTE = 20_000
"""Hub limit on a call note (protocol MAX_TEXT; the GUI may not import the protocol)."""
#: The notes counter turns to a warning this many characters before the limit.
NOTE_WARN_MARGIN = 1000

_LETTERS = {
    BantDimension.BUDGET: ("B", Qt.Key.Key_B),
    BantDimension.AUTHORITY: ("A", Qt.Key.Key_A),
    BantDimension.NEED: ("N", Qt.Key.Key_N),
    BantDimension.TIMEFRAME: ("T", Qt.Key.Key_T),
}


class CallConsole(QWidget):
    call_ended = Signal(object)
    """The saved `CallNote`, after the note (and any disposition) reached the store."""

    def __init__(self, ctx: AppContext, lead_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.lead_id = lead_id
        self.ended = False
        self._loaded = False
        self._note_id = new_id()
        self._note_saved = False
        self._lead: Lead | None = None
        self._bant = Bant(lead_id)
        self._rubric: Rubric = DEFAULT_RUBRIC
        self._categories: dict[str, ObjectionCategory] = {}
        self._objections: list[Objection] = []
        self.setWindowTitle(tr("call", "Call"))
        # No fixed minimum: the layout's own minimum keeps every scale label readable.

        self.header = CallHeader(self)
        self.timer = self.header.timer
        self.name_label = self.header.name_label
        self.company_label = self.header.company_label
        self.readiness = self.header.readiness
        self.timer.start()

        self.cards: dict[BantDimension, BantCard] = {}
        grid = QGridLayout()
        grid.setSpacing(SPACING)
        for index, dim in enumerate(BANT_ORDER):
            card = BantCard(dim, _LETTERS[dim][0], self)
            card.rep_id = ctx.rep_id
            card.setEnabled(False)
            card.answer_changed.connect(lambda answer, d=dim: self._on_answer(d, answer))
            card.leave_requested.connect(self.focus_notes)
            grid.addWidget(card, index // 2, index % 2)
            self.cards[dim] = card

        self.notes = QPlainTextEdit(self)
        self.notes.setObjectName("notes")
        self.notes.setPlaceholderText(tr("call", "Notes: just type, they are kept as you go."))
        self.notes.setReadOnly(True)
        self.notes.setMinimumWidth(260)
        self.notes.textChanged.connect(self._on_notes_changed)
        self.notes_counter = plain_label("", self)
        self.notes_counter.setObjectName("notes-counter")
        self.notes_counter.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.save_status = plain_label(tr("call", "Loading…"), self)
        self.save_status.setObjectName("save-status")
        set_tone(self.save_status, Tone.MUTED)
        self.banner = plain_label("", self, wrap=True)
        self.banner.setObjectName("banner")
        set_tone(self.banner, Tone.WARN)
        self.banner.hide()
        self.objection_list = plain_label("", self, wrap=True)
        self.objection_list.setObjectName("objections")
        self.objection_list.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.objection_button = QPushButton(tr("call", "Add objection   Ctrl+O"), self)
        self.objection_button.clicked.connect(self.add_objection)
        self.end_button = QPushButton(tr("call", "End call…   Ctrl+Enter"), self)
        self.end_button.clicked.connect(self.end_call)
        for button in (self.objection_button, self.end_button):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        legend = plain_label(
            tr(
                "call",
                "Alt+B/A/N/T or Ctrl+1–4 jump to a BANT card (plain B/A/N/T when not typing), "
                "then: 1–5 pick and return · L/M/H confidence · V their words · Esc back.   "
                "Ctrl+O objection · Ctrl+Enter end call",
            ),
            self,
            wrap=True,
        )
        legend.setObjectName("legend")
        set_tone(legend, Tone.MUTED)

        right = QVBoxLayout()
        notes_head = QHBoxLayout()
        notes_title = plain_label(tr("call", "Notes"), self)
        notes_title.setFont(scaled_font(self.font(), 0.5, bold=True))
        notes_head.addWidget(notes_title)
        notes_head.addStretch(1)
        notes_head.addWidget(self.save_status)
        right.addLayout(notes_head)
        right.addWidget(self.banner)
        right.addWidget(self.notes, 1)
        right.addWidget(self.notes_counter)

        left = QVBoxLayout()
        left.addLayout(grid)
        objections_title = plain_label(tr("call", "Objections"), self)
        objections_title.setFont(scaled_font(self.font(), 0.5, bold=True))
        left.addSpacing(SPACING)
        left.addWidget(objections_title)
        left.addWidget(self.objection_list)
        left.addStretch(1)

        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addLayout(right, 2)
        footer = QHBoxLayout()
        footer.addWidget(legend, 1)
        footer.addWidget(self.objection_button)
        footer.addWidget(self.end_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addLayout(body, 1)
        layout.addLayout(footer)

        self.drafts = DraftKeeper(
            ctx.ops, ctx.drafts_dir, lead_id, self._draft_snapshot, self, key=ctx.store.key
        )
        self.drafts.saved.connect(self._draft_saved)
        self.drafts.failed.connect(self._draft_failed)
        self._install_shortcuts()
        self._count_notes()
        QApplication.instance().focusChanged.connect(self._on_focus_changed)  # type: ignore[union-attr]
        self._render_objections()
        self.notes.setFocus(Qt.FocusReason.OtherFocusReason)
        QueryOp(
            parent=self, op=lambda c: load_call(ctx.drafts_dir, lead_id, c), success=self._on_loaded
        ).run_in_background(ctx.ops)

    @property
    def lead(self) -> Lead | None:
        """The lead on the phone (None until loaded, or if it is no longer assigned)."""
        return self._lead

    @property
    def is_loaded(self) -> bool:
        """True once the lead, rubric and any draft are shown (cards accept keys)."""
        return self._loaded

    # --- set-up ----------------------------------------------------------------------------

    def _install_shortcuts(self) -> None:
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for number, (dim, (_letter, key)) in enumerate(_LETTERS.items(), start=1):
            # Alt+letter is the scheme; Ctrl+1..4 is the same for layouts (macOS Option)
            # where Alt+letter types a character.
            for sequence in (
                QKeySequence(Qt.KeyboardModifier.AltModifier | key),
                QKeySequence(f"Ctrl+{number}"),
            ):
                shortcut = QShortcut(sequence, self)
                shortcut.setContext(context)
                shortcut.activated.connect(lambda d=dim: self.focus_card(d))
        for seq, slot in (
            ("Ctrl+O", self.add_objection),
            ("Ctrl+Return", self.end_call),
            ("Ctrl+Enter", self.end_call),
        ):
            shortcut = QShortcut(QKeySequence(seq), self)
            shortcut.setContext(context)
            shortcut.activated.connect(slot)

    def _on_loaded(self, data: CallData) -> None:
        self._loaded = True
        self._rubric = data.rubric
        self._bant = data.bant
        self._categories = data.categories
        self._objections = list(data.objections)
        lead = data.lead
        self._show_lead(lead)
        for dim, card in self.cards.items():
            card.set_rubric_dimension(self._rubric.for_dimension(dim))
            card.set_answer(self._bant.get(dim))
            card.setEnabled(lead is not None)
        self.notes.setReadOnly(lead is None)
        self._refresh_readiness()
        self._render_objections()
        self.ctx.events.changed.connect(self._on_changes)
        notices = []
        if data.default_rubric:
            notices.append(tr("call", "Using the standard rubric until marketing's is synced."))
        if data.draft is not None and data.draft.notes.strip():
            # A call that never ended (closed or crashed): carry on where it stopped, unless
            # it stopped long ago (then this is a new call that starts with those notes).
            if utcnow() - data.draft.saved_at < RESUME_WINDOW:
                self.timer.start(data.draft.started_at)
            self.notes.blockSignals(True)
            self.notes.setPlainText(data.draft.notes)
            self.notes.blockSignals(False)
            self.notes.moveCursor(self.notes.textCursor().MoveOperation.End)
            notices.append(
                tr("call", "Recovered your notes from an unfinished call started %1.").replace(
                    "%1", format_when(data.draft.started_at)
                )
            )
        self.banner.setText("\n".join(notices))
        self.banner.setVisible(bool(notices))
        self._status(tr("call", "Ready: everything you enter is kept on this computer."))
        self.focus_notes()

    def _show_lead(self, lead: Lead | None) -> None:
        self._lead = lead
        self.header.show_lead(lead)
        if lead is not None:
            self.setWindowTitle(tr("call", "Call: %1").replace("%1", one_line(lead.full_name)))

    def _on_changes(self, changes: Changes) -> None:
        """A sync landed mid-call: pick up a new rubric, taxonomy or lead details."""
        if self.ended or not (
            changes.reference or (changes.leads and touches_lead(changes, self.lead_id))
        ):
            return
        lead_id = self.lead_id
        QueryOp(
            parent=self, op=lambda c: load_reference(lead_id, c), success=self._on_reference
        ).run_in_background(self.ctx.ops)

    def _on_reference(self, ref: Reference) -> None:
        self._show_lead(ref.lead)
        self._categories = ref.categories
        if ref.rubric is not None and ref.rubric != self._rubric:
            self._rubric = ref.rubric
            for dim, card in self.cards.items():
                card.set_rubric_dimension(ref.rubric.for_dimension(dim))
            self._refresh_readiness()
        self._render_objections()

    # --- focus -----------------------------------------------------------------------------

    def focus_notes(self) -> None:
        window = self.window()
        if (
            self.isVisible()
            and not window.isActiveWindow()
            and QApplication.activeModalWidget() is None
        ):
            # Coming back from a dialog: make sure typing lands in the notes again.
            window.activateWindow()
        self.notes.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_card(self, dimension: BantDimension) -> None:
        card = self.cards[dimension]
        if card.isEnabled():
            card.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        for card in self.cards.values():
            card.set_active(new is not None and (new is card or card.isAncestorOf(new)))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        # Only reached when the focused widget did not take the key: never from a text field.
        if event.modifiers() == Qt.KeyboardModifier.NoModifier:
            for dim, (_letter, key) in _LETTERS.items():
                if event.key() == key:
                    self.focus_card(dim)
                    return
            if event.key() == Qt.Key.Key_Escape:
                self.focus_notes()
                return
        super().keyPressEvent(event)

    # --- BANT ------------------------------------------------------------------------------

    def _on_answer(self, dimension: BantDimension, answer: BantAnswer | None) -> None:
        self._bant = with_answer(self._bant, dimension, answer)
        self._refresh_readiness()
        self._status(tr("call", "Saving…"))
        lead_id = self.lead_id
        CollectionOp(
            parent=self, op=lambda c: c.store.update_bant(lead_id, {dimension: answer})
        ).success(self._saved).failure(self._save_failed).run_in_background(self.ctx.ops)

    def _save_failed(self, exc: BaseException) -> None:
        self._status(tr("call", "Not saved: see the message."), Tone.BAD)
        self.ctx.ops.report_error(self, exc)

    def _saved(self, _changes: Changes) -> None:
        self._status(tr("call", "Saved on this computer, queued for upload."))

    def _refresh_readiness(self) -> None:
        self.readiness.set_result(evaluate(self._rubric, self._bant))

    # --- notes draft -----------------------------------------------------------------------

    def _count_notes(self) -> None:
        """The live counter under the notes: muted, then a warning near the hub's limit;
        over it the notes are flagged (nothing is cut) and the call cannot end yet."""
        length = len(self.notes.toPlainText())
        over = length - MAX_NOTE
        if over > 0:
            text = tr(
                "call", "%1 over the limit of %2 characters: shorten the notes to end the call."
            )
            text = text.replace("%1", f"{over:,}").replace("%2", f"{MAX_NOTE:,}")
            tone = Tone.BAD
        elif length >= MAX_NOTE - NOTE_WARN_MARGIN:
            text = tr("call", "%1 / %2 · %3 left").replace("%1", f"{length:,}")
            text = text.replace("%2", f"{MAX_NOTE:,}").replace("%3", f"{-over:,}")
            tone = Tone.WARN
        else:
            text = f"{length:,} / {MAX_NOTE:,}"
            tone = Tone.MUTED
        set_plain(self.notes_counter, text)
        set_tone(self.notes_counter, tone)
        self.end_button.setEnabled(over <= 0)

    def _on_notes_changed(self) -> None:
        self._count_notes()
        if self._loaded and not self.ended:
            self.drafts.changed()

    def _draft_snapshot(self) -> CallDraft:
        started = self.timer.started_at or utcnow()
        return CallDraft(self.lead_id, started, self.notes.toPlainText(), utcnow())

    def save_draft_now(self) -> None:
        """Write the notes draft now (it is also written after each pause in typing)."""
        self.drafts.save_now()

    def _draft_failed(self, reason: str) -> None:
        # Shown in place (not a dialog per pause in typing); the text is still in the window.
        self._status(
            tr("call", "Notes NOT kept on disk (%1): keep this window open.").replace("%1", reason),
            Tone.BAD,
        )

    def _draft_saved(self) -> None:
        if not self.ended:
            self._status(
                tr("call", "Notes kept on this computer at %1.").replace(
                    "%1", utcnow().astimezone().strftime("%H:%M:%S")
                )
            )

    # --- objections ------------------------------------------------------------------------

    def add_objection(self) -> None:
        dialog = self.objection_dialog()
        if dialog is not None:
            dialog.open()

    def objection_dialog(self) -> ObjectionDialog | None:
        """The objection form for this call, wired to the console but not opened yet."""
        if not self._loaded or self.ended:
            return None
        campaign = self._lead.source_campaign_id if self._lead else None
        dialog = ObjectionDialog(self.ctx, self.lead_id, self, campaign_id=campaign)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._objection_saved)
        dialog.finished.connect(lambda _result: self.focus_notes())
        return dialog

    def _objection_saved(self, objection: Objection) -> None:
        self._objections.append(objection)
        self._render_objections()
        self._status(tr("call", "Objection saved, queued for upload."))

    def _render_objections(self) -> None:
        self.objection_list.setText(objection_lines(self._objections, self._categories))

    # --- ending ----------------------------------------------------------------------------

    def end_call(self) -> None:
        if not self._loaded or self.ended:
            return
        self.focus_notes()  # commits any words still being typed in a BANT card
        if len(self.notes.toPlainText()) > MAX_NOTE:
            self._status(
                tr(
                    "call",
                    "Your notes are longer than %n characters; please shorten them.",
                    n=MAX_NOTE,
                ),
                Tone.BAD,
            )
            return
        # The end-of-call dialog offers to tick off the call-backs due today and to
        # schedule the next one: read them first (a DB op, milliseconds).
        _start, day_end, _key = day_bounds(self.ctx.clock.now(), self.ctx.clock.tz())
        lead_id = self.lead_id
        QueryOp(
            parent=self,
            op=lambda c: [f for f in c.store.followups(lead_id) if f.is_due(day_end)],
            success=self._ask_decision,
        ).run_in_background(self.ctx.ops)

    def _ask_decision(self, due: list[FollowUp]) -> None:
        if self.ended:
            return
        dialog = DispositionDialog(
            self.lead_id,
            self,
            with_outcome=True,
            lead_name=self.name_label.text(),
            ctx=self.ctx,
            open_followups=due,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.decided.connect(self.finish)
        dialog.rejected.connect(self.focus_notes)
        dialog.open()

    def finish(self, decision: Decision) -> None:
        """End the call with `decision` (what the end-of-call dialog hands over): the notes
        become a call note, the disposition (if any) is set, and the console closes."""
        self.timer.stop()
        self.drafts.stop()
        body = self.notes.toPlainText().strip() or tr("call", "Call without notes: %1").replace(
            "%1", outcome_label(decision.outcome)
        )
        note = CallNote(
            id=self._note_id,
            lead_id=self.lead_id,
            body=body,
            created_at=utcnow(),
            author_rep_id=self.ctx.rep_id,
            call_started_at=self.timer.started_at,
            duration_seconds=self.timer.elapsed_seconds(),
            outcome=decision.outcome,
        )
        disposition = decision.disposition
        # Written by the worker, read back on the GUI thread once the op has finished.
        written = {"note": self._note_saved}

        def write(c: OpContext) -> Changes:
            # The note and the disposition are separate rep actions (each with its outbox
            # row); a retry after a failure does not add the note twice.
            changes = Changes() if written["note"] else c.store.add_call_note(note)
            written["note"] = True
            for done in decision.completes:
                if (c.store.followup(done.id) or done).is_open:  # not twice on a retry
                    changes = changes | c.store.set_followup(done, FollowUpAction.COMPLETE)
            if decision.followup is not None and c.store.followup(decision.followup.id) is None:
                changes = changes | c.store.set_followup(decision.followup, FollowUpAction.CREATE)
            if disposition is not None:
                changes = changes | c.store.set_disposition(disposition)
            return changes

        def done(_changes: Changes) -> None:
            self.ended = True
            self._note_saved = True
            self.drafts.discard()
            self._status(
                tr("call", "Call saved ({0}), queued for upload.").replace(
                    "{0}", format_duration(note.duration_seconds or 0)
                )
            )
            self.call_ended.emit(note)
            self.close()

        def failed(exc: BaseException) -> None:
            self._note_saved = written["note"]
            if self._note_saved:
                # The note is stored and queued; only the decision failed. Lock the notes so
                # what is sent is what the rep sees, and drop the draft so that closing and
                # reopening can never make a second note.
                self.drafts.discard()
                self.notes.setReadOnly(True)
                self._status(tr("call", "Notes saved. The decision was not: end the call again."))
            self.timer.start(self.timer.started_at)
            self.ctx.ops.report_error(self, exc)

        CollectionOp(parent=self, op=write).success(done).failure(failed).run_in_background(
            self.ctx.ops
        )

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self.ended and self._loaded and not self._note_saved:
            if self.notes.toPlainText().strip():
                # Closed without ending: keep the notes as a draft for next time.
                self.drafts.save_now()
            else:
                self.drafts.discard()
        super().closeEvent(event)

    def _status(self, text: str, tone: Tone = Tone.MUTED) -> None:
        self.save_status.setText(text)
        set_tone(self.save_status, tone)
