"""The Qualification tab: BANT answers against the rubric, editable, with their history."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from repdesk.domain.ids import utcnow
from repdesk.domain.qualification import (
    BANT_ORDER,
    BantAnswer,
    BantDimension,
    Confidence,
    Rubric,
)
from repdesk.domain.rubric import dimension_title, judge_answer
from repdesk.gui.context import AppContext
from repdesk.gui.lead_view.detail import LeadDetail
from repdesk.gui.lead_view.records import RecordColumn, RecordTableModel, setup_record_table
from repdesk.gui.ops import CollectionOp
from repdesk.gui.table_fit import ColumnFitter
from repdesk.gui.text import format_when, plain_label, set_plain, tr
from repdesk.gui.theme import SPACING, SPACING_S, Tone, set_tone

log = logging.getLogger(__name__)

_MAX_VERBATIM = 2000


def compact_combo(combo: QComboBox, characters: int) -> None:
    """Let a combo shrink to `characters` wide (long labels elide) so small screens fit."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)


def confidence_label(confidence: Confidence) -> str:
    return {
        Confidence.LOW: tr("bant", "Low"),
        Confidence.MEDIUM: tr("bant", "Medium"),
        Confidence.HIGH: tr("bant", "High"),
    }[confidence]


def value_label(rubric: Rubric | None, answer: BantAnswer) -> str:
    rubric_dimension = rubric.for_dimension(answer.dimension) if rubric else None
    option = rubric_dimension.option(answer.value) if rubric_dimension else None
    return option.label if option is not None else answer.value


def recorded_by_label(recorded_by: str, my_rep_id: str) -> str:
    """Who gave an answer, as a rep reads it (the hub's ids mean nothing to a person)."""
    if not recorded_by:
        return ""
    if recorded_by == my_rep_id:
        return tr("bant", "You")
    return tr("bant", "A colleague")


def history_model(
    parent: QWidget, rubric_of: _RubricHolder, my_rep_id: Callable[[], str] = lambda: ""
) -> RecordTableModel[BantAnswer]:
    columns: list[RecordColumn[BantAnswer]] = [
        RecordColumn(tr("bant", "When"), lambda a: format_when(a.recorded_at)),
        RecordColumn(tr("bant", "Dimension"), lambda a: dimension_title(a.dimension)),
        RecordColumn(tr("bant", "Answer"), lambda a: value_label(rubric_of.rubric, a)),
        RecordColumn(tr("bant", "Their words"), lambda a: a.verbatim),
        RecordColumn(tr("bant", "Confidence"), lambda a: confidence_label(a.confidence)),
        RecordColumn(tr("bant", "By"), lambda a: recorded_by_label(a.recorded_by, my_rep_id())),
    ]
    return RecordTableModel(columns, parent)


@dataclass
class _RubricHolder:
    rubric: Rubric | None = None


@dataclass
class _Row:
    value: QComboBox
    verbatim: QLineEdit
    confidence: QComboBox
    verdict: QLabel


class QualificationTab(QWidget):
    saved = Signal()
    """The edited answers were written (and queued for marketing)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("qualificationTab")
        self._detail: LeadDetail | None = None
        self._rubric = _RubricHolder()
        self._rows: dict[BantDimension, _Row] = {}

        answers = QGroupBox(tr("bant", "Current answers"), self)
        grid = QGridLayout(answers)
        grid.setHorizontalSpacing(SPACING)
        grid.setVerticalSpacing(SPACING_S)
        for column, title in enumerate(
            ("", tr("bant", "Answer"), tr("bant", "Confidence"), tr("bant", "Against the rubric"))
        ):
            caption = plain_label(title, answers)
            set_tone(caption, Tone.MUTED)
            grid.addWidget(caption, 0, column)
        for n, dimension in enumerate(BANT_ORDER):
            row_no = 1 + 2 * n
            heading = plain_label(dimension_title(dimension), answers)
            heading.setFont(_bold(heading))
            value = QComboBox(answers)
            value.setObjectName(f"bant_{dimension.value}")
            compact_combo(value, 14)
            verbatim = QLineEdit(answers)
            verbatim.setObjectName(f"bant_{dimension.value}_verbatim")
            verbatim.setMaxLength(_MAX_VERBATIM)
            verbatim.setPlaceholderText(tr("bant", "The prospect's words"))
            confidence = QComboBox(answers)
            compact_combo(confidence, 8)
            confidence.setToolTip(
                tr("bant", "How sure you are: High when they said it, Low when it is your guess")
            )
            for level in Confidence:
                confidence.addItem(confidence_label(level), int(level))
            verdict = plain_label("", answers, wrap=True)
            verdict.setMinimumWidth(90)
            for col, widget in enumerate((heading, value, confidence, verdict)):
                grid.addWidget(widget, row_no, col)
            # Their words get a line of their own: quotes are long, combos are not.
            grid.addWidget(verbatim, row_no + 1, 1, 1, 3)
            self._rows[dimension] = _Row(value, verbatim, confidence, verdict)
            for signal in (value.currentIndexChanged, confidence.currentIndexChanged):
                signal.connect(self._edited)
            verbatim.textEdited.connect(self._edited)
        # The answer gets the room: marketing's scale labels are long, the verdict is short.
        grid.setColumnStretch(1, 1)

        self.note = plain_label("", self, wrap=True)
        set_tone(self.note, Tone.MUTED)
        self.revert_button = QPushButton(tr("bant", "Undo edits"), self)
        self.revert_button.clicked.connect(self._fill)
        self.save_button = QPushButton(tr("bant", "Save answers"), self)
        self.save_button.setObjectName("saveBant")
        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.note, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)

        self.history = history_model(self, self._rubric, lambda: self.ctx.rep_id)
        self.history_view = QTableView(self)
        self.history_view.setObjectName("bantHistory")
        self.history_view.setModel(self.history)
        setup_record_table(self.history_view)
        # Their words and the answer share the width; when, dimension, confidence and who
        # fit their text.
        self.history_fitter = ColumnFitter(self.history_view, {3: 3.0, 2: 2.0})

        content = QWidget(self)
        inner = QVBoxLayout(content)
        inner.setContentsMargins(SPACING, SPACING, SPACING, SPACING)
        inner.addWidget(answers)
        inner.addLayout(buttons)
        inner.addWidget(plain_label(tr("bant", "History of changes"), content))
        self.history_view.setMinimumHeight(self.fontMetrics().height() * 6)
        inner.addWidget(self.history_view, 1)
        # Scrolls on small screens instead of forcing the whole window to be tall.
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.show_detail(None)

    # --- showing ----------------------------------------------------------------------------

    def show_detail(self, detail: LeadDetail | None) -> None:
        # A refresh while the rep is mid-edit (a sync, their own save) keeps the form.
        keep_form = (
            detail is not None
            and self._detail is not None
            and detail.lead.id == self._detail.lead.id
            and bool(self.pending_answers())
        )
        self._detail = detail
        self._rubric.rubric = detail.rubric if detail else None
        self.history.set_records(
            sorted(
                detail.bant_history if detail else (),
                key=lambda a: a.recorded_at or utcnow(),
                reverse=True,
            )
        )
        if keep_form:
            self._edited()
        else:
            self._fill()

    def _fill(self) -> None:
        detail = self._detail
        rubric = detail.rubric if detail else None
        for dimension, row in self._rows.items():
            answer = detail.bant.get(dimension) if detail else None
            for widget in (row.value, row.confidence):
                widget.blockSignals(True)
            row.value.clear()
            row.value.addItem(tr("bant", "Not asked yet"), "")
            rubric_dimension = rubric.for_dimension(dimension) if rubric else None
            for option in rubric_dimension.options if rubric_dimension else ():
                row.value.addItem(option.label, option.code)
            if answer is not None and answer.value and row.value.findData(answer.value) < 0:
                # A value the current rubric no longer lists: keep it visible, as is.
                row.value.addItem(answer.value, answer.value)
            row.value.setCurrentIndex(max(0, row.value.findData(answer.value if answer else "")))
            level = answer.confidence if answer else Confidence.MEDIUM
            row.confidence.setCurrentIndex(row.confidence.findData(int(level)))
            row.verbatim.setText(answer.verbatim if answer else "")
            row.verbatim.setCursorPosition(0)  # show the start of a long quote
            for widget in (row.value, row.confidence):
                widget.blockSignals(False)
            enabled = detail is not None and rubric is not None
            editors: tuple[QWidget, ...] = (row.value, row.verbatim, row.confidence)
            for editor in editors:
                editor.setEnabled(enabled)
        if detail is None:
            self.note.setText("")
        elif rubric is None:
            self.note.setText(tr("bant", "Marketing has not published a rubric yet."))
        else:
            self.note.setText(tr("bant", "Rubric: %1").replace("%1", rubric.name))
        self._edited()

    def _edited(self) -> None:
        changes = self.pending_answers()
        self.save_button.setEnabled(bool(changes))
        self.revert_button.setEnabled(bool(changes))
        rubric = self._detail.rubric if self._detail else None
        for dimension, row in self._rows.items():
            rubric_dimension = rubric.for_dimension(dimension) if rubric else None
            if rubric is None or rubric_dimension is None:
                set_plain(row.verdict, "")
                continue
            gap = judge_answer(rubric, rubric_dimension, self._answer_in_form(dimension))
            if gap is None:
                set_plain(row.verdict, tr("bant", "Meets the rubric"))
                set_tone(row.verdict, Tone.OK)
            else:
                # The row names the dimension already ("Timeframe: not asked yet").
                prefix = dimension_title(dimension, rubric_dimension) + ": "
                text = gap.explanation.removeprefix(prefix)
                set_plain(row.verdict, text[:1].upper() + text[1:])
                set_tone(row.verdict, Tone.WARN)

    # --- editing ----------------------------------------------------------------------------

    def _answer_in_form(self, dimension: BantDimension) -> BantAnswer | None:
        row = self._rows[dimension]
        value = row.value.currentData() or ""
        if not value:
            return None
        return BantAnswer(
            dimension=dimension,
            value=value,
            verbatim=row.verbatim.text().strip(),
            confidence=Confidence(row.confidence.currentData()),
            recorded_by=self.ctx.rep_id,
            recorded_at=utcnow(),
        )

    def pending_answers(self) -> Mapping[BantDimension, BantAnswer | None]:
        """What the form changed compared to the stored answers."""
        if self._detail is None:
            return {}
        changed: dict[BantDimension, BantAnswer | None] = {}
        for dimension in BANT_ORDER:
            stored = self._detail.bant.get(dimension)
            mine = self._answer_in_form(dimension)
            if not _same(stored, mine):
                changed[dimension] = mine
        return changed

    def set_answer(
        self,
        dimension: BantDimension,
        value: str,
        verbatim: str = "",
        confidence: Confidence = Confidence.MEDIUM,
    ) -> None:
        """Fill one row of the form (keyboard-free use and tests)."""
        row = self._rows[dimension]
        row.value.setCurrentIndex(max(0, row.value.findData(value)))
        row.verbatim.setText(verbatim)
        row.verbatim.setCursorPosition(0)
        row.confidence.setCurrentIndex(row.confidence.findData(int(confidence)))
        self._edited()

    def save(self) -> None:
        detail = self._detail
        answers = dict(self.pending_answers())
        if detail is None or not answers:
            return
        lead_id = detail.lead.id
        self.save_button.setEnabled(False)
        CollectionOp(parent=self, op=lambda c: c.store.update_bant(lead_id, answers)).success(
            lambda _changes: self.saved.emit()
        ).failure(self._save_failed).run_in_background(self.ctx.ops)

    def _save_failed(self, exc: BaseException) -> None:
        self._edited()
        self.ctx.ops.report_error(self, exc)


def _same(stored: BantAnswer | None, mine: BantAnswer | None) -> bool:
    if stored is None or not stored.value:
        return mine is None
    if mine is None:
        return False
    return (stored.value, stored.verbatim.strip(), stored.confidence) == (
        mine.value,
        mine.verbatim,
        mine.confidence,
    )


def _bold(label: QLabel) -> QFont:
    font = label.font()
    font.setBold(True)
    return font
