"""A badge saying whether a lead is sales-ready under the rubric, and what is still missing."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from repdesk.domain.qualification import RubricResult
from repdesk.gui.text import plain_label, tr
from repdesk.gui.theme import SPACING_S, Tone, scaled_font, set_tone


class ReadinessBadge(QWidget):
    """Title ("Sales-ready" / "Not ready yet") in a semantic colour, then one line per gap."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACING_S)
        self.title = plain_label(tr("readiness", "Readiness: loading…"), self)
        self.title.setFont(scaled_font(self.font(), 1, bold=True))
        self.details = plain_label("", self, wrap=True)
        layout.addWidget(self.title)
        layout.addWidget(self.details)
        self._result: RubricResult | None = None

    @property
    def result(self) -> RubricResult | None:
        return self._result

    def set_result(self, result: RubricResult | None) -> None:
        self._result = result
        if result is None:
            self.title.setText(tr("readiness", "No rubric yet"))
            set_tone(self.title, Tone.MUTED)
            self.details.setText(tr("readiness", "Sync to get marketing's definition."))
            return
        if result.ready:
            self.title.setText(tr("readiness", "✓ Sales-ready"))
            set_tone(self.title, Tone.OK)
            self.details.setText(tr("readiness", "Meets marketing's rubric."))
            return
        self.title.setText(tr("readiness", "Not ready yet"))
        set_tone(self.title, Tone.WARN)
        self.details.setText("\n".join(f"• {gap.explanation}" for gap in result.gaps))
