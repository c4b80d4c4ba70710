"""Scheduling a call-back: when (a quick pick or an exact time) and what for.

`FollowUpFields` is the form (also inside the end-of-call dialog); `FollowUpDialog`
schedules or changes one follow-up and saves it itself. Keyboard: the "When" picks take
type-ahead, Tab moves to the exact time and "What for", Enter (or Ctrl+Enter) saves, Esc
cancels. Times are the rep's local time (`ctx.clock.tz()`), stored as UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from repdesk.domain.errors import ValidationError
from repdesk.domain.followups import (
    MAX_REASON,
    FollowUp,
    FollowUpAction,
    in_days,
    later_today,
    new_followup,
    next_week,
    tomorrow_morning,
)
from repdesk.domain.ids import ensure_utc, new_id
from repdesk.gui.context import AppContext
from repdesk.gui.followup_ops import change_followup, schedule_followup
from repdesk.gui.text import plain_label, tr
from repdesk.gui.theme import Tone, set_tone

#: A time this far in the past is a typo, not a call-back.
PAST_SLACK = timedelta(minutes=1)

Pick = Callable[[datetime, tzinfo], datetime]
PRESETS: tuple[tuple[str, Pick | None], ...] = (
    ("Tomorrow morning (9:00)", tomorrow_morning),
    ("Later today (in 2 hours)", later_today),
    ("In 2 days (9:00)", lambda now, tz: in_days(now, tz, 2)),
    ("Next week (Monday 9:00)", next_week),
    ("At a time I pick", None),
)


def when_text(due: datetime, tz: tzinfo) -> str:
    """ "Tue 14 Mar 15:30" in the rep's time zone."""
    return ensure_utc(due).astimezone(tz).strftime("%a %d %b %H:%M")


class FollowUpFields(QWidget):
    """When and what for. `due_at()` is UTC; `problem()` says what stops a save."""

    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.when = QComboBox(self)
        self.when.setObjectName("followupWhen")
        for text, pick in PRESETS:
            self.when.addItem(tr("followup", text), pick)
        self.at = QDateTimeEdit(self)
        self.at.setObjectName("followupAt")
        self.at.setCalendarPopup(True)
        self.at.setDisplayFormat("ddd d MMM yyyy  HH:mm")
        self.reason = QLineEdit(self)
        self.reason.setObjectName("followupReason")
        self.reason.setMaxLength(MAX_REASON)
        self.reason.setPlaceholderText(tr("followup", "What for? e.g. send pricing for 25 seats"))
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        for caption, field in (
            (tr("followup", "&When"), self.when),
            (tr("followup", "E&xact time"), self.at),
            (tr("followup", "What &for"), self.reason),
        ):
            label = QLabel(caption, self)
            label.setBuddy(field)
            form.addRow(label, field)
        self._setting = False
        self.when.currentIndexChanged.connect(self._preset_chosen)
        self.at.dateTimeChanged.connect(self._time_typed)
        self.reason.textChanged.connect(self.changed)
        self._preset_chosen()

    def show_followup(self, followup: FollowUp) -> None:
        self.set_due(followup.due_at)
        self.reason.setText(followup.reason)

    def set_due(self, due: datetime) -> None:
        self.when.setCurrentIndex(len(PRESETS) - 1)
        self._set_time(due)

    def due_at(self) -> datetime:
        value = self.at.dateTime()
        date, clock = value.date(), value.time()
        local = datetime(
            date.year(), date.month(), date.day(), clock.hour(), clock.minute(),
            tzinfo=self.ctx.clock.tz(),
        )  # fmt: skip
        return ensure_utc(local)

    def problem(self) -> str:
        if self.due_at() < self.ctx.clock.now() - PAST_SLACK:
            return tr("followup", "That time has passed: pick a later one.")
        return ""

    def _preset_chosen(self, *_args: object) -> None:
        pick = self.when.currentData()
        if callable(pick):
            self._set_time(pick(self.ctx.clock.now(), self.ctx.clock.tz()))
        self.changed.emit()

    def _set_time(self, due: datetime) -> None:
        local = ensure_utc(due).astimezone(self.ctx.clock.tz())
        self._setting = True
        try:
            self.at.setDateTime(
                QDateTime(
                    QDate(local.year, local.month, local.day), QTime(local.hour, local.minute)
                )
            )
        finally:
            self._setting = False

    def _time_typed(self, *_args: object) -> None:
        if not self._setting and self.when.currentData() is not None:
            self.when.blockSignals(True)
            self.when.setCurrentIndex(len(PRESETS) - 1)  # "At a time I pick"
            self.when.blockSignals(False)
        self.changed.emit()


class FollowUpDialog(QDialog):
    """Schedule a call-back for `lead_id`, or change `followup`; saves it itself."""

    saved = Signal(object)
    """The `FollowUp` being written (the write is queued on the DB lane; its `Changes`
    reach the views through AppEvents, a failure is reported by the op runner)."""

    def __init__(
        self,
        ctx: AppContext,
        lead_id: str,
        parent: QWidget | None = None,
        *,
        followup: FollowUp | None = None,
        lead_name: str = "",
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.lead_id = lead_id
        self.followup = followup
        self.setWindowTitle(
            tr("followup", "Change call-back")
            if followup
            else tr("followup", "Schedule a call-back")
        )
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        if lead_name:
            name = plain_label(lead_name, self)
            name.setObjectName("lead-name")
            layout.addWidget(name)
        self.fields = FollowUpFields(ctx, self)
        if followup is not None:
            self.fields.show_followup(followup)
        layout.addWidget(self.fields)
        self.hint = plain_label("", self, wrap=True)
        set_tone(self.hint, Tone.WARN)
        self.hint.setMinimumHeight(self.fontMetrics().lineSpacing() + 4)
        layout.addWidget(self.hint)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(tr("followup", "Save"))
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self).activated.connect(self.save)
        self.fields.changed.connect(self._update_state)
        self._update_state()
        (self.fields.reason if followup else self.fields.when).setFocus()

    def _update_state(self) -> None:
        problem = self.fields.problem()
        self.hint.setText(problem)
        self.ok_button.setEnabled(not problem)

    def result_followup(self) -> FollowUp:
        """What Save writes (ValidationError when the form cannot be saved)."""
        problem = self.fields.problem()
        if problem:
            raise ValidationError(problem)
        now = self.ctx.clock.now()
        due, reason = self.fields.due_at(), self.fields.reason.text().strip()
        try:
            if self.followup is None:
                return new_followup(new_id(), self.lead_id, due, reason, now)
            return self.followup.after(FollowUpAction.UPDATE, now, due_at=due, reason=reason)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    def save(self) -> None:
        try:
            followup = self.result_followup()
        except ValidationError as exc:
            self.hint.setText(str(exc))
            return
        if self.followup is None:
            op = schedule_followup(parent=self.parent(), followup=followup)
        else:
            op = change_followup(
                parent=self.parent(), followup=followup, action=FollowUpAction.UPDATE
            )
        op.run_in_background(self.ctx.ops)
        self.saved.emit(followup)
        self.accept()


def ask_followup(
    ctx: AppContext,
    lead_id: str,
    parent: QWidget | None = None,
    *,
    followup: FollowUp | None = None,
    lead_name: str = "",
) -> FollowUpDialog:
    """Open the dialog (non-blocking); it saves the follow-up itself when confirmed."""
    dialog = FollowUpDialog(ctx, lead_id, parent, followup=followup, lead_name=lead_name)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


__all__ = ["PRESETS", "FollowUpDialog", "FollowUpFields", "ask_followup", "when_text"]
