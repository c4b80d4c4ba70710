"""One BANT card: hub labels shown literally, keys that pick, words saved with the answer."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QPushButton

from repdesk.domain.qualification import (
    BantDimension,
    Confidence,
    RubricDimension,
    ScaleOption,
)
from repdesk.gui.text import plain_tooltip
from repdesk.gui.widgets.bant_card import MAX_OPTION_CHARS, BantCard

LONG = "Budget approved by the board & finance <b>after</b> a very long procurement process"


def _card(qtbot: Any) -> tuple[BantCard, list[object]]:
    card = BantCard(BantDimension.BUDGET, "B")
    qtbot.addWidget(card)
    card.set_rubric_dimension(
        RubricDimension(
            BantDimension.BUDGET,
            "Budget <i>?</i>",
            "Is there <script>budget</script>?",
            (ScaleOption("yes", LONG, True, "1"), ScaleOption("no", "No", False, "2")),
        )
    )
    card.show()
    qtbot.waitExposed(card)
    card.activateWindow()
    card.setFocus()
    qtbot.waitUntil(card.hasFocus)  # card keys act only while the card itself has focus
    emitted: list[object] = []
    card.answer_changed.connect(emitted.append)
    return card, emitted


def test_hub_labels_are_literal_and_long_ones_are_shortened(qtbot: Any) -> None:
    card, _ = _card(qtbot)
    assert card.title_label.text() == "Budget <i>?</i>"
    assert card.question_label.text() == "Is there <script>budget</script>?"
    assert card.question_label.textFormat() == Qt.TextFormat.PlainText
    button = card.findChild(QPushButton, "option-budget-yes")
    assert button is not None
    assert button.toolTip() == plain_tooltip(LONG)
    doc = QTextDocument()
    doc.setHtml(button.toolTip())
    assert doc.toPlainText() == LONG, "the tooltip renders the label's characters, not markup"
    shown = button.text().replace("&&", "&")
    assert shown.startswith("1  Budget approved by the board & finance")
    assert len(shown) == len("1  ") + MAX_OPTION_CHARS and shown.endswith("…")


def test_keys_pick_set_confidence_and_clear(qtbot: Any) -> None:
    card, emitted = _card(qtbot)
    qtbot.keyClick(card, Qt.Key.Key_H)
    assert emitted == [], "confidence alone is not an answer"
    qtbot.keyClick(card, Qt.Key.Key_2)
    answer = card.answer
    assert answer is not None and (answer.value, answer.confidence) == ("no", Confidence.HIGH)
    qtbot.keyClick(card, Qt.Key.Key_L)
    assert card.answer is not None and card.answer.confidence == Confidence.LOW
    assert card.status_label.text() == "✗ does not qualify"
    qtbot.keyClick(card, Qt.Key.Key_Delete)
    assert emitted[-1] is None and card.answer is None
    assert len(emitted) == 3


def test_words_typed_before_a_pick_are_saved_with_it(qtbot: Any) -> None:
    card, emitted = _card(qtbot)
    qtbot.keyClick(card, Qt.Key.Key_V)
    qtbot.keyClicks(card.verbatim, "board meets in May")
    qtbot.keyClick(card.verbatim, Qt.Key.Key_Return)
    assert emitted == [], "no value yet: nothing to save"
    card.setFocus()
    qtbot.waitUntil(card.hasFocus)
    qtbot.keyClick(card, Qt.Key.Key_1)
    answer = card.answer
    assert answer is not None and answer.verbatim == "board meets in May"
    card.verbatim.setFocus()
    card.verbatim.setText("board meets in June")
    card.setFocus()  # leaving the field commits the change
    assert card.answer is not None and card.answer.verbatim == "board meets in June"
    assert len(emitted) == 2


def test_long_words_show_their_start_not_their_end(qtbot: Any) -> None:
    """A QLineEdit shows the text around its cursor: after setText that is the END."""
    from repdesk.domain.qualification import BantAnswer

    card, _ = _card(qtbot)
    quote = "We would need the CFO to sign off, " * 6 + "and that takes a quarter"
    card.set_answer(BantAnswer(BantDimension.BUDGET, "yes", verbatim=quote))
    assert card.verbatim.text() == quote
    assert card.verbatim.cursorPosition() == 0

    qtbot.keyClick(card, Qt.Key.Key_V)
    card.verbatim.clear()
    qtbot.keyClicks(card.verbatim, quote)
    assert card.verbatim.cursorPosition() == len(quote), "while typing, the cursor follows"
    qtbot.keyClick(card.verbatim, Qt.Key.Key_Return)
    assert card.verbatim.cursorPosition() == 0
    assert card.answer is not None and card.answer.verbatim == quote
