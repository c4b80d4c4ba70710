"""Decide what happens to a lead: accept it, send it back to nurture, or disqualify it.

Two uses: from the call console with `with_outcome=True` (the call's outcome comes first
and "no decision yet" is allowed), and from anywhere via `ask_disposition(ctx, lead_id,
parent)`, which saves the decision itself. A reason is required to return a lead to
nurture or to disqualify it (the domain's `Disposition` enforces the same rule).
Keyboard: Alt+A / Alt+N / Alt+D / Alt+Y choose, type the reason, Enter (or Ctrl+Enter) saves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from repdesk.domain.feedback import Disposition, DispositionKind
from repdesk.domain.followups import FollowUp, FollowUpAction, new_followup
from repdesk.domain.ids import new_id, utcnow
from repdesk.gui.context import AppContext
from repdesk.gui.ops import CollectionOp
from repdesk.gui.text import plain_label, tr
from repdesk.gui.theme import Tone, set_tone

if TYPE_CHECKING:
    from repdesk.gui.followup_dialog import FollowUpFields

MAX_REASON = 2_000
#: Outcomes after which a call-back is the natural next step (the box comes pre-ticked).
CALL_BACK_OUTCOMES = frozenset({"call_back", "voicemail", "no_answer"})

#: Call outcomes as stable codes (what marketing's reports group by) and what reps read.
OUTCOMES: tuple[tuple[str, str], ...] = (
    ("connected", "Connected: we talked"),
    ("voicemail", "Left a voicemail"),
    ("no_answer", "No answer"),
    ("call_back", "Asked to call back later"),
    ("wrong_number", "Wrong number / wrong person"),
)


def outcome_label(code: str) -> str:
    for known, label in OUTCOMES:
        if known == code:
            return tr("disposition", label)
    return code


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: str
    """A code from `OUTCOMES` ("" when the dialog was opened without the outcome step)."""
    disposition: Disposition | None
    """None means "no decision yet"."""
    followup: FollowUp | None = None
    """A call-back scheduled at the end of the call (with_outcome dialogs given a ctx)."""
    completes: tuple[FollowUp, ...] = ()
    """Open follow-ups this call answered, as they are once done."""


class DispositionDialog(QDialog):
    decided = Signal(object)
    """The `Decision`, emitted just before the dialog accepts."""

    def __init__(
        self,
        lead_id: str,
        parent: QWidget | None = None,
        *,
        with_outcome: bool = False,
        lead_name: str = "",
        ctx: AppContext | None = None,
        open_followups: Sequence[FollowUp] = (),
    ) -> None:
        super().__init__(parent)
        self.lead_id = lead_id
        self.with_outcome = with_outcome
        self.ctx = ctx
        self.callback: QCheckBox | None = None
        self.callback_fields: FollowUpFields | None = None
        self.completes: dict[QCheckBox, FollowUp] = {}
        self.setWindowTitle(
            tr("disposition", "End call")
            if with_outcome
            else tr("disposition", "Decide on this lead")
        )
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        if lead_name:
            name = plain_label(lead_name, self)
            name.setObjectName("lead-name")
            layout.addWidget(name)

        form = QFormLayout()
        self.outcome = QComboBox(self)
        self.outcome.setObjectName("outcome")
        for code, label in OUTCOMES:
            self.outcome.addItem(tr("disposition", label), code)
        if with_outcome:
            out_label = QLabel(tr("disposition", "Call &outcome"), self)
            out_label.setBuddy(self.outcome)
            form.addRow(out_label, self.outcome)
        else:
            self.outcome.hide()
        layout.addLayout(form)

        self.group = QButtonGroup(self)
        self.undecided = QRadioButton(tr("disposition", "No decision &yet"), self)
        self.accept_radio = QRadioButton(tr("disposition", "&Accept: sales-ready, I take it"), self)
        self.nurture = QRadioButton(tr("disposition", "Return to &nurture (reason needed)"), self)
        self.disqualify = QRadioButton(tr("disposition", "&Disqualify (reason needed)"), self)
        self._kinds: dict[QRadioButton, DispositionKind | None] = {
            self.accept_radio: DispositionKind.ACCEPT,
            self.nurture: DispositionKind.RETURN_TO_NURTURE,
            self.disqualify: DispositionKind.DISQUALIFY,
        }
        if with_outcome:
            self._kinds = {self.undecided: None, **self._kinds}
        else:
            self.undecided.hide()
        for radio in self._kinds:
            self.group.addButton(radio)
            layout.addWidget(radio)
        next(iter(self._kinds)).setChecked(True)

        self.reason = QLineEdit(self)
        self.reason.setObjectName("reason")
        self.reason.setMaxLength(MAX_REASON)
        self.reason.setPlaceholderText(tr("disposition", "Why? e.g. no budget until Q3"))
        reason_label = QLabel(tr("disposition", "&Reason"), self)
        reason_label.setBuddy(self.reason)
        layout.addWidget(reason_label)
        layout.addWidget(self.reason)
        self.hint = plain_label("", self, wrap=True)
        set_tone(self.hint, Tone.WARN)
        # Room for the two-line hint up front, so the dialog never jumps or clips it.
        self.hint.setMinimumHeight(self.fontMetrics().lineSpacing() * 2 + 4)
        layout.addWidget(self.hint)
        if with_outcome and ctx is not None:
            self._add_followup_part(layout, ctx, open_followups)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(
            tr("disposition", "End call and save") if with_outcome else tr("disposition", "Save")
        )
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.confirm)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self).activated.connect(self.confirm)

        self.group.buttonToggled.connect(self._update_state)
        self.reason.textChanged.connect(self._update_state)
        self._update_state()
        (self.outcome if with_outcome else next(iter(self._kinds))).setFocus()

    def _add_followup_part(
        self, layout: QVBoxLayout, ctx: AppContext, open_followups: Sequence[FollowUp]
    ) -> None:
        """Tick off the call-backs this call answered; schedule the next one."""
        from repdesk.gui.followup_dialog import FollowUpFields, when_text

        tz = ctx.clock.tz()
        for f in open_followups:
            what = f" ({f.reason})" if f.reason else ""
            box = QCheckBox(
                tr("disposition", "Call-back due %1%2 is done")
                .replace("%1", when_text(f.due_at, tz))
                .replace("%2", what),
                self,
            )
            box.setChecked(True)
            box.setObjectName("completesFollowup")
            self.completes[box] = f
            layout.addWidget(box)
        self.callback = QCheckBox(tr("disposition", "Schedule a call-&back"), self)
        self.callback.setObjectName("scheduleCallback")
        self.callback_fields = FollowUpFields(ctx, self)
        self.callback_fields.setEnabled(False)
        layout.addWidget(self.callback)
        layout.addWidget(self.callback_fields)
        self.callback.toggled.connect(self.callback_fields.setEnabled)
        self.callback.toggled.connect(self._update_state)
        self.callback_fields.changed.connect(self._update_state)
        self.outcome.currentIndexChanged.connect(self._outcome_changed)

    def _outcome_changed(self, *_args: object) -> None:
        if self.callback is not None and self.outcome.currentData() in CALL_BACK_OUTCOMES:
            self.callback.setChecked(True)

    def kind(self) -> DispositionKind | None:
        checked = self.group.checkedButton()
        return self._kinds.get(checked) if isinstance(checked, QRadioButton) else None

    def _update_state(self, *_args: object) -> None:
        kind = self.kind()
        needs_reason = kind in (DispositionKind.RETURN_TO_NURTURE, DispositionKind.DISQUALIFY)
        missing = needs_reason and not self.reason.text().strip()
        callback_problem = self._callback_problem()
        self.hint.setText(
            tr(
                "disposition",
                "A reason is required to return a lead to nurture or to "
                "disqualify it: marketing reads it.",
            )
            if missing
            else callback_problem
        )
        ok = getattr(self, "ok_button", None)  # the call-back part reports before it exists
        if ok is not None:
            ok.setEnabled(not missing and not callback_problem)

    def _callback_problem(self) -> str:
        if self.callback is None or self.callback_fields is None or not self.callback.isChecked():
            return ""
        return self.callback_fields.problem()

    def decision(self) -> Decision | None:
        """The choice in the form, or None while it is incomplete (reason missing)."""
        kind = self.kind()
        outcome = str(self.outcome.currentData()) if self.with_outcome else ""
        if self._callback_problem():
            return None
        followup, completes = self._followups()
        if kind is None:
            return Decision(outcome, None, followup, completes)
        try:
            disposition = Disposition(
                id=new_id(),
                lead_id=self.lead_id,
                kind=kind,
                decided_at=utcnow(),
                reason=self.reason.text().strip(),
            )
        except ValueError:
            return None
        return Decision(outcome, disposition, followup, completes)

    def _followups(self) -> tuple[FollowUp | None, tuple[FollowUp, ...]]:
        if self.ctx is None:
            return None, ()
        now = self.ctx.clock.now()
        ticked = [f for box, f in self.completes.items() if box.isChecked()]
        done = tuple(f.after(FollowUpAction.COMPLETE, now) for f in ticked)
        fields = self.callback_fields
        if self.callback is None or fields is None or not self.callback.isChecked():
            return None, done
        reason = fields.reason.text().strip()
        return new_followup(new_id(), self.lead_id, fields.due_at(), reason, now), done

    def confirm(self) -> None:
        decision = self.decision()
        if decision is None:
            if self._callback_problem() and self.callback_fields is not None:
                self.callback_fields.at.setFocus()
            else:
                self.reason.setFocus()
            return
        self.decided.emit(decision)
        self.accept()


def ask_disposition(
    ctx: AppContext,
    lead_id: str,
    parent: QWidget | None = None,
    *,
    lead_name: str = "",
    on_saved: Callable[[Disposition], None] | None = None,
) -> DispositionDialog:
    """Open the dialog (non-blocking) and save the decision through the store when confirmed."""
    dialog = DispositionDialog(lead_id, parent, lead_name=lead_name)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def save(decision: Decision) -> None:
        disposition = decision.disposition
        if disposition is None:
            return
        CollectionOp(parent=parent, op=lambda c: c.store.set_disposition(disposition)).success(
            lambda _changes: on_saved(disposition) if on_saved else None
        ).run_in_background(ctx.ops)

    dialog.decided.connect(save)
    dialog.open()
    return dialog
