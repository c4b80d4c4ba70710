"""The lead table model: a list of ids from SQL, row data fetched lazily in blocks.

Modelled on Anki's browser table model. The model never sorts or filters in Python:
`set_query` asks the store for the ids in order (`store.lead_ids`), and `data()` asks for
the rows around the one being painted (`store.lead_rows`) through the DB op lane, keeping
a small LRU cache. A row not fetched yet paints as "Loading…" for the few milliseconds
the DB lane needs; the GUI thread never waits on SQLite.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from repdesk.gui.lead_list.cells import (
    COLUMN_OF_SORT,
    SORT_OF_COLUMN,
    Column,
    column_titles,
    display,
    foreground,
    tooltip,
)
from repdesk.gui.ops import OpContext, OpRunner, QueryOp
from repdesk.gui.text import plain_tooltip, tr
from repdesk.store.api import LeadPage, LeadQuery, LeadRow

__all__ = [
    "BLOCK_SIZE",
    "CACHE_SIZE",
    "COLUMN_OF_SORT",
    "LEAD_ID_ROLE",
    "SORT_OF_COLUMN",
    "Column",
    "LeadTableModel",
]

log = logging.getLogger(__name__)

ModelIndex = QModelIndex | QPersistentModelIndex

#: Rows fetched per round trip: a screenful or two, so scrolling rarely waits.
BLOCK_SIZE = 120
#: Rows kept in memory; a few screens around where the rep has been looking.
CACHE_SIZE = 2000

#: The role that answers the lead id of a row (for views and tests).
LEAD_ID_ROLE = Qt.ItemDataRole.UserRole + 1


_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.ForegroundRole,
        _ALIGNMENT,
        LEAD_ID_ROLE,
    }
)


class LeadTableModel(QAbstractTableModel):
    """Lead ids in SQL order; row data on demand. Sorting re-runs the query in SQL."""

    ids_loaded = Signal()
    """A query finished and its ids are in the model (the row count is final)."""
    rows_loaded = Signal()
    """A block of rows arrived from the store."""
    about_to_reset = Signal()

    def __init__(self, runner: OpRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._ids: list[str] = []  # the first page until the whole list arrives
        self._total = 0  # rows of the whole list
        self._asked_past: int | None = None  # a row past the first page someone asked for
        self._cache: OrderedDict[str, LeadRow] = OrderedDict()
        self._inflight: set[str] = set()
        self._stale: set[str] = set()
        self._query = LeadQuery()
        self._query_seq = 0
        self._applied_seq = 0
        self._generation = 0
        self._titles = column_titles()
        self._asking = False  # an id query is on the DB lane
        self._ask_again = False  # a newer query was asked meanwhile: run it on the answer
        self.queries_run = 0
        """How many id queries went to the store (tests check that typing coalesces)."""

    # --- what the views and the filter bar use ---------------------------------------------

    @property
    def query(self) -> LeadQuery:
        return self._query

    @property
    def loading(self) -> bool:
        """The answer to the current query (its first screenful) is not painted yet."""
        return bool(self._inflight) or self._query_seq != self._applied_seq

    @property
    def complete(self) -> bool:
        """Every id of the current list is here (not only the first page)."""
        return not self.loading and len(self._ids) == self._total

    def set_query(self, query: LeadQuery) -> None:
        """Run `query` in SQL; the ids replace the current ones when they arrive.

        Answers arriving after a newer query was asked for are dropped, so typing fast
        never shows a stale list. While one query runs, newer ones wait for its answer and
        only the newest of them runs then: a fast typist never leaves a backlog of stale
        searches on the DB lane (this replaces a fixed typing-pause debounce).
        """
        self._query = query
        self._query_seq += 1
        if self._asking:
            self._ask_again = True
            return
        self._ask()

    def _ask(self) -> None:
        self._asking, self._ask_again = True, False
        seq, query = self._query_seq, self._query
        self.queries_run += 1
        QueryOp(
            parent=self,
            op=lambda c: _ids_and_first_rows(c, query),
            success=lambda result: self._answered(seq, *result),
        ).failure(self._ask_failed).run_in_background(self._runner)

    def _answered(self, seq: int, page: LeadPage, first_rows: list[LeadRow]) -> None:
        self._asking = False
        if self._ask_again:
            self._ask()  # this answer is stale (`_apply_ids` drops it)
            return
        self._apply_ids(seq, page.ids, first_rows, page.total)
        if page.total > len(page.ids):
            # The first screenful is painted; the rest of the ids follow on the DB lane.
            query = self._query
            QueryOp(
                parent=self,
                op=lambda c: c.store.lead_ids(query),
                success=lambda ids: self._rest_arrived(seq, ids),
            ).run_in_background(self._runner)

    def _rest_arrived(self, seq: int, ids: list[str]) -> None:
        if seq != self._query_seq or self._asking:
            return  # a newer query is on its way
        known = len(self._ids)
        if len(ids) != self._total or ids[:known] != self._ids:
            self._apply_ids(seq, ids, [], len(ids))  # the leads changed in between
            return
        self._ids = ids
        asked, self._asked_past = self._asked_past, None
        if asked is not None and asked < len(ids):
            self._fetch_around(asked)
        if known < len(ids):
            self.dataChanged.emit(self.index(known, 0), self.index(len(ids) - 1, len(Column) - 1))
        self.ids_loaded.emit()

    def _ask_failed(self, exc: BaseException) -> None:
        self._asking = False
        if self._ask_again:
            self._ask()
        self._runner.report_error(self, exc)

    def set_filter(self, query: LeadQuery) -> None:
        """Take the filters from `query` but keep the current sort."""
        self.set_query(replace(query, sort=self._query.sort, descending=self._query.descending))

    def refresh(self, lead_ids: frozenset[str] = frozenset()) -> None:
        """Re-run the current query (data changed) and re-fetch `lead_ids` (or every row).

        Cached rows stay on screen until their fresh copy arrives, so a refresh never
        flickers through "Loading…".
        """
        self._stale.update(lead_ids or self._cache.keys())
        self.set_query(self._query)

    def lead_id(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, lead_id: str) -> int | None:
        # A C-speed scan (about a millisecond at 100k ids) instead of a 100k-entry dict
        # rebuilt on every query: this is only asked when restoring a selection.
        try:
            return self._ids.index(lead_id)
        except ValueError:
            return None

    def cached_row(self, row: int) -> LeadRow | None:
        lead_id = self.lead_id(row)
        return self._cache.get(lead_id) if lead_id is not None else None

    @property
    def ids(self) -> Sequence[str]:
        return self._ids

    # --- QAbstractTableModel ----------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(Column)

    def headerData(  # noqa: N802
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        column = Column(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._titles[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == Column.SCORE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column not in SORT_OF_COLUMN:
            return tr("leads", "Changes about this lead not sent to marketing yet")
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
        row_no = index.row()
        if not index.isValid() or not 0 <= row_no < self._total:
            return None
        if role == LEAD_ID_ROLE:
            return self.lead_id(row_no)
        column = index.column()
        if role == _ALIGNMENT:
            return _RIGHT if column == Column.SCORE else None
        row = self._row(row_no)
        if row is None:
            if role == Qt.ItemDataRole.DisplayRole and column == Column.NAME:
                return tr("leads", "Loading…")
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(tooltip(row, column))
        return foreground(row, column)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Header clicks re-run the query with ORDER BY in SQL (never a proxy model)."""
        if not 0 <= column < len(Column):
            return
        sort = SORT_OF_COLUMN.get(Column(column))
        if sort is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if sort == self._query.sort and descending == self._query.descending:
            return
        self.set_query(replace(self._query, sort=sort, descending=descending))

    # --- internals --------------------------------------------------------------------------

    def _apply_ids(self, seq: int, ids: list[str], first_rows: list[LeadRow], total: int) -> None:
        if seq != self._query_seq:
            return  # a newer query is on its way
        self._applied_seq = seq
        for row in first_rows:
            self._cache[row.id] = row
            self._cache.move_to_end(row.id)
            self._stale.discard(row.id)
        if ids == self._ids and total == self._total:
            # Same leads in the same order (the usual refresh): repaint, keep everything.
            if ids:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(len(ids) - 1, len(Column) - 1), []
                )
            self.ids_loaded.emit()
            return
        self.about_to_reset.emit()
        self.beginResetModel()
        self._ids = ids
        self._total = total
        self._asked_past = None
        self._generation += 1
        self._inflight.clear()
        self.endResetModel()
        self.ids_loaded.emit()

    def _row(self, row_no: int) -> LeadRow | None:
        if row_no >= len(self._ids):
            self._asked_past = row_no  # fetched once its id arrives
            return None
        lead_id = self._ids[row_no]
        row = self._cache.get(lead_id)
        if row is not None:
            self._cache.move_to_end(lead_id)
            if lead_id in self._stale and lead_id not in self._inflight:
                self._fetch_around(row_no)
            return row
        if lead_id not in self._inflight:
            self._fetch_around(row_no)
        return None

    def _fetch_around(self, row_no: int) -> None:
        # Mostly forward: views paint top to bottom and reps scroll down.
        start = max(0, row_no - BLOCK_SIZE // 4)
        wanted = [
            lead_id
            for lead_id in self._ids[start : start + BLOCK_SIZE]
            if (lead_id not in self._cache or lead_id in self._stale)
            and lead_id not in self._inflight
        ]
        if not wanted:
            return
        self._inflight.update(wanted)
        generation = self._generation
        fetch: Callable[[OpContext], list[LeadRow]] = lambda c: c.store.lead_rows(wanted)  # noqa: E731
        QueryOp(
            parent=self,
            op=fetch,
            success=lambda rows: self._apply_rows(generation, start, wanted, rows),
        ).failure(lambda exc: self._fetch_failed(generation, wanted, exc)).run_in_background(
            self._runner
        )

    def _apply_rows(
        self, generation: int, start: int, wanted: list[str], rows: list[LeadRow]
    ) -> None:
        if generation != self._generation:
            return  # the id list changed meanwhile; the view asks again for what it shows
        self._inflight.difference_update(wanted)
        self._stale.difference_update(wanted)
        for row in rows:
            self._cache[row.id] = row
            self._cache.move_to_end(row.id)
        # Leads that vanished between the id query and this fetch keep a blank row until
        # the refresh their removal triggers; remember them so they are not asked again.
        found = {row.id for row in rows}
        for lead_id in wanted:
            if lead_id not in found:
                self._cache[lead_id] = _gone(lead_id)
        while len(self._cache) > CACHE_SIZE:
            dropped, _row = self._cache.popitem(last=False)
            self._stale.discard(dropped)
        # Same generation, same ids: everything fetched lies in the block it was asked for.
        bottom = min(start + BLOCK_SIZE, len(self._ids)) - 1
        if bottom >= start:
            self.dataChanged.emit(
                self.index(start, 0),
                self.index(bottom, len(Column) - 1),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole],
            )
        self.rows_loaded.emit()

    def _fetch_failed(self, generation: int, wanted: list[str], exc: BaseException) -> None:
        # The ids stay "in flight" so painting does not retry in a loop; the next refresh
        # (any change, or F5) asks again. One message, not one per repaint.
        del generation, wanted
        log.error("could not load lead rows", exc_info=exc)
        self._runner.error_reported.emit(
            tr("leads", "Some leads could not be loaded. Try again with F5.")
        )


def _ids_and_first_rows(c: OpContext, query: LeadQuery) -> tuple[LeadPage, list[LeadRow]]:
    """The first screenful of ids with the count, plus their rows in the same trip to the
    DB lane, so a new search paints complete rows at once instead of "Loading…" first
    (and a broad one does not wait for every match to be sorted)."""
    page = c.store.lead_page(query, BLOCK_SIZE)
    return page, c.store.lead_rows(page.ids)


def _gone(lead_id: str) -> LeadRow:
    from repdesk.domain.leads import LifecycleStage

    return LeadRow(
        id=lead_id,
        name=tr("leads", "(no longer assigned to you)"),
        company="",
        title="",
        stage=LifecycleStage.OTHER,
        score=0,
        ready=False,
        missing="",
        last_touch_at=None,
        next_step="",
        unsent=0,
    )
