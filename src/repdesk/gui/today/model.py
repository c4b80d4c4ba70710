"""Today's table model: the store's `TodayItem`s (lead ids and why), lead rows fetched lazily.

Like the lead list, the model holds ids from SQL and asks for the rows it paints in blocks
(`store.lead_rows`) on the DB lane; a row not fetched yet reads "Loading…". The "When"
column counts down against `ctx.clock`; `tick()` repaints it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush

from repdesk.domain.ids import ensure_utc
from repdesk.domain.today import TodayItem, TodayKind
from repdesk.gui.ops import OpContext, OpRunner, QueryOp
from repdesk.gui.text import one_line, plain_tooltip, tr
from repdesk.gui.theme import Tone, tone_color
from repdesk.store.api import LeadRow

log = logging.getLogger(__name__)

ModelIndex = QModelIndex | QPersistentModelIndex
BLOCK_SIZE = 100
LEAD_ID_ROLE = Qt.ItemDataRole.UserRole + 1
ITEM_ROLE = Qt.ItemDataRole.UserRole + 2
_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.ForegroundRole,
        LEAD_ID_ROLE,
        ITEM_ROLE,
    }
)
"""The roles `data` answers."""


class Column(IntEnum):
    WHEN = 0
    LEAD = 1
    WHY = 2


_TONES = {
    TodayKind.OVERDUE: Tone.BAD,
    TodayKind.FIRST_CALL: Tone.WARN,
    TodayKind.DUE_TODAY: None,
    TodayKind.WHY_NOW: Tone.OK,
}


def span(delta: timedelta) -> str:
    """ "40 min", "5 h", "3 days" (rounded down, at least a minute)."""
    minutes = max(1, int(abs(delta).total_seconds()) // 60)
    if minutes < 60:
        return tr("today", "%n min", n=minutes)
    if minutes < 48 * 60:
        return tr("today", "%n h", n=minutes // 60)
    return tr("today", "%n days", n=minutes // (24 * 60))


def when_label(item: TodayItem, now: datetime, tz: tzinfo) -> str:
    """The "When" cell: "Overdue 2 h", "First call in 5 h", "Due 15:30", "Why now"."""
    left = ensure_utc(item.at) - ensure_utc(now)
    if item.kind is TodayKind.OVERDUE:
        return tr("today", "Overdue %1").replace("%1", span(left))
    if item.kind is TodayKind.FIRST_CALL:
        if left < timedelta(0):
            return tr("today", "First call overdue %1").replace("%1", span(left))
        return tr("today", "First call in %1").replace("%1", span(left))
    if item.kind is TodayKind.DUE_TODAY:
        return tr("today", "Due %1").replace(
            "%1", ensure_utc(item.at).astimezone(tz).strftime("%H:%M")
        )
    return tr("today", "Why now")


def why_label(item: TodayItem) -> str:
    """The "Why" cell, plain text (the rep's own words, or the lead's recent touches)."""
    if item.kind in (TodayKind.OVERDUE, TodayKind.DUE_TODAY):
        what = item.reason or tr("today", "no note")
        return tr("today", "Call-back: %1").replace("%1", what)
    if item.kind is TodayKind.FIRST_CALL:
        return tr("today", "New lead: first call within marketing's %n h", n=item.sla_hours or 0)
    return item.reason


class TodayModel(QAbstractTableModel):
    loaded = Signal()
    """A Today list arrived (the row count is final)."""
    rows_loaded = Signal()

    def __init__(self, runner: OpRunner, clock: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._clock = clock
        self._items: list[TodayItem] = []
        self._rows: dict[str, LeadRow] = {}
        self._inflight: set[str] = set()
        self._gone: set[str] = set()
        self._seq = 0
        self._generation = 0
        self.ever_loaded = False
        self._titles = {
            Column.WHEN: tr("today", "When"),
            Column.LEAD: tr("today", "Lead"),
            Column.WHY: tr("today", "Why"),
        }

    # --- what the view uses ---------------------------------------------------------------

    @property
    def items(self) -> Sequence[TodayItem]:
        return self._items

    def item(self, row: int) -> TodayItem | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def row_of(self, lead_id: str) -> int | None:
        for row, item in enumerate(self._items):
            if item.lead_id == lead_id:
                return row
        return None

    def cached_row(self, lead_id: str) -> LeadRow | None:
        return self._rows.get(lead_id)

    def load(self, now: datetime, day_end: datetime, day: str) -> None:
        """Ask the store for today's list; a newer load's answer wins."""
        if self._runner.closed:
            return
        self._seq += 1
        seq = self._seq

        def read(c: OpContext) -> tuple[list[TodayItem], list[LeadRow]]:
            items = c.store.today(now, day_end, day)
            return items, c.store.lead_rows([i.lead_id for i in items[:BLOCK_SIZE]])

        QueryOp(parent=self, op=read, success=lambda r: self._apply(seq, *r)).run_in_background(
            self._runner
        )

    def tick(self) -> None:
        """The clock moved on: repaint the countdowns."""
        if self._items:
            self.dataChanged.emit(
                self.index(0, Column.WHEN),
                self.index(len(self._items) - 1, Column.WHEN),
                [Qt.ItemDataRole.DisplayRole],
            )

    # --- QAbstractTableModel --------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(Column)

    def headerData(  # noqa: N802
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(Column)
        ):
            return self._titles[Column(section)]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every role of every visible cell on each paint: bail out early for
        # roles this model never answers (font, decoration, size hint, ...).
        if role not in _ROLES:
            return None
        item = self.item(index.row()) if index.isValid() else None
        if item is None:
            return None
        column = Column(index.column())
        if role == LEAD_ID_ROLE:
            return item.lead_id
        if role == ITEM_ROLE:
            return item
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(item, column)
        if role == Qt.ItemDataRole.ToolTipRole and column is not Column.WHEN:
            return plain_tooltip(self._text(item, column, full=True))
        if role == Qt.ItemDataRole.ForegroundRole and column is Column.WHEN:
            tone = _TONES[item.kind]
            if item.kind is TodayKind.FIRST_CALL and item.at < self._clock.now():
                tone = Tone.BAD
            return QBrush(tone_color(tone)) if tone is not None else None
        return None

    def _text(self, item: TodayItem, column: Column, *, full: bool = False) -> str:
        if column is Column.WHEN:
            return when_label(item, self._clock.now(), self._clock.tz())
        if column is Column.WHY:
            text = why_label(item)
            return text if full else one_line(text, 160)
        row = self._rows.get(item.lead_id)
        if row is None and item.lead_id in self._gone:
            return tr("today", "(no longer assigned to you)")
        if row is None:
            if item.lead_id not in self._inflight:
                self._fetch_around(self.row_of(item.lead_id) or 0)
            return tr("today", "Loading…")
        who = " · ".join(p for p in (row.name, row.company) if p)
        return who if full else one_line(who, 80)

    # --- internals ------------------------------------------------------------------------

    def _apply(self, seq: int, items: list[TodayItem], rows: list[LeadRow]) -> None:
        if seq != self._seq:
            return
        self.ever_loaded = True
        for row in rows:
            self._rows[row.id] = row
        if items == self._items:
            self.tick()
            self.loaded.emit()
            return
        self.beginResetModel()
        self._items = items
        self._generation += 1
        self._inflight.clear()
        self._gone.clear()
        self.endResetModel()
        self.loaded.emit()

    def forget_rows(self, lead_ids: frozenset[str] = frozenset()) -> None:
        """Lead rows changed (a new name, a reassignment): fetch them again when painted."""
        if lead_ids:
            for lead_id in lead_ids:
                self._rows.pop(lead_id, None)
        else:
            self._rows.clear()

    def _fetch_around(self, row_no: int) -> None:
        start = max(0, row_no - BLOCK_SIZE // 4)
        wanted = [
            i.lead_id
            for i in self._items[start : start + BLOCK_SIZE]
            if i.lead_id not in self._rows and i.lead_id not in self._inflight
        ]
        if not wanted or self._runner.closed:
            return
        self._inflight.update(wanted)
        generation = self._generation
        QueryOp(
            parent=self,
            op=lambda c: c.store.lead_rows(wanted),
            success=lambda rows: self._rows_arrived(generation, wanted, rows),
        ).run_in_background(self._runner)

    def _rows_arrived(self, generation: int, wanted: list[str], rows: list[LeadRow]) -> None:
        self._inflight.difference_update(wanted)
        for row in rows:
            self._rows[row.id] = row
        self._gone.update(set(wanted) - {row.id for row in rows})
        if generation == self._generation and self._items:
            self.dataChanged.emit(
                self.index(0, Column.LEAD),
                self.index(len(self._items) - 1, Column.LEAD),
                [Qt.ItemDataRole.DisplayRole],
            )
        self.rows_loaded.emit()


__all__ = [
    "BLOCK_SIZE",
    "ITEM_ROLE",
    "LEAD_ID_ROLE",
    "Column",
    "TodayModel",
    "span",
    "when_label",
    "why_label",
]
