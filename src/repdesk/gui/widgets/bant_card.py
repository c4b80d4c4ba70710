"""One BANT dimension in the call console: quick-pick scale, the prospect's words, confidence.

Keys while the card has focus (the console puts it there with Alt+B/A/N/T):
digits pick a scale option and hand focus back to the notes; L/M/H set the confidence;
V (or Tab) goes to the prospect's words, where Enter saves and returns to the notes;
Delete clears the answer; Esc returns to the notes. Keys the card does not use bubble up
to the console (so plain B/A/N/T jump to another card).
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from repdesk.domain.ids import utcnow
from repdesk.domain.qualification import BantAnswer, BantDimension, Confidence, RubricDimension
from repdesk.domain.rubric import dimension_title
from repdesk.gui.text import one_line, plain_label, plain_tooltip, tr
from repdesk.gui.theme import SPACING_S, Tone, scaled_font, set_tone

#: Hub limit on a verbatim quote (protocol MAX_TEXT; the GUI may not import the protocol).
MAX_VERBATIM = 20_000

#: Scale labels longer than this are shortened on their button.
MAX_OPTION_CHARS = 44

_CONFIDENCE_KEYS = {Qt.Key.Key_L: Confidence.LOW, Qt.Key.Key_M: Confidence.MEDIUM}
_CONFIDENCE_KEYS[Qt.Key.Key_H] = Confidence.HIGH


#: Scale and confidence buttons: the chosen one must stand out at a glance during a call.
_CHOICE_STYLE = (
    "QPushButton { text-align: left; padding: 3px 8px; border: 1px solid palette(mid);"
    " border-radius: 4px; background: palette(button); }"
    "QPushButton:checked { background: palette(highlight); color: palette(highlighted-text);"
    " border-color: palette(highlight); }"
)


def _mnemonic_safe(text: str) -> str:
    """Button text treats "&" as a shortcut marker; rubric labels must show it literally."""
    return text.replace("&", "&&")


class BantCard(QFrame):
    """Shows and edits one `BantAnswer`; emits `answer_changed` for every change the rep makes."""

    answer_changed = Signal(object)
    """The new `BantAnswer`, or None when the rep cleared it."""
    leave_requested = Signal()
    """The rep is done with this card: the console returns focus to the notes."""

    def __init__(self, dimension: BantDimension, letter: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.dimension = dimension
        self.letter = letter
        self.rep_id = ""
        self._rubric_dimension: RubricDimension | None = None
        self._answer: BantAnswer | None = None
        self._confidence = Confidence.MEDIUM
        self._option_buttons: dict[str, QPushButton] = {}
        self._keys: dict[str, str] = {}
        self.setObjectName(f"bant-{dimension.value}")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setProperty("active", False)
        self.setStyleSheet(
            "BantCard { border: 1px solid palette(mid); border-radius: 6px; }"
            'BantCard[active="true"] { border: 2px solid palette(highlight); }'
        )

        layout = QVBoxLayout(self)
        layout.setSpacing(SPACING_S)
        header = QHBoxLayout()
        self.key_label = plain_label(letter, self)
        self.key_label.setFont(scaled_font(self.font(), 1, bold=True))
        set_tone(self.key_label, Tone.ACCENT)
        self.key_label.setToolTip(
            tr("call", "Alt+%1 (or Ctrl+%2) jumps here")
            .replace("%1", letter)
            .replace("%2", str("BANT".find(letter) + 1))
        )
        self.title_label = plain_label(dimension_title(dimension), self)
        self.title_label.setFont(scaled_font(self.font(), 0.5, bold=True))
        self.status_label = plain_label("", self)
        header.addWidget(self.key_label)
        header.addWidget(self.title_label, 1)
        header.addWidget(self.status_label)
        layout.addLayout(header)

        self.question_label = plain_label("", self, wrap=True)
        set_tone(self.question_label, Tone.MUTED)
        layout.addWidget(self.question_label)

        self._options_box = QVBoxLayout()
        self._options_box.setSpacing(2)
        layout.addLayout(self._options_box)

        self.verbatim = QLineEdit(self)
        self.verbatim.setObjectName(f"verbatim-{dimension.value}")
        self.verbatim.setMaxLength(MAX_VERBATIM)
        self.verbatim.setPlaceholderText(tr("call", "Their words (V)…"))
        self.verbatim.editingFinished.connect(self._commit_verbatim)
        self.verbatim.returnPressed.connect(self.leave_requested.emit)
        layout.addWidget(self.verbatim)

        conf_row = QHBoxLayout()
        conf_row.addWidget(plain_label(tr("call", "Confidence:"), self))
        self._conf_buttons: dict[Confidence, QPushButton] = {}
        for conf, text in (
            (Confidence.LOW, tr("call", "L low")),
            (Confidence.MEDIUM, tr("call", "M medium")),
            (Confidence.HIGH, tr("call", "H high")),
        ):
            button = QPushButton(text, self)
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setStyleSheet(_CHOICE_STYLE)
            button.clicked.connect(lambda _checked=False, c=conf: self.set_confidence(c))
            conf_row.addWidget(button)
            self._conf_buttons[conf] = button
        conf_row.addStretch(1)
        layout.addLayout(conf_row)
        layout.addStretch(1)
        self.setTabOrder(self, self.verbatim)
        self._refresh()

    # --- state -----------------------------------------------------------------------------

    @property
    def answer(self) -> BantAnswer | None:
        return self._answer

    @property
    def rubric_dimension(self) -> RubricDimension | None:
        """Marketing's scale for this card (None when the rubric leaves it out)."""
        return self._rubric_dimension

    def set_rubric_dimension(self, rubric_dimension: RubricDimension | None) -> None:
        self._rubric_dimension = rubric_dimension
        while self._options_box.count():
            item = self._options_box.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self._option_buttons.clear()
        self._keys.clear()
        if rubric_dimension is None:
            self.question_label.setText(tr("call", "Not part of the rubric."))
            self._refresh()
            return
        self.title_label.setText(dimension_title(self.dimension, rubric_dimension))
        self.setAccessibleName(dimension_title(self.dimension, rubric_dimension))
        self.setAccessibleDescription(rubric_dimension.question)
        self.question_label.setText(rubric_dimension.question)
        for index, option in enumerate(rubric_dimension.options, start=1):
            key = option.key or (str(index) if index < 10 else "")
            label = option.label or option.code
            # Long hub labels are cut (full text in the tooltip) so the console stays usable.
            button = QPushButton(
                _mnemonic_safe(f"{key}  {one_line(label, MAX_OPTION_CHARS)}"), self
            )
            button.setToolTip(plain_tooltip(label))
            button.setObjectName(f"option-{self.dimension.value}-{option.code}")
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setStyleSheet(_CHOICE_STYLE)
            button.clicked.connect(lambda _checked=False, code=option.code: self.pick(code))
            self._options_box.addWidget(button)
            self._option_buttons[option.code] = button
            if key:
                self._keys[key] = option.code
        self._refresh()

    def set_answer(self, answer: BantAnswer | None) -> None:
        """Show a stored answer (does not emit `answer_changed`)."""
        self._answer = answer
        if answer is not None:
            self._confidence = answer.confidence
            self.verbatim.setText(answer.verbatim)
            # setText leaves the cursor (and the view) at the end: show how the quote starts.
            self.verbatim.setCursorPosition(0)
        self._refresh()

    def pick(self, code: str) -> None:
        """Choose a scale option, keeping the words and confidence entered so far."""
        if not self.verbatim.hasFocus():
            self.verbatim.setCursorPosition(0)  # the words read from their start
        self._change(code)

    def set_confidence(self, confidence: Confidence) -> None:
        self._confidence = confidence
        if self._answer is not None and self._answer.confidence != confidence:
            self._change(self._answer.value)
        else:
            self._refresh()

    def clear(self) -> None:
        if self._answer is None:
            return
        self._answer = None
        self.verbatim.clear()
        self._refresh()
        self.answer_changed.emit(None)

    def set_active(self, active: bool) -> None:
        if self.property("active") == active:
            return
        self.setProperty("active", active)
        self.style().unpolish(self)
        self.style().polish(self)

    def _change(self, code: str) -> None:
        self._answer = BantAnswer(
            dimension=self.dimension,
            value=code,
            verbatim=self.verbatim.text().strip(),
            confidence=self._confidence,
            recorded_by=self.rep_id,
            recorded_at=utcnow(),
        )
        self._refresh()
        self.answer_changed.emit(self._answer)

    def _commit_verbatim(self) -> None:
        # Done typing: scroll a long quote back to its start, which is what the rep reads.
        self.verbatim.setCursorPosition(0)
        # Words typed before a value is picked are kept in the field and saved with the pick.
        words = self.verbatim.text().strip()
        if self._answer is not None and words != self._answer.verbatim:
            self._answer = replace(self._answer, verbatim=words, recorded_at=utcnow())
            self._refresh()
            self.answer_changed.emit(self._answer)

    def _refresh(self) -> None:
        value = self._answer.value if self._answer else None
        for code, button in self._option_buttons.items():
            button.setChecked(code == value)
        for conf, button in self._conf_buttons.items():
            button.setChecked(conf == self._confidence)
        option = self._rubric_dimension.option(value) if self._rubric_dimension and value else None
        if self._answer is None:
            self.status_label.setText(tr("call", "not asked"))
            set_tone(self.status_label, Tone.MUTED)
        elif option is None:
            self.status_label.setText(tr("call", "? not on the scale"))
            set_tone(self.status_label, Tone.WARN)
        elif option.qualifies:
            self.status_label.setText(tr("call", "✓ qualifies"))
            set_tone(self.status_label, Tone.OK)
        else:
            self.status_label.setText(tr("call", "✗ does not qualify"))
            set_tone(self.status_label, Tone.BAD)

    # --- keyboard --------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        key = event.key()
        # Keys the words field did not take (e.g. the Return that already saved them) bubble
        # up here too: only Esc applies to them, everything else needs the card's own focus.
        if mods == Qt.KeyboardModifier.NoModifier and key == Qt.Key.Key_Escape:
            self.leave_requested.emit()
            return
        if mods == Qt.KeyboardModifier.NoModifier and self.hasFocus():
            text = event.text()
            if text and text in self._keys:
                self.pick(self._keys[text])
                self.leave_requested.emit()
                return
            if key in _CONFIDENCE_KEYS:
                self.set_confidence(_CONFIDENCE_KEYS[Qt.Key(key)])
                return
            if key in (Qt.Key.Key_V, Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.verbatim.setFocus(Qt.FocusReason.ShortcutFocusReason)
                return
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.clear()
                return
        super().keyPressEvent(event)
