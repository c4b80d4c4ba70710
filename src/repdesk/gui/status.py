"""The sync status bar: online or not, when the last sync was, what is still unsent."""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QToolButton, QWidget

from repdesk.domain.changes import Changes
from repdesk.domain.ids import ensure_utc, utcnow
from repdesk.gui.context import AppContext
from repdesk.gui.ops import OpContext, QueryOp
from repdesk.gui.sync_controller import SyncController, SyncStatus
from repdesk.gui.text import format_age, plain_label, plain_tooltip, set_plain, tr
from repdesk.gui.theme import Tone, set_tone
from repdesk.store.api import OutboxCounts, SyncState

log = logging.getLogger(__name__)

#: How often "2 min ago" is re-read.
_AGE_REFRESH_MS = 30_000


def last_sync_text(when: datetime | None, now: datetime | None = None) -> str:
    if when is None:
        return tr("status", "Not synced yet")
    age = ensure_utc(now or utcnow()) - ensure_utc(when)
    return tr("status", "Synced {age}").format(age=format_age(age))


def last_good_sync_text(when: datetime | None, now: datetime | None = None) -> str:
    """When the hub was last reached, for while it is not reachable now: "Last synced 10:42".

    An age ("just now") beside "Offline" reads as a contradiction; a clock time does not.
    """
    if when is None:
        return tr("status", "Not synced yet")
    local = ensure_utc(when).astimezone()
    today = ensure_utc(now or utcnow()).astimezone().date()
    at = local.strftime("%H:%M") if local.date() == today else local.strftime("%d %b %H:%M")
    return tr("status", "Last synced {at}").format(at=at)


def pending_text(counts: OutboxCounts) -> str:
    parts = []
    if counts.pending:
        parts.append(tr("status", "%n unsent", n=counts.pending))
    if counts.rejected:
        parts.append(tr("status", "%n refused", n=counts.rejected))
    if counts.conflicts:
        parts.append(tr("status", "%n to decide", n=counts.conflicts))
    return ", ".join(parts) if parts else tr("status", "All sent")


class SyncStatusBar(QWidget):
    """A strip for the main window's status bar; click the unsent count to open the outbox."""

    outbox_requested = Signal()
    counts_loaded = Signal(object)
    """The `OutboxCounts` just read (tests wait on it)."""

    def __init__(
        self, ctx: AppContext, controller: SyncController, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.controller = controller
        self._last_sync: datetime | None = None
        self._counts = OutboxCounts()

        self.online_label = plain_label("", self)
        self.online_label.setObjectName("syncOnline")
        self.sign_in_button = QToolButton(self)
        self.sign_in_button.setObjectName("syncSignIn")
        self.sign_in_button.setText(tr("status", "Sign in…"))
        self.sign_in_button.setToolTip(tr("status", "Sign in to send your work and get updates"))
        self.sign_in_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.sign_in_button.clicked.connect(self._sign_in)
        self.sign_in_button.hide()
        self.last_sync_label = plain_label(tr("status", "Not synced yet"), self)
        self.last_sync_label.setObjectName("syncLast")
        self.pending_button = QToolButton(self)
        self.pending_button.setObjectName("syncPending")
        self.pending_button.setAutoRaise(True)
        self.pending_button.setToolTip(tr("status", "Open the outbox"))
        self.pending_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.pending_button.clicked.connect(self.outbox_requested.emit)
        self.phase_label = plain_label("", self)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setMaximumWidth(160)
        self.progress_bar.setTextVisible(False)
        self.cancel_button = QToolButton(self)
        self.cancel_button.setText(tr("status", "Cancel"))
        self.cancel_button.setAutoRaise(True)
        self.cancel_button.clicked.connect(controller.cancel)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(12)
        layout.addWidget(self.online_label)
        layout.addWidget(self.sign_in_button)
        layout.addWidget(self.last_sync_label)
        layout.addWidget(self.pending_button)
        layout.addStretch(1)
        layout.addWidget(self.phase_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.cancel_button)
        self._show_progress(False)
        self._show_online(controller.status)

        controller.status_changed.connect(self._show_online)
        controller.progress.connect(self._on_progress)
        controller.progress_visible.connect(self._show_progress)
        ctx.events.changed.connect(self._on_changed)

        self._age_timer = QTimer(self)
        self._age_timer.timeout.connect(self._refresh_age)
        self._age_timer.start(_AGE_REFRESH_MS)
        self.refresh()

    # --- data -------------------------------------------------------------------------------

    def refresh(self) -> None:
        def read(c: OpContext) -> tuple[OutboxCounts, SyncState]:
            return c.store.outbox_counts(), c.store.sync_state()

        QueryOp(parent=self, op=read, success=self._show_data).run_in_background(self.ctx.ops)

    def _on_changed(self, changes: Changes) -> None:
        if changes.outbox or changes.session:
            self.refresh()

    def _show_data(self, data: tuple[OutboxCounts, SyncState]) -> None:
        counts, state = data
        self._counts = counts
        if state.last_sync_at is not None:
            self._last_sync = state.last_sync_at
        self.pending_button.setText(pending_text(counts))
        self.pending_button.setVisible(True)
        attention = counts.rejected + counts.conflicts
        # Bold through the font, not a style sheet: a style sheet freezes the text colour of
        # the palette it was applied in (dark grey on near-black after switching to dark).
        font = self.pending_button.font()
        font.setBold(bool(counts.pending or attention))
        self.pending_button.setFont(font)
        self._refresh_age()
        self.counts_loaded.emit(counts)

    @property
    def counts(self) -> OutboxCounts:
        return self._counts

    def _sign_in(self) -> None:
        self.ctx.session.sign_in()

    # --- presentation -----------------------------------------------------------------------

    def _show_online(self, status: SyncStatus) -> None:
        if status.last_sync_at is not None:
            self._last_sync = status.last_sync_at
        self.sign_in_button.setVisible(not status.signed_in)
        if not status.signed_in:
            text, tone = tr("status", "● Not signed in: sign in to send and receive"), Tone.WARN
        elif status.running:
            text, tone = tr("status", "● Syncing…"), Tone.ACCENT
        elif status.online is None:
            text, tone = tr("status", "● Not connected yet"), Tone.MUTED
        elif status.online:
            text, tone = tr("status", "● Online"), Tone.OK
        else:
            text, tone = tr("status", "● Offline — your work is kept"), Tone.WARN
        set_plain(self.online_label, text)
        set_tone(self.online_label, tone)
        self.online_label.setToolTip(plain_tooltip(status.last_error))
        self._refresh_age()

    def _refresh_age(self) -> None:
        # "Synced 2 min ago" only while the hub answers; otherwise offline (or not connected
        # yet, or signed out) wins and this label only says when the last good sync was.
        status = self.controller.status
        if status.online and status.signed_in:
            text = last_sync_text(self._last_sync)
        else:
            text = last_good_sync_text(self._last_sync)
        set_plain(self.last_sync_label, text)

    def _on_progress(self, phase: str, done: int, total: int) -> None:
        set_plain(self.phase_label, phase)
        if total > 0:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(min(done, total))
        else:
            self.progress_bar.setRange(0, 0)

    def _show_progress(self, visible: bool) -> None:
        for widget in (self.phase_label, self.progress_bar, self.cancel_button):
            widget.setVisible(visible)
        if not visible:
            self.progress_bar.setRange(0, 0)

    @property
    def progress_shown(self) -> bool:
        return not self.progress_bar.isHidden()


__all__ = ["SyncStatusBar", "last_good_sync_text", "last_sync_text", "pending_text"]
