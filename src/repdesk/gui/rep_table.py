"""`RepInputTable`: a table view that knows when the rep moved its current row.

Qt also makes a row current by itself (the first row when the table gains the focus with
none current, a reload) and code highlights rows (`select_lead`, Today's own first row).
Views that preview the current row elsewhere (the lead list and Today, into the lead view)
must follow only the rep's own moves: `by_rep` is True while the table handles the rep's
key press, mouse press or drag.
"""

from __future__ import annotations

from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QTableView


class RepInputTable(QTableView):
    by_rep = False
    """True while the table handles the rep's own key or mouse input."""

    def handle_key(self, event: QKeyEvent) -> None:
        """The table's key handling (override instead of keyPressEvent)."""
        super().keyPressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        self.by_rep = True
        try:
            self.handle_key(event)
        finally:
            self.by_rep = False

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self.by_rep = True
        try:
            super().mousePressEvent(event)
        finally:
            self.by_rep = False

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self.by_rep = True  # dragging over the rows moves the current row too
        try:
            super().mouseMoveEvent(event)
        finally:
            self.by_rep = False


__all__ = ["RepInputTable"]
