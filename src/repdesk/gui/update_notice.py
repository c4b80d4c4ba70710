"""The status bar's update notice: "repdesk 1.2.0 is ready" and a *Restart to update* button.

After each sync (even one that failed) it asks `UpdatesApi.check_and_fetch` (on
`Lane.NETWORK`, after the sync) to find, download, verify and unpack a newer build; when one is
ready the notice appears. Clicking the button hands the new executable to `restart`
(injectable; by default the app closes its window and `repdesk.app.launch` starts the new
version once this one has let go of the data folder). A failed download is shown as one
plain line in the notice; the app, its data and the outbox carry on untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QApplication, QHBoxLayout, QToolButton, QWidget

from repdesk.domain.errors import AuthError, Interrupted, NetworkError, RepdeskError
from repdesk.gui.context import AppContext
from repdesk.gui.ops import Lane, OpContext, QueryOp
from repdesk.gui.text import plain_label, plain_tooltip, set_plain, tr
from repdesk.gui.theme import Tone, set_tone
from repdesk.sync.update_api import InstalledBuild, UpdatesApi

log = logging.getLogger(__name__)

RestartHook = Callable[[Path], None]
#: `AppContext.extras` key where the default hook leaves the executable to start.
RESTART_KEY = "restart_into"
#: `AppContext.extras` key of the app's `UpdatesApi` (no notice without one).
UPDATES_KEY = "updates"


class UpdateNotice(QWidget):
    """Hidden until a verified newer build is ready (or an update failed)."""

    ready = Signal(object)
    """The `InstalledBuild` now offered (tests wait on it)."""
    failed = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        updates: UpdatesApi,
        controller: Any = None,
        *,
        restart: RestartHook | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.updates = updates
        self.restart = restart or self._default_restart
        self.build: InstalledBuild | None = None
        self._busy = False
        self._again = False
        self._op: OpContext | None = None

        self.label = plain_label("", self)
        self.label.setObjectName("updateReady")
        self.button = QToolButton(self)
        self.button.setObjectName("updateRestart")
        self.button.setText(tr("updates", "Restart to update"))
        self.button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.button.clicked.connect(self.restart_now)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.label)
        layout.addWidget(self.button)
        self.hide()
        if controller is not None:
            # After every sync, failed ones included: a repdesk too old for its hub cannot
            # sync at all, and is exactly the one that needs the update.
            controller.ended.connect(self.check)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.cancel)  # a download in flight stops; it resumes later
        self._look(lambda _c: self.updates.ready())

    def check(self) -> None:
        """Find, fetch and unpack a newer build in the background (one at a time)."""
        if self.build is not None:
            return
        if self._busy:
            self._again = True  # once the look in flight is over
            return
        self._look(lambda c: self.updates.check_and_fetch(on_bytes=_cancel_check(c)))

    def _look(self, op: Callable[[OpContext], InstalledBuild | None]) -> None:
        self._busy = True
        self._op = (
            QueryOp(parent=self, op=op, success=self._show)
            .failure(self._failed)
            .on_lane(Lane.NETWORK)
            .run_in_background(self.ctx.ops)
        )

    def cancel(self) -> None:
        if self._op is not None:
            self._op.cancel()

    def _settle(self) -> None:
        self._busy = False
        if self._again:
            self._again = False
            self.check()

    def _show(self, build: InstalledBuild | None) -> None:
        if build is None:
            self._settle()
            return
        self._busy = False
        self.build = build
        set_tone(self.label, Tone.ACCENT)
        set_plain(
            self.label, tr("updates", "repdesk {version} is ready").format(version=build.version)
        )
        self.button.show()
        self.button.setToolTip(
            plain_tooltip(
                tr(
                    "updates",
                    "Closes repdesk and opens version {version}. Your unsent work stays and "
                    "is sent by the new version.",
                ).format(version=build.version)
            )
        )
        self.show()
        self.ready.emit(build)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, (Interrupted, AuthError, NetworkError)):
            log.info("update check skipped: %s", exc)  # the sync status already says so
            self._settle()
            return
        if not isinstance(exc, RepdeskError):
            log.error("update check failed", exc_info=exc)
            exc = RepdeskError(tr("updates", "Checking for a new version failed; see the log."))
        if self.build is None:
            set_tone(self.label, Tone.WARN)
            set_plain(self.label, tr("updates", "Update not installed"))
            self.label.setToolTip(plain_tooltip(str(exc)))
            self.button.hide()
            self.show()
        self.failed.emit(str(exc))
        self._busy = False  # tried again after the next sync, not at once

    def restart_now(self) -> None:
        if self.build is not None:
            log.info("restarting into repdesk %s", self.build.version)
            self.restart(self.build.executable)

    def _default_restart(self, executable: Path) -> None:
        """Leave the executable for the launcher, then close like the rep would: a window
        that refuses (an unfinished call) keeps the app running and the request is dropped."""
        self.ctx.extras[RESTART_KEY] = executable
        window = self.window()
        if window is not self and not window.close():
            self.ctx.extras.pop(RESTART_KEY, None)
            return
        app = QApplication.instance()
        if app is not None:
            app.quit()


def _cancel_check(op: OpContext) -> Callable[[int], None]:
    def on_bytes(_count: int) -> None:
        op.check_cancelled()

    return on_bytes


__all__ = ["RESTART_KEY", "UPDATES_KEY", "RestartHook", "UpdateNotice"]
