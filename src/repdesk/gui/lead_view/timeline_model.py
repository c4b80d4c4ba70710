"""The timeline as a two-level item model: days, then that day's entries, newest first."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import date, datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QFont

from repdesk.domain.ids import ensure_utc, utcnow
from repdesk.domain.leads import NurtureEventType
from repdesk.gui.lead_list.labels import plural
from repdesk.gui.text import preview_tooltip, tr
from repdesk.gui.theme import Tone, tone_color
from repdesk.store.api import TimelineEntry, TimelineKind

ModelIndex = QModelIndex | QPersistentModelIndex
EntryFilter = Callable[[TimelineEntry], bool]

#: The role answering the `TimelineEntry` of an entry row (None for a day row).
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 3
#: Day rows have internal id 0; an entry row's internal id is its day's row + 1.
_DAY_ID = 0
_TYPE_IN_TITLE = frozenset({TimelineKind.NURTURE, TimelineKind.NOTE, TimelineKind.OBJECTION})
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
#: Longer "x: y" heads are part of what happened, not a repeat of the entry's type.
_MAX_TYPE_PREFIX = 24


class TimelineColumn(IntEnum):
    TIME = 0
    KIND = 1
    TITLE = 2
    DETAIL = 3


@functools.cache  # painted per cell: translate once
def kind_labels() -> dict[TimelineKind, str]:
    return {
        TimelineKind.NURTURE: tr("timeline", "Marketing"),
        TimelineKind.NOTE: tr("timeline", "Call note"),
        TimelineKind.OBJECTION: tr("timeline", "Objection"),
        TimelineKind.DISPOSITION: tr("timeline", "Disposition"),
        TimelineKind.COLLATERAL_USE: tr("timeline", "Collateral"),
        TimelineKind.QUALIFICATION: tr("timeline", "Qualification"),
    }


@functools.cache
def event_type_labels() -> dict[str, str]:
    return {
        NurtureEventType.EMAIL_SENT: tr("timeline", "Email sent"),
        NurtureEventType.EMAIL_OPENED: tr("timeline", "Email opened"),
        NurtureEventType.EMAIL_CLICKED: tr("timeline", "Email clicked"),
        NurtureEventType.WEB_VISIT: tr("timeline", "Web visit"),
        NurtureEventType.FORM_FILL: tr("timeline", "Form filled"),
        NurtureEventType.CONTENT_DOWNLOAD: tr("timeline", "Download"),
        NurtureEventType.WEBINAR_REGISTERED: tr("timeline", "Webinar sign-up"),
        NurtureEventType.WEBINAR_ATTENDED: tr("timeline", "Webinar attended"),
        NurtureEventType.EVENT_BOOTH: tr("timeline", "Event booth"),
        NurtureEventType.SCORE_CHANGE: tr("timeline", "Score change"),
        NurtureEventType.STAGE_CHANGE: tr("timeline", "Stage change"),
        NurtureEventType.SALES_HANDOFF: tr("timeline", "Handed to sales"),
    }


def entry_kind_text(entry: TimelineEntry) -> str:
    if entry.kind == TimelineKind.NURTURE and entry.event_type:
        return event_type_labels().get(entry.event_type, entry.event_type)
    return kind_labels().get(entry.kind, str(entry.kind))


def entry_title(entry: TimelineEntry) -> str:
    """The title without the type the Type column already shows ("Web visit: /pricing")."""
    title = " ".join(entry.title.split())
    # Only where the head repeats the type; "Sent: Datasheet" and "Budget: approved" keep it.
    if entry.kind in _TYPE_IN_TITLE:
        head, sep, rest = title.partition(": ")
        if sep and rest and len(head) <= _MAX_TYPE_PREFIX:
            return rest
    return title


def day_label(day: date, today: date) -> str:
    delta = (today - day).days
    if delta == 0:
        return tr("timeline", "Today")
    if delta == 1:
        return tr("timeline", "Yesterday")
    return day.strftime("%A, %d %B %Y")


def _local(at: datetime) -> datetime:
    return ensure_utc(at).astimezone()


_COLUMNS = len(TimelineColumn)


class TimelineModel(QAbstractItemModel):
    """Day rows at the top level (first column spans the row); entries below each day."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._all: list[TimelineEntry] = []
        self._days: list[tuple[date, list[TimelineEntry]]] = []
        self._filter: EntryFilter | None = None
        self._today = _local(utcnow()).date()

    # --- feeding ----------------------------------------------------------------------------

    def set_entries(
        self,
        entries: Sequence[TimelineEntry],
        today: date | None = None,
        predicate: EntryFilter | None = None,
    ) -> None:
        """Show `entries` (any order), filtered by `predicate`, in one model reset."""
        self._all = sorted(entries, key=lambda e: ensure_utc(e.at), reverse=True)
        self._today = today or _local(utcnow()).date()
        self._filter = predicate
        self._regroup()

    def set_filter(self, predicate: EntryFilter | None) -> None:
        self._filter = predicate
        self._regroup()

    def entries(self) -> list[TimelineEntry]:
        """The entries currently shown (after the filter), newest first."""
        return [entry for _day, group in self._days for entry in group]

    @property
    def all_entries(self) -> Sequence[TimelineEntry]:
        return self._all

    def day_count(self) -> int:
        return len(self._days)

    def day_of_row(self, row: int) -> date | None:
        return self._days[row][0] if 0 <= row < len(self._days) else None

    def _regroup(self) -> None:
        self.beginResetModel()
        days: list[tuple[date, list[TimelineEntry]]] = []
        for entry in self._all:
            if self._filter is not None and not self._filter(entry):
                continue
            day = _local(entry.at).date()
            if not days or days[-1][0] != day:
                days.append((day, []))
            days[-1][1].append(entry)
        self._days = days
        self.endResetModel()

    # --- QAbstractItemModel -----------------------------------------------------------------

    def index(self, row: int, column: int, parent: ModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        # Bounds checked here rather than through hasIndex(): expandAll() calls this for
        # every row, and each Python-to-Qt round trip counts at 500 entries.
        if not 0 <= column < _COLUMNS:
            return QModelIndex()
        if not parent.isValid():
            if 0 <= row < len(self._days):
                return self.createIndex(row, column, _DAY_ID)
            return QModelIndex()
        day_row = parent.row()
        if (
            parent.internalId() == _DAY_ID
            and parent.column() == 0
            and 0 <= day_row < len(self._days)
            and 0 <= row < len(self._days[day_row][1])
        ):
            return self.createIndex(row, column, day_row + 1)
        return QModelIndex()

    def parent(self, index: ModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        internal = index.internalId()
        if internal == _DAY_ID:
            return QModelIndex()
        return self.createIndex(internal - 1, 0, _DAY_ID)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        if not parent.isValid():
            return len(self._days)
        if parent.internalId() == _DAY_ID and parent.column() == 0:
            return len(self._days[parent.row()][1]) if 0 <= parent.row() < len(self._days) else 0
        return 0

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        del parent  # every level has the same columns
        return len(TimelineColumn)

    def headerData(  # noqa: N802
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = {
            TimelineColumn.TIME: tr("timeline", "Time"),
            TimelineColumn.KIND: tr("timeline", "Type"),
            TimelineColumn.TITLE: tr("timeline", "What happened"),
            TimelineColumn.DETAIL: tr("timeline", "Details"),
        }
        return titles.get(TimelineColumn(section)) if 0 <= section < len(titles) else None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        internal = index.internalId()
        if internal == _DAY_ID:
            return self._day_data(index.row(), index.column(), role)
        day_row = internal - 1
        if not 0 <= day_row < len(self._days):
            return None
        group = self._days[day_row][1]
        if not 0 <= index.row() < len(group):
            return None
        return self._entry_data(group[index.row()], index.column(), role)

    def _day_data(self, row: int, column: int, role: int) -> Any:
        if not 0 <= row < len(self._days) or column != TimelineColumn.TIME:
            return None
        day, group = self._days[row]
        if role == Qt.ItemDataRole.DisplayRole:
            count = plural("timeline", len(group), "%n entry", "%n entries")
            return f"{day_label(day, self._today)}  ·  {count}"
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        return None

    @staticmethod
    def _entry_data(entry: TimelineEntry, column: int, role: int) -> Any:
        if role == ENTRY_ROLE:
            return entry
        if role == Qt.ItemDataRole.DisplayRole:
            if column == TimelineColumn.TIME:
                return _local(entry.at).strftime("%H:%M")
            if column == TimelineColumn.KIND:
                return entry_kind_text(entry)
            if column == TimelineColumn.TITLE:
                title = entry_title(entry)
                return title + (tr("timeline", "  (not sent yet)") if entry.unsent else "")
            if column == TimelineColumn.DETAIL:
                return " ".join(entry.detail.split())
            return None
        if role == Qt.ItemDataRole.ToolTipRole and column in (
            TimelineColumn.TITLE,
            TimelineColumn.DETAIL,
        ):
            text = entry.title if column == TimelineColumn.TITLE else entry.detail
            if column == TimelineColumn.TITLE and len(entry.detail) > len(text):
                text = entry.detail
            return preview_tooltip(text, tr("timeline", "Select the row to read all of it below."))
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == TimelineColumn.KIND and entry.kind != TimelineKind.NURTURE:
                return QBrush(tone_color(Tone.ACCENT))
            if column == TimelineColumn.TIME:
                return QBrush(tone_color(Tone.MUTED))
        return None
