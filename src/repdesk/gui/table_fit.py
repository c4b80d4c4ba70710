"""Share a table's width between its columns so that it never needs a horizontal scrollbar.

    ColumnFitter(table, weights={0: 3, 1: 2, 2: 1.5})

Columns without a weight fit their contents (short ones: sizes, states, dates). Weighted
columns share the rest in proportion to their weights, each getting no more than its
contents need while another one is still short of room; spare room goes to the first
column named in `weights`. Long text is elided (its tooltip has it whole). The fit is
redone when the rows change, and shortly after the table is resized.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QHeaderView, QTableView

log = logging.getLogger(__name__)

#: Resizes and row changes in a burst (a splitter drag, a refresh) fit once.
FIT_DELAY_MS = 40


def share_width(
    available: int, needs: Mapping[int, int], weights: Mapping[int, float], minimum: int
) -> dict[int, int]:
    """Column widths that add up to at most `available` whenever that is possible.

    `needs` holds what each column's contents want; columns not in `weights` get exactly
    that. Each weighted one first gets `minimum` (or its need, if smaller); the rest of the
    room is shared by weight (water-filling: a column never gets more than its need while
    another is short), and room left over goes to the first column named in `weights`.
    """
    sizes = {c: need for c, need in needs.items() if c not in weights}
    flexible = [c for c in needs if c in weights]
    if not flexible:
        return sizes
    for c in flexible:
        sizes[c] = min(needs[c], minimum)
    budget = available - sum(sizes.values())
    short = {c: needs[c] - sizes[c] for c in flexible if needs[c] > sizes[c]}
    while short and budget > 0:
        total = sum(weights[c] for c in short)
        shares = {c: budget * weights[c] / total for c in short}
        satisfied = [c for c in short if short[c] <= shares[c]]
        if not satisfied:
            for c in short:
                sizes[c] += int(shares[c])
            return sizes
        for c in satisfied:
            sizes[c] += short.pop(c)
            budget -= needs[c] - min(needs[c], minimum)
    if not short and budget > 0:
        # The first column named in `weights` is the one worth reading in full.
        sizes[next(c for c in weights if c in sizes)] += budget
    return sizes


class ColumnFitter(QObject):
    """Keeps `table`'s columns inside its viewport (see the module docstring)."""

    def __init__(self, table: QTableView, weights: Mapping[int, float]) -> None:
        super().__init__(table)
        self.table = table
        self.weights = dict(weights)
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FIT_DELAY_MS)
        self._timer.timeout.connect(self.fit)
        self._viewport = table.viewport()
        self._viewport.installEventFilter(self)
        model = table.model()
        # New rows are measured at once (a handful of rows: cheap); resizes come in bursts.
        for signal in (model.modelReset, model.layoutChanged, model.rowsInserted):
            signal.connect(self.fit)
        model.dataChanged.connect(self.schedule)

    def schedule(self, *_args: object) -> None:
        self._timer.start()

    @property
    def pending(self) -> bool:
        """A fit is scheduled but has not run yet."""
        return self._timer.isActive()

    def flush(self) -> None:
        """Run a scheduled fit now (before taking a screenshot, say)."""
        if self._timer.isActive():
            self._timer.stop()
            self.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        # Compared with the viewport kept at start: while the table is being destroyed,
        # asking it for its viewport would fail.
        if watched is self._viewport and event.type() == QEvent.Type.Resize:
            self.schedule()
        return False

    def fit(self, *_args: object) -> None:
        self._timer.stop()
        table = self.table
        if not shiboken6.isValid(table):
            return
        header = table.horizontalHeader()
        model = table.model()
        if model is None:
            return
        columns = [c for c in range(model.columnCount()) if not header.isSectionHidden(c)]
        needs = {c: max(header.sectionSizeHint(c), table.sizeHintForColumn(c), 1) for c in columns}
        sizes = share_width(
            table.viewport().width(), needs, self.weights, header.minimumSectionSize()
        )
        for column, size in sizes.items():
            if header.sectionSize(column) != size:
                header.resizeSection(column, size)
