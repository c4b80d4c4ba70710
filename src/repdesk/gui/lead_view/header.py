"""The lead view's header: who, where, stage, score and readiness per marketing's rubric."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QToolButton, QVBoxLayout, QWidget

from repdesk.domain.ids import utcnow
from repdesk.domain.rubric import missing_summary
from repdesk.domain.speed_to_lead import FirstCallDue
from repdesk.gui.handoff import dial_string
from repdesk.gui.lead_list.labels import stage_label
from repdesk.gui.lead_view.detail import LeadDetail
from repdesk.gui.text import plain_label, set_plain, tr
from repdesk.gui.theme import SPACING, SPACING_L, SPACING_S, Tone, scaled_font, set_tone


def _amount(delta: timedelta) -> str:
    """A coarse span, rounded down: "40 min", "5 h", "3 days"."""
    minutes = max(1, int(delta.total_seconds()) // 60)
    if minutes < 60:
        return tr("lead", "%n min", n=minutes)
    if minutes < 48 * 60:
        return tr("lead", "%n h", n=minutes // 60)
    return tr("lead", "%n days", n=minutes // (24 * 60))


def first_call_text(due: FirstCallDue, now: datetime) -> str:
    """ "First call due in 5 h (SLA 24 h)" or "First call overdue by 2 h (SLA 24 h)"."""
    left = due.left(now)
    sla = tr("lead", "(SLA %n h)", n=due.sla_hours)
    if left < timedelta(0):
        return (
            tr("lead", "First call overdue by %1 %2")
            .replace("%1", _amount(-left))
            .replace("%2", sla)
        )
    return tr("lead", "First call due in %1 %2").replace("%1", _amount(left)).replace("%2", sla)


class LeadHeader(QWidget):
    """All plain text: a lead called `<b>x</b>` reads exactly that."""

    dial_requested = Signal(str)
    """The rep clicked the phone number (a `tel:` link): the number as the lead has it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("leadHeader")
        self.name = plain_label("", self)
        self.name.setObjectName("leadName")
        self.name.setFont(scaled_font(self.font(), 2, bold=True))
        self.role = plain_label("", self, wrap=True)
        self.role.setObjectName("leadRole")
        self.contact = plain_label("", self, wrap=True)
        set_tone(self.contact, Tone.MUTED)
        # The phone is a tel: link (plain text on a button, never markup): the system's
        # dialer or softphone takes it, and the call console opens with its timer running.
        self._phone: str = ""
        self.phone = QToolButton(self)
        self.phone.setObjectName("leadPhone")
        self.phone.setAutoRaise(True)
        self.phone.setCursor(Qt.CursorShape.PointingHandCursor)
        self.phone.clicked.connect(lambda: self.dial_requested.emit(self._phone))
        link_font = self.phone.font()
        link_font.setUnderline(True)
        self.phone.setFont(link_font)
        self._style_phone()
        self.dial_note = plain_label("", self, wrap=True)
        self.dial_note.setObjectName("dialNote")
        set_tone(self.dial_note, Tone.WARN)
        self.dial_note.hide()

        self.stage = plain_label("", self)
        self.score = plain_label("", self)
        self.readiness = plain_label("", self)
        self.readiness.setObjectName("leadReadiness")
        self.readiness.setFont(scaled_font(self.font(), 0, bold=True))
        self.missing = plain_label("", self, wrap=True)
        self.missing.setObjectName("leadMissing")
        self.first_call = plain_label("", self)
        self.first_call.setObjectName("leadFirstCall")
        self.first_call.setFont(scaled_font(self.font(), 0, bold=True))
        self._due: FirstCallDue | None = None
        # The countdown moves on while the lead stays on screen.
        self._tick = QTimer(self)
        self._tick.setInterval(60_000)
        self._tick.timeout.connect(self.refresh_first_call)

        facts = QGridLayout()
        facts.setHorizontalSpacing(SPACING_L)
        facts.setVerticalSpacing(SPACING_S)
        for column, (title, value) in enumerate(
            (
                (tr("lead", "Stage"), self.stage),
                (tr("lead", "Score"), self.score),
                (tr("lead", "Readiness"), self.readiness),
            )
        ):
            caption = plain_label(title, self)
            set_tone(caption, Tone.MUTED)
            facts.addWidget(caption, 0, column)
            facts.addWidget(value, 1, column)
        facts.setColumnStretch(3, 1)

        who = QVBoxLayout()
        who.setSpacing(SPACING_S)
        who.addWidget(self.name)
        who.addWidget(self.role)
        who.addWidget(self.contact)
        who.addWidget(self.phone, 0, Qt.AlignmentFlag.AlignLeft)
        who.addWidget(self.dial_note)
        who.addWidget(self.first_call)

        top = QHBoxLayout()
        top.addLayout(who, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING, SPACING, SPACING, SPACING_S)
        layout.setSpacing(SPACING)
        layout.addLayout(top)
        layout.addLayout(facts)
        layout.addWidget(self.missing)
        self.clear()

    def clear(self) -> None:
        set_plain(self.name, tr("lead", "No lead selected"))
        for label in (self.role, self.contact, self.stage, self.score, self.readiness):
            set_plain(label, "")
        set_plain(self.missing, tr("lead", "Pick a lead on the left, or press Ctrl+K to search."))
        self._show_first_call(None)
        self.show_phone("")

    def _style_phone(self) -> None:
        """The number reads as a link in the palette in effect (its link colour)."""
        palette = self.phone.palette()
        link = QGuiApplication.palette().color(QPalette.ColorRole.Link)
        palette.setColor(QPalette.ColorRole.ButtonText, link)
        self.phone.setPalette(palette)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._style_phone()

    def show_phone(self, phone: str) -> None:
        """The number as a call button; shown as text only when it cannot be dialled."""
        self._phone = phone
        self.dial_note.hide()
        dialable = bool(dial_string(phone))
        self.phone.setVisible(bool(phone))
        self.phone.setEnabled(dialable)
        shown = phone.replace("&", "&&")  # a button reads "&" as a shortcut marker
        self.phone.setText(tr("lead", "Call %1").replace("%1", shown) if dialable else shown)
        self.phone.setToolTip(
            tr("lead", "Call %1 with this computer's phone app").replace("%1", phone)
            if dialable
            else ""
        )
        self.phone.setAccessibleName(tr("lead", "Call %1").replace("%1", phone))

    def say_not_dialled(self, phone: str) -> None:
        set_plain(
            self.dial_note,
            tr(
                "lead",
                "No app on this computer takes phone links, so repdesk could not dial. "
                "%1 is copied: dial it on your phone.",
            ).replace("%1", phone),
        )
        self.dial_note.show()

    def _show_first_call(self, due: FirstCallDue | None) -> None:
        self._due = due
        if due is None:
            self._tick.stop()
        else:
            self._tick.start()
        self.refresh_first_call()

    def refresh_first_call(self, now: datetime | None = None) -> None:
        """The speed-to-lead line as of `now` (default: the clock); hidden when no first
        call is due."""
        due = self._due
        self.first_call.setVisible(due is not None)
        if due is None:
            set_plain(self.first_call, "")
            return
        now = now or utcnow()
        set_plain(self.first_call, first_call_text(due, now))
        set_tone(self.first_call, Tone.BAD if due.overdue(now) else Tone.WARN)

    def show_detail(self, detail: LeadDetail) -> None:
        lead = detail.lead
        set_plain(self.name, lead.full_name or tr("lead", "(no name)"))
        role = " · ".join(p for p in (lead.title, lead.company) if p)
        set_plain(self.role, role)
        set_plain(self.contact, "   ".join(p for p in (lead.email, lead.country) if p))
        self.show_phone(lead.phone)
        set_plain(self.stage, stage_label(lead.lifecycle_stage))
        trend = detail.brief.score_trend
        score = str(lead.score)
        if trend.change_30d:
            score += tr("lead", "  (%1 in 30 days)").replace("%1", f"{trend.change_30d:+d}")
        set_plain(self.score, score)
        self._show_first_call(detail.first_call)
        result = detail.readiness
        if result is None:
            set_plain(self.readiness, tr("lead", "No rubric yet"))
            set_tone(self.readiness, Tone.MUTED)
            set_plain(self.missing, tr("lead", "Marketing has not published a rubric yet."))
            return
        if result.ready:
            set_plain(self.readiness, tr("lead", "Sales-ready"))
            set_tone(self.readiness, Tone.OK)
            set_plain(self.missing, tr("lead", "Meets every point of marketing's rubric."))
            set_tone(self.missing, Tone.MUTED)
            return
        set_plain(
            self.readiness,
            tr("lead", "Not yet: %1").replace("%1", missing_summary(result)),
        )
        set_tone(self.readiness, Tone.WARN)
        set_plain(self.missing, "; ".join(gap.explanation for gap in result.gaps))
        set_tone(self.missing, None)
