"""`SessionController`: the one owner of the rep's session in the GUI.

Signing in (first start, after sign-out, after the hub refused the token, another hub),
signing out, and starting offline all go through here. It owns the single sign-in dialog,
the signed-in state and its transitions, and emits ONE signal, `changed`, with a
`SessionStatus`; the sync controller and the status bar follow it. It talks to sync only
through the typed `SyncApi` (`ctx.sync`), on the network lane.

States:

- `SIGNED_IN`: a session and its token: sync runs.
- `SIGN_IN_NEEDED`: the rep signed in on this computer before (the store holds the
  session) but there is no usable token: none kept between runs (no keyring), or the hub
  refused it. Everything local works (leads, calls, the outbox queues); signing in is
  needed only to send and receive.
- `SIGNED_OUT`: nobody is signed in (first start, or the rep signed out).
- `UNKNOWN`: not read yet (the composition root calls `read_now`); treated as signed
  in: a sync finds out (the engine answers AuthError without a session or token).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

from repdesk.domain.changes import Changes
from repdesk.domain.errors import RepdeskError
from repdesk.domain.outbox import MutationKind
from repdesk.gui.op_runner import is_alive
from repdesk.gui.ops import Lane, QueryOp
from repdesk.gui.text import tr
from repdesk.store.api import SessionInfo
from repdesk.sync.api import LoginResult, SetAside, SetAsideReason

if TYPE_CHECKING:
    from repdesk.gui.context import AppContext
    from repdesk.gui.signin import SignInDialog

log = logging.getLogger(__name__)


class SessionState(Enum):
    UNKNOWN = "unknown"
    SIGNED_IN = "signed_in"
    SIGN_IN_NEEDED = "sign_in_needed"
    SIGNED_OUT = "signed_out"


@dataclass(frozen=True, slots=True)
class SessionStatus:
    """What `SessionController.changed` carries."""

    state: SessionState = SessionState.UNKNOWN
    session: SessionInfo | None = None
    """The session (also while SIGN_IN_NEEDED: who must sign in again, to which hub)."""
    reason: str = ""
    """Plain text: why signing in is needed ("" when it is simply not done yet)."""
    sign_ins: int = 0
    """Successful sign-ins in this run of the app: a new one means "sync now"."""

    @property
    def may_sync(self) -> bool:
        return self.state in (SessionState.SIGNED_IN, SessionState.UNKNOWN)


def status_of(session: SessionInfo | None, has_token: bool, sign_ins: int = 0) -> SessionStatus:
    if session is None:
        return SessionStatus(SessionState.SIGNED_OUT, None, sign_ins=sign_ins)
    if has_token:
        return SessionStatus(SessionState.SIGNED_IN, session, sign_ins=sign_ins)
    return SessionStatus(SessionState.SIGN_IN_NEEDED, session, sign_ins=sign_ins)


def open_folder(folder: Path) -> bool:
    """Show `folder` in the desktop's file manager."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def _kind_label(kind: str) -> str:
    from repdesk.gui.outbox_model import kind_label

    try:
        return kind_label(MutationKind(kind))
    except ValueError:
        return kind


def set_aside_text(aside: SetAside) -> str:
    """What was set aside, how many, why, and where the file is (plain text)."""
    if aside.reason is SetAsideReason.ANOTHER_REP:
        who = aside.previous_rep or tr("session", "the previous user of this computer")
        head = tr(
            "session",
            "%n unsent changes made on this computer by {who} were not sent, because you "
            "signed in as someone else.",
            n=aside.count,
        ).format(who=who)
    else:
        head = tr(
            "session",
            "%n unsent changes made for another hub ({hub}) were not sent, because you "
            "signed in to a different hub.",
            n=aside.count,
        ).format(hub=aside.previous_hub or tr("session", "unknown address"))
    what = ", ".join(f"{_kind_label(kind)}: {count}" for kind, count in aside.kinds)
    return "\n\n".join(
        [
            head,
            tr("session", "What: {what}.").format(what=what),
            tr("session", "They are saved in this file, and repdesk will never send it:"),
            str(aside.path),
            tr("session", "Give the file to whoever made them, or to marketing operations."),
        ]
    )


class SessionController(QObject):
    """The session's single owner (one per `AppContext`: use `ctx.session`)."""

    changed = Signal(object)
    """A `SessionStatus`, after every transition."""
    sign_in_dialog_opened = Signal(object)
    """The `SignInDialog` this owner just opened (there is never more than one)."""
    set_aside_shown = Signal(object)
    """The notice box telling the rep that work was set aside (tests read it)."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._status = SessionStatus()
        self._window: QWidget | None = None
        self._dialog: SignInDialog | None = None
        self.notice: QMessageBox | None = None
        """The last set-aside notice (kept referenced while open)."""
        self.open_folder: Callable[[Path], object] = open_folder
        """How "Open folder" shows the folder (tests record instead)."""

    # --- state ------------------------------------------------------------------------------

    @property
    def status(self) -> SessionStatus:
        return self._status

    @property
    def dialog(self) -> SignInDialog | None:
        """The sign-in dialog while it is open."""
        return self._dialog if self._dialog is not None and is_alive(self._dialog) else None

    def attach(self, window: QWidget) -> None:
        """The main window: dialogs and notices open over it from now on."""
        self._window = window

    def _parent(self) -> QWidget | None:
        return self._window if is_alive(self._window) else None

    def _set(self, status: SessionStatus) -> None:
        self._status = status
        log.info("session: %s", status.state.value)
        self.changed.emit(status)

    def read_now(self) -> SessionStatus:
        """Read the state synchronously: for the composition root, before the event loop
        (it may read the keyring); everyone else follows `changed`."""
        sync = self.ctx.sync
        session = self.ctx.store.sync_state().session
        self._set(status_of(session, sync is not None and sync.signed_in, self._status.sign_ins))
        return self._status

    # --- signing in -------------------------------------------------------------------------

    def sign_in(
        self, reason: str = "", *, allow_demo: bool = False, show: bool = True
    ) -> SignInDialog:
        """Open THE sign-in dialog (or bring the open one forward), pre-filled with the
        session's hub and email. `show=False` leaves showing it to the caller (exec)."""
        from repdesk.gui.signin import SignInDialog

        open_one = self.dialog
        if open_one is not None:
            if reason:
                open_one.set_reason(reason)
            open_one.raise_()
            open_one.activateWindow()
            return open_one
        session = self._status.session
        dialog = SignInDialog(
            self.ctx,
            self._parent(),
            reason=reason,
            hub_url=session.hub_url if session else "",
            email=session.rep_email if session else "",
            allow_demo=allow_demo,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._dialog_closed)
        self._dialog = dialog
        self.sign_in_dialog_opened.emit(dialog)
        if show:
            dialog.open()
        return dialog

    def _dialog_closed(self, _result: int) -> None:
        self._dialog = None

    def signed_in_with(self, result: LoginResult) -> None:
        """A sign-in succeeded (through the dialog): the new session, and what was set aside."""
        self.ctx.rep_id = result.session.rep_id
        self._set(
            SessionStatus(SessionState.SIGNED_IN, result.session, sign_ins=self.status.sign_ins + 1)
        )
        self.ctx.events.emit_changes(
            Changes(session=True, leads=True, outbox=result.set_aside is not None)
        )
        if result.set_aside is not None:
            self.show_set_aside(result.set_aside)

    def token_refused(self, reason: str, *, ask: bool = True) -> None:
        """The hub refused the token (or there is none): local work goes on; sign in again.

        `ask`: open the sign-in dialog now (with `reason`) rather than wait for the rep."""

        def known(session: SessionInfo | None) -> None:
            state = SessionState.SIGN_IN_NEEDED if session else SessionState.SIGNED_OUT
            self._set(replace(self._status, state=state, session=session, reason=reason))
            if ask:
                self.sign_in(reason)

        QueryOp(parent=self, op=lambda c: c.store.sync_state().session, success=known).failure(
            lambda _exc: known(self._status.session)
        ).run_in_background(self.ctx.ops)

    # --- signing out ------------------------------------------------------------------------

    def sign_out(
        self,
        *,
        force: bool = False,
        then_sign_in: bool = False,
        done: Callable[[], None] | None = None,
        failed: Callable[[str], None] | None = None,
    ) -> None:
        """Revoke the token and forget the session (the caller dealt with unsent work:
        `force` only after it was exported). Over the main window, the sign-in dialog then
        opens; `then_sign_in` opens it anyway (changing hub)."""
        sync = self.ctx.sync
        if sync is None:
            if failed is not None:
                failed(tr("session", "Already signed out."))
            return

        def signed_out(changes: Changes) -> None:
            self._set(SessionStatus(SessionState.SIGNED_OUT, sign_ins=self._status.sign_ins))
            self.ctx.events.emit_changes(changes | Changes(session=True))
            if done is not None:
                done()
            if then_sign_in or self._parent() is not None:
                self.sign_in()

        def refused(exc: BaseException) -> None:
            message = str(exc) if isinstance(exc, RepdeskError) else ""
            log.warning("sign-out failed: %s", exc)
            if failed is not None:
                failed(message or tr("session", "Signing out failed."))

        QueryOp(parent=self, op=lambda _c: sync.logout(force=force), success=signed_out).failure(
            refused
        ).on_lane(Lane.NETWORK).run_in_background(self.ctx.ops)

    # --- work set aside ---------------------------------------------------------------------

    def show_set_aside(self, aside: SetAside) -> QMessageBox:
        """A notice the rep cannot miss: what, how many, where the file is, and a button
        that opens its folder. Opened (window-modal over the main window), never exec'd."""
        box = QMessageBox(self._parent())
        box.setObjectName("setAsideNotice")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(tr("session", "Unsent work set aside"))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(set_aside_text(aside))
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        folder = box.addButton(tr("session", "Open folder"), QMessageBox.ButtonRole.ActionRole)
        ok = box.addButton(QMessageBox.StandardButton.Ok)
        box.setDefaultButton(ok)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def clicked(button: object) -> None:
            if button is folder:
                self.open_folder(aside.folder)

        box.buttonClicked.connect(clicked)
        log.warning("told the rep: %d unsent item(s) set aside in %s", aside.count, aside.path)
        self.notice = box
        box.open()
        self.set_aside_shown.emit(box)
        return box

    def close(self) -> None:
        """The app is quitting: close the dialog and notice this owner opened."""
        for widget in (self.dialog, self.notice):
            if widget is not None and is_alive(widget):
                widget.close()


__all__ = [
    "SessionController",
    "SessionState",
    "SessionStatus",
    "open_folder",
    "set_aside_text",
    "status_of",
]
