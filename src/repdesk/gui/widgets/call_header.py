"""The call console's header: who is on the line, live readiness, and the call timer."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from repdesk.domain.leads import Lead
from repdesk.gui.text import plain_label, tr
from repdesk.gui.theme import SPACING_L, Tone, scaled_font, set_tone
from repdesk.gui.widgets.call_timer import CallTimer
from repdesk.gui.widgets.readiness import ReadinessBadge


class CallHeader(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.timer = CallTimer(self)
        self.name_label = plain_label(tr("call", "Loading lead…"), self)
        self.name_label.setObjectName("lead-name")
        self.name_label.setFont(scaled_font(self.font(), 2, bold=True))
        self.company_label = plain_label("", self)
        self.company_label.setObjectName("lead-company")
        set_tone(self.company_label, Tone.MUTED)
        self.readiness = ReadinessBadge(self)
        self.readiness.setMinimumWidth(320)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        who = QVBoxLayout()
        who.addWidget(self.name_label)
        who.addWidget(self.company_label)
        layout.addLayout(who, 1)
        layout.addWidget(self.readiness)
        layout.addSpacing(SPACING_L)
        layout.addWidget(self.timer, 0, Qt.AlignmentFlag.AlignTop)

    def show_lead(self, lead: Lead | None) -> None:
        """Name, then title · company · phone; all plain text whatever the hub sent."""
        if lead is None:
            self.name_label.setText(tr("call", "This lead is no longer on your list"))
            self.company_label.setText(
                tr("call", "What you enter is still kept and sent to marketing.")
            )
            return
        self.name_label.setText(lead.full_name)
        self.company_label.setText(
            " · ".join(p for p in (lead.title, lead.company, lead.phone) if p)
        )
