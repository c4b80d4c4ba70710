"""The sign-in dialog: hub address, email and password, or "Try the demo"."""

from __future__ import annotations

import logging
import threading
import weakref

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from repdesk.domain.changes import Changes
from repdesk.domain.errors import (
    AuthError,
    ClientTooOldError,
    NetworkError,
    RepdeskError,
    TlsError,
    ValidationError,
)
from repdesk.gui.context import AppContext
from repdesk.gui.keyring_note import drop_told_keyring_note
from repdesk.gui.op_runner import is_alive
from repdesk.gui.ops import Lane, QueryOp
from repdesk.gui.text import plain_label, set_plain, tr
from repdesk.gui.theme import Tone, scaled_font, set_tone
from repdesk.sync.api import LoginResult, SyncApi

log = logging.getLogger(__name__)

#: Warnings (e.g. "token kept in memory only") already shown in this run of the app.
_SHOWN_WARNINGS_KEY = "signin.shown_warnings"


def sign_in_error_text(exc: BaseException, hub_url: str) -> str:
    """The plain-text message for a failed sign-in, by the kind of failure."""
    if isinstance(exc, AuthError):
        return tr(
            "signin",
            "The hub did not accept that email and password. Check them and try again.",
        )
    if isinstance(exc, TlsError):
        return tr(
            "signin",
            "repdesk could not verify the security certificate of {hub}, so it did not send "
            "your password. Check the address, or ask whoever runs your hub. If your company "
            "runs its own certificate authority, ask IT to make this computer trust it (or "
            "choose its file in Settings, Hub certificate authority file).",
        ).format(hub=hub_url)
    if isinstance(exc, NetworkError):
        return tr(
            "signin",
            "repdesk could not reach the hub at {hub}. Check the address and your connection, "
            "then try again.",
        ).format(hub=hub_url)
    if isinstance(exc, ClientTooOldError):
        # The engine's text names both versions; it is the better message when present.
        return str(exc) or tr(
            "signin",
            "This hub needs a newer version of repdesk. Please update repdesk, then sign in.",
        )
    if isinstance(exc, ValidationError | ValueError):
        return str(exc) or tr("signin", "That hub address does not look right.")
    if isinstance(exc, RepdeskError) and str(exc):
        return str(exc)
    log.error("sign-in failed unexpectedly", exc_info=exc)
    return tr("signin", "Signing in failed for an unexpected reason; the details are in the log.")


class SignInDialog(QDialog):
    """Signs in through `ctx.sync.login` on the network worker; never blocks the window.

    The form only: the session's owner (`ctx.session`, which opens this dialog) takes a
    successful sign-in from here (`signed_in_with`) and makes the transition.
    """

    signed_in = Signal(object)
    """The rep's new session (`SessionInfo`) after a successful login."""
    demo_requested = Signal()
    """"Try the demo": the composition root starts a demo hub and signs in to it."""
    failed = Signal(str)
    """The plain-text error just shown (tests wait on it)."""

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        reason: str = "",
        hub_url: str = "",
        email: str = "",
        allow_demo: bool = True,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(tr("signin", "Sign in to repdesk"))
        self.setMinimumWidth(460)
        self._busy = False
        self._cancelled: threading.Event | None = None
        """Set when the rep cancels while a sign-in is on its way (see `reject`)."""
        self.notice: QMessageBox | None = None
        """The information box shown after sign-in, if any (tests read it)."""

        heading = QLabel(tr("signin", "Sign in to your team's hub"), self)
        heading.setFont(scaled_font(heading.font(), 1.5, bold=True))
        self.reason_label = plain_label(reason, self, wrap=True)
        self.reason_label.setVisible(bool(reason))
        set_tone(self.reason_label, Tone.WARN)

        self.hub_edit = QLineEdit(hub_url or self._setting("HUB_URL"), self)
        self.hub_edit.setPlaceholderText("https://hub.example.com")
        self.email_edit = QLineEdit(email or self._setting("LAST_SIGN_IN_EMAIL"), self)
        self.email_edit.setPlaceholderText(tr("signin", "you@example.com"))
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        for edit in (self.hub_edit, self.email_edit, self.password_edit):
            edit.textChanged.connect(self._update_buttons)
            edit.setClearButtonEnabled(edit is not self.password_edit)

        form = QFormLayout()
        form.addRow(tr("signin", "Hub address"), self.hub_edit)
        form.addRow(tr("signin", "Email"), self.email_edit)
        form.addRow(tr("signin", "Password"), self.password_edit)

        self.error_label = plain_label("", self, wrap=True)
        self.error_label.setObjectName("signInError")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_tone(self.error_label, Tone.BAD)
        self.error_label.hide()
        # Offered after a certificate failure: the company's own CA, for this hub.
        self.ca_button = QPushButton(tr("signin", "Trust a certificate authority file…"), self)
        self.ca_button.setObjectName("trustCaFile")
        self.ca_button.setAutoDefault(False)
        self.ca_button.hide()
        self.ca_button.clicked.connect(self._choose_ca_file)
        self.ca_dialog: QFileDialog | None = None
        self.busy_label = plain_label(tr("signin", "Signing in…"), self)
        set_tone(self.busy_label, Tone.MUTED)
        self.busy_label.hide()

        self.buttons = QDialogButtonBox(self)
        self.sign_in_button = self.buttons.addButton(
            tr("signin", "Sign in"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.sign_in_button.setDefault(True)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.demo_button = QPushButton(tr("signin", "Try the demo"), self)
        self.demo_button.setToolTip(
            tr("signin", "Explore repdesk with made-up leads on a hub that runs on this computer.")
        )
        self.demo_button.setVisible(allow_demo)
        self.demo_button.clicked.connect(self._demo)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.reason_label)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.ca_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.busy_label)
        bottom = QHBoxLayout()
        bottom.addWidget(self.demo_button)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)
        self._update_buttons()
        focus = self.password_edit if self.hub_edit.text() and self.email_edit.text() else None
        (focus or (self.email_edit if self.hub_edit.text() else self.hub_edit)).setFocus()

    def _setting(self, name: str) -> str:
        settings = self.ctx.settings
        if settings is None:
            return ""
        from repdesk.store import settings as registry

        value = settings.get(getattr(registry, name))
        return value if isinstance(value, str) else ""

    def set_reason(self, reason: str) -> None:
        """Why the rep is asked to sign in (plain text), e.g. the hub ended the session."""
        set_plain(self.reason_label, reason)
        self.reason_label.setVisible(bool(reason))

    # --- state --------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._busy

    def error_text(self) -> str:
        return self.error_label.text() if not self.error_label.isHidden() else ""

    def _update_buttons(self) -> None:
        ready = all(e.text().strip() for e in (self.hub_edit, self.email_edit, self.password_edit))
        self.sign_in_button.setEnabled(ready and not self._busy)
        self.demo_button.setEnabled(not self._busy)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for edit in (self.hub_edit, self.email_edit, self.password_edit):
            edit.setReadOnly(busy)
        self.busy_label.setVisible(busy)
        self._update_buttons()

    # --- actions ------------------------------------------------------------------------

    def submit(self) -> None:
        if self._busy or not self.sign_in_button.isEnabled():
            return
        engine = self.ctx.sync
        hub_url = self.hub_edit.text().strip()
        email = self.email_edit.text().strip()
        password = self.password_edit.text()
        if engine is None:
            self._show_error(tr("signin", "repdesk cannot sign in right now: sync is not set up."))
            return
        self.error_label.hide()
        self._set_busy(True)
        attempt = _Attempt(self, engine, hub_url)
        self._cancelled = attempt.cancelled
        # No parent: a cancelled dialog may be deleted before the hub answers, and a late
        # success must still be undone (see `_Attempt`).
        QueryOp(
            parent=None, op=lambda _c: attempt.run(email, password), success=attempt.delivered
        ).failure(attempt.failed).on_lane(Lane.NETWORK).run_in_background(self.ctx.ops)

    def reject(self) -> None:
        """Cancel, Esc or closing the window; a sign-in still on its way is undone."""
        if self._busy and self._cancelled is not None:
            self._cancelled.set()
            self._set_busy(False)
        super().reject()

    def _succeeded(self, result: LoginResult) -> None:
        self._set_busy(False)
        self.password_edit.clear()
        self._remember()
        # The owner shows set-aside work in its own notice (with "Open folder").
        aside = result.set_aside.text() if result.set_aside is not None else ""
        self._show_warnings(tuple(w for w in result.warnings if w != aside))
        self.ctx.session.signed_in_with(result)
        self.signed_in.emit(result.session)
        self.accept()

    def _show_warnings(self, warnings: tuple[str, ...]) -> None:
        """Notes from the engine (token kept in memory only, clock off): each once per run."""
        shown: set[str] = self.ctx.extras.setdefault(_SHOWN_WARNINGS_KEY, set())
        fresh = drop_told_keyring_note(self.ctx, [w for w in warnings if w and w not in shown])
        if not fresh:
            return
        shown.update(fresh)
        box = QMessageBox(self.parentWidget())
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(tr("signin", "Signed in"))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText("\n\n".join(fresh))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setObjectName("signInNotice")
        box.setWindowModality(Qt.WindowModality.NonModal)  # news, not a question: blocks nothing
        box.show()
        self.notice = box
        # This dialog closes right away: the context keeps the box alive until it is read.
        self.ctx.extras["signin.notice_box"] = box

    def _remember(self) -> None:
        settings = self.ctx.settings
        if settings is None:
            return
        from repdesk.store import settings as registry

        try:
            settings.set(registry.HUB_URL, self.hub_edit.text().strip().rstrip("/"))
            settings.set(registry.LAST_SIGN_IN_EMAIL, self.email_edit.text().strip())
        except (RepdeskError, OSError) as exc:
            log.warning("could not remember the sign-in details: %s", exc)

    def _failed(self, exc: BaseException, hub_url: str) -> None:
        self._set_busy(False)
        message = sign_in_error_text(exc, hub_url)
        self._show_error(message)
        self.ca_button.setVisible(isinstance(exc, TlsError) and self.ctx.settings is not None)
        if isinstance(exc, AuthError):
            self.password_edit.selectAll()
            self.password_edit.setFocus()

    def _choose_ca_file(self) -> None:
        dialog = QFileDialog(self, tr("signin", "Your company's certificate authority file"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters(
            [tr("signin", "Certificates (*.pem *.crt *.cer)"), tr("signin", "All files (*)")]
        )
        dialog.fileSelected.connect(self._ca_file_chosen)
        self.ca_dialog = dialog
        dialog.open()

    def _ca_file_chosen(self, path: str) -> None:
        """Kept in the settings (Hub certificate authority file) and used from the next try."""
        from repdesk.store import settings as registry

        settings = self.ctx.settings
        problem = registry.ca_file_problem(path)
        if settings is None or problem:
            self._show_error(problem or tr("signin", "The settings cannot be changed now."))
            return
        try:
            settings.set(registry.HUB_CA_FILE, path)
        except (RepdeskError, OSError) as exc:
            self._show_error(str(exc))
            return
        self.ca_button.hide()
        self._show_error(
            tr("signin", "repdesk will also trust {file} for your hub. Sign in again.").format(
                file=path
            )
        )

    def _show_error(self, message: str) -> None:
        set_plain(self.error_label, message)
        self.error_label.show()
        self.failed.emit(message)

    def _demo(self) -> None:
        self.demo_requested.emit()
        if self.isVisible():  # the handler may have closed the dialog itself
            self.accept()


class _Attempt:
    """One sign-in on its way to the hub. If the rep cancels meanwhile, cancel wins.

    The login itself cannot be interrupted (the hub may already have issued a token), so a
    login that succeeds after the cancel is signed out again: on the network thread when it
    notices the cancel there, or from the GUI thread when the cancel came in later.
    """

    def __init__(self, dialog: SignInDialog, engine: SyncApi, hub_url: str) -> None:
        self._dialog = weakref.ref(dialog)
        self.engine = engine
        self.ops = dialog.ctx.ops
        self.hub_url = hub_url
        self.cancelled = threading.Event()

    def run(self, email: str, password: str) -> LoginResult | None:
        """On the network lane."""
        if self.cancelled.is_set():
            return None  # cancelled while queued behind other network work: never sent
        result = self.engine.login(self.hub_url, email, password)
        if self.cancelled.is_set():
            self._undo()
            return None
        return result

    def _waiting_dialog(self) -> SignInDialog | None:
        dialog = self._dialog()
        if self.cancelled.is_set() or dialog is None or not is_alive(dialog):
            return None
        return dialog

    def delivered(self, result: LoginResult | None) -> None:
        dialog = self._waiting_dialog()
        if dialog is not None and result is not None:
            dialog._succeeded(result)
        elif result is not None and not self.ops.closed:  # None: undone on the network lane
            QueryOp(
                parent=None, op=lambda _c: self._undo(), success=self.ops.events.emit_changes
            ).failure(
                lambda exc: log.warning("could not undo a cancelled sign-in: %s", exc)
            ).on_lane(Lane.NETWORK).run_in_background(self.ops)

    def failed(self, exc: BaseException) -> None:
        dialog = self._waiting_dialog()
        if dialog is not None:
            dialog._failed(exc, self.hub_url)
        else:
            log.info("a cancelled sign-in failed anyway: %s", exc)

    def _undo(self) -> Changes:
        # Forget the session and its token; unsent changes stay in the outbox for later.
        changes = self.engine.logout(force=True)
        log.info("sign-in cancelled by the rep: the new session was signed out again")
        return changes
