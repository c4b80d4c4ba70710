"""The Timeline tab: nurture history and the rep's own work, grouped by day, filterable by type."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from repdesk.gui.lead_list.labels import plural
from repdesk.gui.lead_view.timeline_model import (
    ENTRY_ROLE,
    EntryFilter,
    TimelineColumn,
    TimelineModel,
    entry_kind_text,
    event_type_labels,
    kind_labels,
)
from repdesk.gui.text import format_when, plain_label, set_plain, tr
from repdesk.gui.theme import SPACING, Tone, set_tone
from repdesk.store.api import TimelineEntry, TimelineKind

ALL = ""


def _filter_for(key: str) -> EntryFilter | None:
    """Filter keys: "" (all), "kind:<TimelineKind>", "event:<NurtureEventType>"."""
    if not key:
        return None
    scope, _, value = key.partition(":")
    if scope == "kind":
        return lambda e: e.kind == value
    return lambda e: e.kind == TimelineKind.NURTURE and e.event_type == value


class TimelineTab(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timelineTab")
        self.model = TimelineModel(self)
        self.type_filter = QComboBox(self)
        self.type_filter.setObjectName("timelineFilter")
        self.type_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.summary = plain_label("", self)
        set_tone(self.summary, Tone.MUTED)
        self.tree = QTreeView(self)
        self.tree.setObjectName("timelineTree")
        self.tree.setModel(self.model)
        # Uniform heights let the view skip measuring each of hundreds of rows.
        self.tree.setUniformRowHeights(True)
        self.tree.setRootIsDecorated(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setWordWrap(False)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.resizeSection(TimelineColumn.TIME, 96)
        header.resizeSection(TimelineColumn.KIND, 135)
        header.resizeSection(TimelineColumn.DETAIL, 200)
        header.setSectionResizeMode(TimelineColumn.TITLE, QHeaderView.ResizeMode.Stretch)

        # The selected entry in full (a long call note, an objection's words): plain text
        # that can be scrolled, selected and copied, instead of a screen-filling tooltip.
        self.reader_title = plain_label("", self)
        self.reader_title.setObjectName("timelineReaderTitle")
        set_tone(self.reader_title, Tone.MUTED)
        self.reader = QPlainTextEdit(self)
        self.reader.setObjectName("timelineReader")
        self.reader.setReadOnly(True)
        self.reader.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.reader.setPlaceholderText(tr("timeline", "Select an entry to read all of it here."))
        reader_box = QWidget(self)
        reader_layout = QVBoxLayout(reader_box)
        reader_layout.setContentsMargins(0, 0, 0, 0)
        reader_layout.addWidget(self.reader_title)
        reader_layout.addWidget(self.reader, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(reader_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)

        bar = QHBoxLayout()
        bar.addWidget(plain_label(tr("timeline", "Show"), self))
        bar.addWidget(self.type_filter)
        bar.addStretch(1)
        bar.addWidget(self.summary)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING, SPACING, SPACING, SPACING)
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)

        self.type_filter.currentIndexChanged.connect(self._filter_changed)
        self.model.modelReset.connect(self._after_reset)
        self.tree.selectionModel().currentChanged.connect(self._show_current)
        self.tree.activated.connect(self._read)
        self._fill_filter(())

    def set_entries(self, entries: Sequence[TimelineEntry]) -> None:
        self._fill_filter(entries)
        self.model.set_entries(
            entries, predicate=_filter_for(self.type_filter.currentData() or ALL)
        )

    def set_filter_key(self, key: str) -> bool:
        """Choose a filter by key ("kind:note", "event:web_visit"); False if not offered."""
        found = self.type_filter.findData(key)
        if found < 0:
            return False
        self.type_filter.setCurrentIndex(found)
        return True

    def _fill_filter(self, entries: Sequence[TimelineEntry]) -> None:
        current = self.type_filter.currentData() or ALL
        kinds = {e.kind for e in entries}
        event_types = {e.event_type for e in entries if e.kind == TimelineKind.NURTURE}
        self.type_filter.blockSignals(True)
        try:
            self.type_filter.clear()
            self.type_filter.addItem(tr("timeline", "All activity"), ALL)
            for kind, label in kind_labels().items():
                if kind in kinds:
                    self.type_filter.addItem(label, f"kind:{kind.value}")
            for event_type, label in event_type_labels().items():
                if event_type in event_types:
                    self.type_filter.addItem("    " + label, f"event:{event_type}")
            self.type_filter.setCurrentIndex(max(0, self.type_filter.findData(current)))
        finally:
            self.type_filter.blockSignals(False)

    def _filter_changed(self, _index: int) -> None:
        self.model.set_filter(_filter_for(self.type_filter.currentData() or ALL))

    def _show_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        entry = current.siblingAtColumn(0).data(ENTRY_ROLE) if current.isValid() else None
        if not isinstance(entry, TimelineEntry):
            set_plain(self.reader_title, "")
            self.reader.setPlainText("")
            return
        heading = f"{entry_kind_text(entry)} · {format_when(entry.at)}"
        set_plain(self.reader_title, heading)
        self.reader.setPlainText(entry.detail or entry.title)

    def _read(self, index: QModelIndex) -> None:
        """Enter or double-click on an entry: the keyboard goes to its full text."""
        if isinstance(index.siblingAtColumn(0).data(ENTRY_ROLE), TimelineEntry):
            self.reader.setFocus(Qt.FocusReason.OtherFocusReason)

    def _after_reset(self) -> None:
        self._show_current(QModelIndex(), QModelIndex())
        root = QModelIndex()
        for row in range(self.model.rowCount()):
            self.tree.setFirstColumnSpanned(row, root, True)
        self.tree.expandAll()
        shown = len(self.model.entries())
        total = len(self.model.all_entries)
        if total == 0:
            text = tr("timeline", "Nothing has happened with this lead yet.")
        elif shown == total:
            text = plural("timeline", total, "%n entry", "%n entries")
        else:
            text = (
                tr("timeline", "%1 of %2 entries")
                .replace("%1", str(shown))
                .replace("%2", str(total))
            )
        self.summary.setText(text)
