"""The lead list's filter bar: search-as-you-type and the quick filters."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from repdesk.domain.leads import Campaign, LifecycleStage
from repdesk.gui.lead_list.labels import stage_labels
from repdesk.gui.text import one_line, plain_tooltip, tr
from repdesk.gui.theme import SPACING_S
from repdesk.store.api import LeadQuery

#: The search runs once the key events in hand are handled (a paste or a burst of keys is
#: one search); while it runs, the model keeps only the newest text for the next one, so
#: no fixed typing pause is added to every keystroke.
SEARCH_DEBOUNCE_MS = 0


class FilterBar(QWidget):
    """Emits `filter_changed` with a `LeadQuery` (filters only; the model keeps the sort)."""

    filter_changed = Signal(object)
    """A `LeadQuery`; search text once the pending key events are handled, quick filters
    at once."""
    move_down = Signal()
    """Down arrow or Enter in the search box: hand the keyboard to the list."""
    accepted = Signal()
    """Enter in the search box."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setObjectName("leadSearch")
        self.search.setPlaceholderText(tr("leads", "Search name, company, title or email (Ctrl+K)"))
        self.search.setClearButtonEnabled(True)
        self.search.installEventFilter(self)

        self.readiness = QComboBox(self)
        self.readiness.setObjectName("readinessFilter")
        self.readiness.addItem(tr("leads", "Ready or not"), None)
        self.readiness.addItem(tr("leads", "Sales-ready"), True)
        self.readiness.addItem(tr("leads", "Not yet ready"), False)

        self.stage = QComboBox(self)
        self.stage.setObjectName("stageFilter")
        self.stage.addItem(tr("leads", "All stages"), None)
        for stage, label in stage_labels().items():
            self.stage.addItem(label, stage.value)

        self.campaign = QComboBox(self)
        self.campaign.setObjectName("campaignFilter")
        self.campaign.setMaximumWidth(260)
        for combo, width in ((self.readiness, 5), (self.stage, 5), (self.campaign, 7)):
            # Shrinkable: the list pane can be narrow; the open popup shows full labels.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(width)
        self.campaign.addItem(tr("leads", "All campaigns"), None)

        self.unsent = QCheckBox(tr("leads", "Unsent changes"), self)
        self.unsent.setObjectName("unsentFilter")
        self.unsent.setToolTip(tr("leads", "Only leads with changes not sent to marketing yet"))

        quick = QHBoxLayout()
        quick.setContentsMargins(0, 0, 0, 0)
        quick.addWidget(self.readiness, 2)
        quick.addWidget(self.stage, 2)
        quick.addWidget(self.campaign, 3)
        quick.addWidget(self.unsent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACING_S)
        layout.addWidget(self.search)
        layout.addLayout(quick)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._emit)
        self.search.textChanged.connect(self._debounce.start)
        self.readiness.currentIndexChanged.connect(self._emit)
        self.stage.currentIndexChanged.connect(self._emit)
        self.campaign.currentIndexChanged.connect(self._emit)
        self.unsent.toggled.connect(self._emit)

    def query(self) -> LeadQuery:
        stage = self.stage.currentData()
        return LeadQuery(
            search=self.search.text().strip(),
            ready=self.readiness.currentData(),
            stage=LifecycleStage(stage) if stage else None,
            campaign_id=self.campaign.currentData(),
            has_unsent=True if self.unsent.isChecked() else None,
        )

    def set_campaigns(self, campaigns: Sequence[Campaign]) -> None:
        """Fill the campaign filter, keeping the chosen campaign when it still exists."""
        current = self.campaign.currentData()
        self.campaign.blockSignals(True)
        try:
            self.campaign.clear()
            self.campaign.addItem(tr("leads", "All campaigns"), None)
            for campaign in sorted(campaigns, key=lambda c: c.name.casefold()):
                # Combo items are plain text; cut long names so the bar keeps its shape.
                self.campaign.addItem(one_line(campaign.name, 40), campaign.id)
                self.campaign.setItemData(
                    self.campaign.count() - 1,
                    plain_tooltip(campaign.name),
                    Qt.ItemDataRole.ToolTipRole,
                )
            found = self.campaign.findData(current) if current is not None else 0
            self.campaign.setCurrentIndex(max(found, 0))
        finally:
            self.campaign.blockSignals(False)
        if current is not None and self.campaign.currentData() != current:
            self._emit()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def flush(self) -> None:
        """Apply pending search text now (Enter does not wait for the debounce)."""
        if self._debounce.isActive():
            self._debounce.stop()
            self._emit()

    def cancel_pending(self) -> None:
        """Drop a search still waiting for the typing pause (the window is going away)."""
        self._debounce.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown):
                self.flush()
                self.move_down.emit()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.flush()
                self.accepted.emit()
                return True
            if key == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                return True
        return super().eventFilter(watched, event)

    def _emit(self) -> None:
        self._debounce.stop()
        self.filter_changed.emit(self.query())
