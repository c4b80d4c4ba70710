"""Record an objection the prospect raised: marketing's category, their words, severity.

Usable from anywhere (call console, lead view): `ObjectionDialog(ctx, lead_id, parent)`,
then `.open()`; it saves through the store itself and emits `saved(Objection)`.
Keyboard-complete: type to pick the category, Tab through the fields, Ctrl+Enter saves,
Esc cancels.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from repdesk.domain.feedback import Objection, ObjectionCategory, Severity
from repdesk.domain.ids import new_id, utcnow
from repdesk.domain.leads import Campaign, Collateral
from repdesk.gui.context import AppContext
from repdesk.gui.ops import CollectionOp, OpContext, QueryOp
from repdesk.gui.text import one_line, plain_label, plain_tooltip, tr
from repdesk.gui.theme import Tone, set_tone

MAX_TEXT = 20_000
"""Hub limit on free text (protocol MAX_TEXT; the GUI may not import the protocol)."""
MAX_COMPETITOR = 200


@dataclass(frozen=True, slots=True)
class _Choices:
    categories: list[ObjectionCategory]
    campaigns: list[Campaign]
    collateral: list[Collateral]


def _load_choices(lead_id: str, c: OpContext) -> _Choices:
    store = c.store
    for_lead = store.collateral_for_lead(lead_id)
    seen = {x.id for x in for_lead}
    rest = [x for x in store.collateral() if x.id not in seen]
    return _Choices(store.objection_categories(), store.campaigns(), for_lead + rest)


def severity_name(severity: Severity) -> str:
    """One word for lists: "low", "medium", "high", "blocker"."""
    return {
        Severity.LOW: tr("objection", "low"),
        Severity.MEDIUM: tr("objection", "medium"),
        Severity.HIGH: tr("objection", "high"),
        Severity.BLOCKER: tr("objection", "blocker"),
    }[severity]


def _severity_label(severity: Severity) -> str:
    return {
        Severity.LOW: tr("objection", "1  Low: a passing concern"),
        Severity.MEDIUM: tr("objection", "2  Medium: needs an answer"),
        Severity.HIGH: tr("objection", "3  High: could stop the deal"),
        Severity.BLOCKER: tr("objection", "4  Blocker: stops the deal as is"),
    }[severity]


class ObjectionDialog(QDialog):
    saved = Signal(object)
    """The `Objection` as written to the store (and queued for upload)."""

    def __init__(
        self,
        ctx: AppContext,
        lead_id: str,
        parent: QWidget | None = None,
        *,
        campaign_id: str | None = None,
        collateral_id: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.lead_id = lead_id
        self._want_campaign = campaign_id
        self._want_collateral = collateral_id
        self.setWindowTitle(tr("objection", "Add objection"))
        self.setMinimumWidth(520)

        form = QFormLayout()
        self.category = QComboBox(self)
        self.category.setObjectName("category")
        self.category.setEnabled(False)
        self.category.addItem(tr("objection", "Loading categories…"))
        self.verbatim = QPlainTextEdit(self)
        self.verbatim.setObjectName("verbatim")
        self.verbatim.setTabChangesFocus(True)
        self.verbatim.setPlaceholderText(tr("objection", "What did they say, in their words?"))
        self.verbatim.setFixedHeight(self.fontMetrics().lineSpacing() * 5)
        self.severity = QComboBox(self)
        self.severity.setObjectName("severity")
        for sev in Severity:
            self.severity.addItem(_severity_label(sev), int(sev))
        self.severity.setCurrentIndex(self.severity.findData(int(Severity.MEDIUM)))
        self.competitor = QLineEdit(self)
        self.competitor.setObjectName("competitor")
        self.competitor.setMaxLength(MAX_COMPETITOR)
        self.competitor.setPlaceholderText(tr("objection", "Optional: which vendor they named"))
        self.campaign = QComboBox(self)
        self.campaign.setObjectName("campaign")
        self.collateral = QComboBox(self)
        self.collateral.setObjectName("collateral")
        for combo in (self.campaign, self.collateral):
            combo.addItem(tr("objection", "None"), None)

        form.addRow(self._buddy(tr("objection", "&Category"), self.category), self.category)
        form.addRow(self._buddy(tr("objection", "&Their words"), self.verbatim), self.verbatim)
        form.addRow(self._buddy(tr("objection", "Se&verity"), self.severity), self.severity)
        form.addRow(self._buddy(tr("objection", "Com&petitor"), self.competitor), self.competitor)
        form.addRow(self._buddy(tr("objection", "Ca&mpaign"), self.campaign), self.campaign)
        form.addRow(self._buddy(tr("objection", "Co&llateral"), self.collateral), self.collateral)

        self.description = plain_label("", self, wrap=True)
        set_tone(self.description, Tone.MUTED)
        self.problem = plain_label("", self, wrap=True)
        set_tone(self.problem, Tone.BAD)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setText(tr("objection", "Save (Ctrl+Enter)"))
        save.setEnabled(False)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self).activated.connect(self.save)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.description)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.category.currentIndexChanged.connect(self._update_state)
        self._saving = False
        self.setTabOrder(self.category, self.verbatim)

        QueryOp(
            parent=self, op=lambda c: _load_choices(lead_id, c), success=self._fill
        ).run_in_background(ctx.ops)

    def _buddy(self, text: str, widget: QWidget) -> QLabel:
        # Our own translated text (never server data), so the "&" mnemonic may apply.
        label = QLabel(text, self)
        label.setBuddy(widget)
        return label

    def _fill(self, choices: _Choices) -> None:
        self.category.clear()
        if not choices.categories:
            self.problem.setText(
                tr(
                    "objection",
                    "Marketing's objection categories are not here yet: sync once, then try "
                    "again. Meanwhile, put the objection in your call notes.",
                )
            )
        else:
            self.category.addItem(tr("objection", "Choose a category…"), None)
            for cat in choices.categories:
                self.category.addItem(cat.label or cat.code, cat.code)
                self.category.setItemData(
                    self.category.count() - 1,
                    plain_tooltip(cat.description),
                    Qt.ItemDataRole.ToolTipRole,
                )
            self.category.setEnabled(True)
        self._categories = {c.code: c for c in choices.categories}
        for combo, entries in (
            (self.campaign, [(c.id, c.name) for c in choices.campaigns]),
            (self.collateral, [(x.id, x.title) for x in choices.collateral]),
        ):
            for entry_id, name in entries:
                # Long names are cut in the list; the tooltip has them whole (literally).
                combo.addItem(one_line(name, 60), entry_id)
                combo.setItemData(
                    combo.count() - 1, plain_tooltip(name), Qt.ItemDataRole.ToolTipRole
                )
        for combo, wanted in (
            (self.campaign, self._want_campaign),
            (self.collateral, self._want_collateral),
        ):
            index = combo.findData(wanted) if wanted else -1
            if index >= 0:
                combo.setCurrentIndex(index)
        self.category.setFocus(Qt.FocusReason.OtherFocusReason)
        self._update_state()

    def _update_state(self) -> None:
        code = self.category.currentData()
        cat = getattr(self, "_categories", {}).get(code)
        self.description.setText(cat.description if cat else "")
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setEnabled(cat is not None and not self._saving)

    def objection(self) -> Objection | None:
        """What the form holds, or None while no category is chosen."""
        code = self.category.currentData()
        if not code:
            return None
        return Objection(
            id=new_id(),
            lead_id=self.lead_id,
            category_code=str(code),
            verbatim=self.verbatim.toPlainText().strip()[:MAX_TEXT],
            created_at=utcnow(),
            severity=Severity(int(self.severity.currentData())),
            campaign_id=self.campaign.currentData(),
            collateral_id=self.collateral.currentData(),
            competitor=self.competitor.text().strip(),
        )

    def save(self) -> None:
        objection = self.objection()
        if objection is None or self._saving:
            if objection is None:
                self.problem.setText(tr("objection", "Choose a category first."))
                self.category.setFocus()
            return
        self._saving = True
        self._update_state()

        def done(_changes: object) -> None:
            self.saved.emit(objection)
            self.accept()

        def failed(exc: BaseException) -> None:
            self._saving = False
            self._update_state()
            self.ctx.ops.report_error(self, exc)

        CollectionOp(parent=self, op=lambda c: c.store.add_objection(objection)).success(
            done
        ).failure(failed).run_in_background(self.ctx.ops)
