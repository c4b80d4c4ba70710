"""`DraftKeeper`: writes a call's notes to its draft file shortly after each change.

Debounced (a pause in typing saves), with a ceiling (non-stop typing still saves every
`DRAFT_MAX_DELAY_MS`), so a crash loses at most the last burst of keystrokes. Writes run on
the ops runner's FILES lane, in order; a discard queued after them lands last.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QObject, QTimer, Signal

from repdesk.gui.ops import Lane, OpRunner, QueryOp
from repdesk.store.call_drafts import CallDraft, discard_draft, save_draft
from repdesk.store.cipher import CacheKey

#: Notes are written this long after the rep stops typing...
DRAFT_DEBOUNCE_MS = 400
#: ...and at least this often while they type without a pause.
DRAFT_MAX_DELAY_MS = 2000


class DraftKeeper(QObject):
    saved = Signal()
    failed = Signal(str)
    """A plain reason ("No space left on device"); the next change retries."""

    def __init__(
        self,
        ops: OpRunner,
        drafts_dir: Path,
        lead_id: str,
        snapshot: Callable[[], CallDraft],
        parent: QObject | None = None,
        *,
        key: CacheKey | None = None,
    ) -> None:
        super().__init__(parent)
        self._ops = ops
        self._key = key
        """Seals the drafts of an encrypted cache (`store/call_drafts.py`)."""
        self._drafts_dir = drafts_dir
        self._lead_id = lead_id
        self._snapshot = snapshot
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DRAFT_DEBOUNCE_MS)
        self._timer.timeout.connect(self.save_now)
        self._dirty = QElapsedTimer()  # since the oldest change not yet in a draft

    def changed(self) -> None:
        """The notes changed: save after a pause, or now if changes have piled up too long."""
        if not self._dirty.isValid():
            self._dirty.start()
        if self._dirty.elapsed() >= DRAFT_MAX_DELAY_MS:
            self.save_now()
        else:
            self._timer.start()

    def save_now(self) -> None:
        """Queue a write of the current snapshot (it runs even if the window closes)."""
        self._timer.stop()
        self._dirty.invalidate()
        draft, drafts_dir, key = self._snapshot(), self._drafts_dir, self._key
        QueryOp(
            parent=self,
            op=lambda _c: save_draft(drafts_dir, draft, key),
            success=self._saved,
        ).failure(self._failed).on_lane(Lane.FILES).run_in_background(self._ops)

    def discard(self) -> None:
        """Stop pending saves and remove the draft (after any write still queued)."""
        self.stop()
        drafts_dir, lead_id = self._drafts_dir, self._lead_id
        QueryOp(parent=None, op=lambda _c: discard_draft(drafts_dir, lead_id)).on_lane(
            Lane.FILES
        ).run_in_background(self._ops)

    def stop(self) -> None:
        self._timer.stop()
        self._dirty.invalidate()

    def _saved(self, _path: object) -> None:
        self.saved.emit()

    def _failed(self, exc: BaseException) -> None:
        self._dirty.start()  # the next change saves at once
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        self.failed.emit(reason)
