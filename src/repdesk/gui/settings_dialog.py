"""Settings: the hub, how often to sync, how much collateral to keep, and signing out."""

from __future__ import annotations

import logging
from enum import Enum
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from repdesk.domain.changes import Changes
from repdesk.domain.errors import ValidationError
from repdesk.gui.context import AppContext
from repdesk.gui.keyring_note import keyring_note_label
from repdesk.gui.ops import Lane, OpContext, QueryOp, show_message
from repdesk.gui.sync_controller import SyncController
from repdesk.gui.text import human_size, plain_label, set_plain, tr
from repdesk.gui.theme import ThemeMode, Tone, set_tone, theme_manager, theme_mode
from repdesk.store import settings as registry
from repdesk.store.api import OutboxCounts, SyncState
from repdesk.sync.api import SyncReport

log = logging.getLogger(__name__)


class SignOutChoice(Enum):
    SEND = "send"
    EXPORT = "export"
    CANCEL = "cancel"


def unsent_total(counts: OutboxCounts) -> int:
    return counts.pending + counts.rejected + counts.conflicts


class SettingsDialog(QDialog):
    """Reads and writes `ctx.settings`; sign-out never discards work the hub does not have.

    With unsent work, sign-out first offers to send it (a sync) or export it to a file;
    only after a successful export does it sign out with `force=True`. Signing out and in
    are the session owner's (`ctx.session`); this dialog only has the conversation.
    """

    change_hub_requested = Signal()
    """The rep wants another hub and is signed out of this one (unsent work sent or
    exported first); the session's owner has opened the sign-in dialog."""
    sync_requested = Signal()
    """"Send now" during sign-out: sync through the app's controller (see `send_then`)."""
    signed_out = Signal()
    settings_saved = Signal()
    sign_out_blocked = Signal(str)
    """Why sign-out did not happen (plain text; tests wait on it)."""

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        controller: SyncController | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.controller = controller
        self.setWindowTitle(tr("settings", "repdesk settings"))
        self.setMinimumWidth(480)
        self._signed_in = False
        self._then_change_hub = False
        self.sign_out_box: QMessageBox | None = None
        """The "unsent work" question while it is open."""
        self.sign_out_buttons: dict[SignOutChoice, QAbstractButton] = {}
        self.file_dialog: QFileDialog | None = None
        self.notice_box: QMessageBox | None = None

        # --- hub ---
        hub_box = QGroupBox(tr("settings", "Hub"), self)
        self.hub_label = plain_label("", hub_box, wrap=True)
        self.hub_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.account_label = plain_label("", hub_box, wrap=True)
        set_tone(self.account_label, Tone.MUTED)
        self.change_hub_button = QPushButton(tr("settings", "Change hub…"), hub_box)
        self.change_hub_button.setToolTip(
            tr("settings", "Sign in to another hub (you will be asked for your password).")
        )
        self.change_hub_button.clicked.connect(self._change_hub)
        self.sign_out_button = QPushButton(tr("settings", "Sign out…"), hub_box)
        self.sign_out_button.clicked.connect(self.sign_out)
        for button in (self.change_hub_button, self.sign_out_button):
            button.setAutoDefault(False)  # Enter means Save, never "sign me out"
        hub_layout = QVBoxLayout(hub_box)
        hub_layout.addWidget(self.hub_label)
        hub_layout.addWidget(self.account_label)
        self.keyring_label = keyring_note_label(hub_box, ctx)
        hub_layout.addWidget(self.keyring_label)
        # The hub's own certificate authority, for a computer that does not trust it yet.
        self.ca_edit = QLineEdit(hub_box)
        self.ca_edit.setObjectName("hubCaFile")
        self.ca_edit.setPlaceholderText(tr("settings", "None: this computer's certificates only"))
        self.ca_edit.setToolTip(tr("settings", registry.HUB_CA_FILE.description))
        self.ca_edit.setAccessibleName(registry.HUB_CA_FILE.title)
        self.ca_edit.setClearButtonEnabled(True)
        self.ca_button = QPushButton(tr("settings", "Choose…"), hub_box)
        self.ca_button.setAutoDefault(False)
        self.ca_button.clicked.connect(self._choose_ca_file)
        ca_row = QHBoxLayout()
        ca_row.addWidget(QLabel(tr("settings", registry.HUB_CA_FILE.title), hub_box))
        ca_row.addWidget(self.ca_edit, 1)
        ca_row.addWidget(self.ca_button)
        hub_layout.addLayout(ca_row)
        hub_buttons = QHBoxLayout()
        hub_buttons.addStretch(1)
        hub_buttons.addWidget(self.change_hub_button)
        hub_buttons.addWidget(self.sign_out_button)
        hub_layout.addLayout(hub_buttons)

        # --- sync and storage ---
        sync_box = QGroupBox(tr("settings", "Sync and storage"), self)
        self.auto_sync_check = QCheckBox(tr("settings", registry.AUTO_SYNC.title), sync_box)
        # The registry's titles carry the units ("(minutes)", "(MB)"): no suffix needed.
        self.interval_spin = self._spin(registry.SYNC_INTERVAL_MINUTES)
        self.cache_spin = self._spin(registry.COLLATERAL_CACHE_MB)
        self.cache_spin.setSingleStep(50)
        self.cache_spin.setToolTip(tr("settings", registry.COLLATERAL_CACHE_MB.description))
        self.auto_sync_check.toggled.connect(self.interval_spin.setEnabled)
        form = QFormLayout(sync_box)
        form.addRow(self.auto_sync_check)
        form.addRow(tr("settings", registry.SYNC_INTERVAL_MINUTES.title), self.interval_spin)
        form.addRow(tr("settings", registry.COLLATERAL_CACHE_MB.title), self.cache_spin)
        self.cache_usage_label = plain_label("", sync_box)
        set_tone(self.cache_usage_label, Tone.MUTED)
        form.addRow("", self.cache_usage_label)

        # --- appearance ---
        look_box = QGroupBox(tr("settings", "Appearance"), self)
        self.theme_combo = QComboBox(look_box)
        self.theme_combo.setObjectName("themeMode")
        for mode, label in (
            (ThemeMode.SYSTEM, tr("settings", "Same as the computer")),
            (ThemeMode.LIGHT, tr("settings", "Light")),
            (ThemeMode.DARK, tr("settings", "Dark")),
        ):
            self.theme_combo.addItem(label, mode.value)
        self.theme_combo.setToolTip(tr("settings", registry.THEME.description))
        look_form = QFormLayout(look_box)
        look_form.addRow(tr("settings", "Colours"), self.theme_combo)

        self.error_label = plain_label("", self, wrap=True)
        set_tone(self.error_label, Tone.BAD)
        self.error_label.hide()
        self.status_label = plain_label("", self, wrap=True)
        self.status_label.hide()

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setDefault(True)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(hub_box)
        layout.addWidget(sync_box)
        layout.addWidget(look_box)
        layout.addWidget(self.error_label)
        layout.addWidget(self.status_label)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self._load()

    def _spin(self, setting: registry.Setting[int]) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setRange(int(setting.minimum or 0), int(setting.maximum or 1_000_000))
        spin.setAccessibleName(setting.title)
        return spin

    # --- values ---------------------------------------------------------------------------

    def _settings(self) -> registry.Settings | None:
        settings = self.ctx.settings
        return settings if isinstance(settings, registry.Settings) else None

    def _load(self) -> None:
        settings = self._settings()
        get = settings.get if settings is not None else (lambda s: s.default)
        self.auto_sync_check.setChecked(bool(get(registry.AUTO_SYNC)))
        self.interval_spin.setValue(int(get(registry.SYNC_INTERVAL_MINUTES)))
        self.interval_spin.setEnabled(self.auto_sync_check.isChecked())
        self.cache_spin.setValue(int(get(registry.COLLATERAL_CACHE_MB)))
        self.theme_combo.setCurrentIndex(
            max(0, self.theme_combo.findData(theme_mode(get(registry.THEME)).value))
        )
        self.ca_edit.setText(str(get(registry.HUB_CA_FILE)))
        hub = str(get(registry.HUB_URL))
        set_plain(self.hub_label, hub or tr("settings", "Not signed in to a hub yet."))
        QueryOp(
            parent=self, op=lambda c: c.store.sync_state(), success=self._show_session
        ).run_in_background(self.ctx.ops)
        cache = self.ctx.collateral
        usage = getattr(cache, "usage", None)
        if callable(usage):
            # Walking the cache folder is file work: the FILES lane, never the GUI thread.
            QueryOp(parent=self, op=lambda _c: int(usage()), success=self._show_usage).on_lane(
                Lane.FILES
            ).run_in_background(self.ctx.ops)

    def _show_usage(self, used: int) -> None:
        set_plain(
            self.cache_usage_label,
            tr("settings", "Collateral on this computer now: {size}").format(size=human_size(used)),
        )

    def _show_session(self, state: SyncState) -> None:
        session = state.session
        if session is None:
            set_plain(self.account_label, tr("settings", "Signed out."))
            self.sign_out_button.setEnabled(False)
            self.change_hub_button.setText(tr("settings", "Sign in…"))
            self._signed_in = False
            return
        self._signed_in = True
        self.change_hub_button.setText(tr("settings", "Change hub…"))
        set_plain(self.hub_label, session.hub_url)
        set_plain(
            self.account_label,
            tr("settings", "Signed in as {name} ({email})").format(
                name=session.rep_name, email=session.rep_email
            ),
        )
        self.sign_out_button.setEnabled(True)

    def save(self) -> None:
        settings = self._settings()
        if settings is None:
            self.accept()
            return
        ca_file = self.ca_edit.text().strip()
        problem = registry.ca_file_problem(ca_file)
        if problem:
            self._error(problem)
            return
        try:
            settings.set(registry.HUB_CA_FILE, ca_file, save=False)
            settings.set(registry.AUTO_SYNC, self.auto_sync_check.isChecked(), save=False)
            settings.set(registry.SYNC_INTERVAL_MINUTES, self.interval_spin.value(), save=False)
            settings.set(registry.COLLATERAL_CACHE_MB, self.cache_spin.value(), save=False)
            settings.set(registry.THEME, str(self.theme_combo.currentData()), save=False)
            settings.save()
        except (ValidationError, OSError) as exc:
            self._error(str(exc) or tr("settings", "The settings could not be saved."))
            return
        cache = self.ctx.collateral
        if cache is not None and hasattr(cache, "max_bytes"):
            cache.max_bytes = self.cache_spin.value() * 1024 * 1024
        manager = theme_manager()
        if manager is not None:
            manager.set_mode(theme_mode(self.theme_combo.currentData()))
        if self.controller is not None:
            self.controller.reschedule()
        self.settings_saved.emit()
        self.accept()

    def _choose_ca_file(self) -> None:
        dialog = QFileDialog(self, tr("settings", "Your company's certificate authority file"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters(
            [tr("settings", "Certificates (*.pem *.crt *.cer)"), tr("settings", "All files (*)")]
        )
        dialog.fileSelected.connect(self.ca_edit.setText)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.file_dialog = dialog
        dialog.open()

    def _error(self, message: str) -> None:
        set_plain(self.error_label, message)
        self.error_label.show()

    def _status(self, message: str) -> None:
        set_plain(self.status_label, message)
        self.status_label.setVisible(bool(message))

    def _change_hub(self) -> None:
        """Another hub means signing out of this one first (with the same unsent-work care)."""
        if not self._signed_in:
            self.ctx.session.sign_in()
            self.change_hub_requested.emit()
            self.accept()
            return
        self._then_change_hub = True
        self.sign_out()

    # --- signing out ----------------------------------------------------------------------

    def sign_out(self) -> None:
        """Start sign-out: look at the outbox first (on the DB lane)."""
        self.error_label.hide()
        QueryOp(
            parent=self, op=lambda c: c.store.outbox_counts(), success=self._decide_sign_out
        ).run_in_background(self.ctx.ops)

    def _decide_sign_out(self, counts: OutboxCounts) -> None:
        unsent = unsent_total(counts)
        if unsent == 0:
            self._logout(force=False)
            return
        self.sign_out_box = self._ask_sign_out(unsent)

    def _ask_sign_out(self, unsent: int) -> QMessageBox:
        """Offer to send or export unsent work; opened, not exec'd (no nested event loop)."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(tr("settings", "Unsent work"))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(
            tr(
                "settings",
                "%n of your changes have not reached the hub yet. Signing out never deletes "
                "them: send them now, or save them to a file first.",
                n=unsent,
            )
        )
        send = box.addButton(tr("settings", "Send now"), QMessageBox.ButtonRole.AcceptRole)
        export = box.addButton(
            tr("settings", "Export to a file, then sign out"), QMessageBox.ButtonRole.ActionRole
        )
        box.addButton(tr("settings", "Stay signed in"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(send)
        self.sign_out_buttons = {SignOutChoice.SEND: send, SignOutChoice.EXPORT: export}

        def finished() -> None:
            clicked = box.clickedButton()
            choice = next(
                (c for c, b in self.sign_out_buttons.items() if b is clicked), SignOutChoice.CANCEL
            )
            self.sign_out_box = None
            box.deleteLater()
            self._sign_out_chosen(choice)

        box.finished.connect(finished)
        box.open()
        return box

    def _sign_out_chosen(self, choice: SignOutChoice) -> None:
        if choice is SignOutChoice.SEND:
            self._send_then_sign_out()
        elif choice is SignOutChoice.EXPORT:
            from repdesk.gui.outbox_panel import ask_export_file

            self.file_dialog = ask_export_file(self, self.ctx, self._export_then_sign_out)
            self.file_dialog.rejected.connect(
                lambda: self._blocked(
                    tr("settings", "Nothing was exported; you are still signed in.")
                )
            )
        else:
            self._blocked(tr("settings", "You are still signed in; your unsent work is kept."))

    def _send_then_sign_out(self) -> None:
        self._status(tr("settings", "Sending your changes…"))
        self.sign_out_button.setEnabled(False)
        controller = self.controller
        if controller is not None:
            # Through the app's controller, so there are never two syncs at once.
            self._watch_controller(controller)
            controller.sync_now()  # False when one is already running: we await that one
            return
        engine = self.ctx.sync
        if engine is None:
            self._send_failed(RuntimeError(tr("settings", "Sync is not set up.")))
            return

        def send(c: OpContext) -> SyncReport:
            return engine.sync(progress=c.report, cancel=None)

        QueryOp(parent=self, op=send, success=lambda _r: self._after_send()).failure(
            self._send_failed
        ).with_progress(tr("settings", "Sending your changes…")).on_lane(
            Lane.NETWORK
        ).run_in_background(self.ctx.ops)

    def _watch_controller(self, controller: SyncController) -> None:
        errors: list[str] = []

        def failed(message: str) -> None:
            errors.append(message)

        def ended() -> None:
            controller.failed.disconnect(failed)
            controller.ended.disconnect(ended)
            if errors:
                self._send_failed(RuntimeError(errors[-1]))
            else:
                self._after_send()

        controller.failed.connect(failed)
        controller.ended.connect(ended)

    def _after_send(self) -> None:
        self._status("")
        self.sign_out_button.setEnabled(True)
        self.ctx.events.emit_changes(Changes(outbox=True, session=True, leads=True))
        # Only what the hub now has is safe to leave behind: look again.
        QueryOp(
            parent=self, op=lambda c: c.store.outbox_counts(), success=self._after_send_counts
        ).run_in_background(self.ctx.ops)

    def _after_send_counts(self, counts: OutboxCounts) -> None:
        unsent = unsent_total(counts)
        if unsent == 0:
            self._logout(force=False)
            return
        self._blocked(
            tr(
                "settings",
                "%n changes have still not reached the hub (refused, in conflict or not sent), "
                "so you are still signed in. Open the outbox, or sign out again and export them.",
                n=unsent,
            )
        )

    def _send_failed(self, exc: BaseException) -> None:
        self._status("")
        self.sign_out_button.setEnabled(True)
        reason = str(exc) or tr("settings", "The hub could not be reached.")
        self._blocked(
            tr(
                "settings",
                "Your changes could not be sent, so you are still signed in. {reason}",
            ).format(reason=reason)
        )

    def _export_then_sign_out(self, path: Path) -> None:
        def export(c: OpContext) -> object:
            from repdesk.sync import export_pending

            return export_pending(c.store, path)

        def exported(_result: object) -> None:
            if not path.is_file():
                self._blocked(tr("settings", "The export file was not written; still signed in."))
                return
            self._logout(force=True)

        def failed(exc: BaseException) -> None:
            self._blocked(
                tr("settings", "The export failed, so you are still signed in. {reason}").format(
                    reason=str(exc) or type(exc).__name__
                )
            )

        QueryOp(parent=self, op=export, success=exported).failure(failed).run_in_background(
            self.ctx.ops
        )

    def _logout(self, *, force: bool) -> None:
        change_hub = self._then_change_hub

        def done() -> None:
            self._signed_in = False
            self.signed_out.emit()
            if change_hub:
                self.change_hub_requested.emit()
            self.accept()

        # The session's owner signs out (sync then stops its schedule) and, for another
        # hub or over the main window, opens the sign-in dialog.
        self.ctx.session.sign_out(
            force=force, then_sign_in=change_hub, done=done, failed=self._blocked
        )

    def _blocked(self, message: str) -> None:
        self._then_change_hub = False
        self._error(message)
        if not self.isVisible():
            # Sign-out started from a menu without showing this dialog: say it in a box.
            parent = self.parentWidget()
            # Keep a reference: a box without a parent would be collected at once.
            self.notice_box = show_message(
                parent if parent is not None and parent.isVisible() else None, message
            )
        self.sign_out_blocked.emit(message)
