"""Asks for the passphrase of the encrypted local data when there is no system keyring.

Shown at start, before any window: `repdesk.sync.cache_key` decides whether it is needed
(no usable keyring) and whether the rep is choosing a new passphrase (typed twice) or
typing the one chosen before.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from repdesk.gui.text import plain_label, set_plain
from repdesk.gui.theme import Tone, set_tone
from repdesk.sync.cache_key import check_new_passphrase

CHOOSE_TEXT = (
    "No system keyring was found to keep the key of your local data, so repdesk encrypts it "
    "with a passphrase you choose. You will type it each time repdesk starts; it is never "
    "saved. If it is forgotten, the local copy cannot be opened: sign in again to fetch your "
    "leads afresh (work not yet sent is lost)."
)
ENTER_TEXT = "Your local repdesk data is encrypted. Type its passphrase to open it."


class PassphraseDialog(QDialog):
    def __init__(self, choosing: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("repdesk: unlock your local data")
        self.choosing = choosing
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(CHOOSE_TEXT if choosing else ENTER_TEXT, self, wrap=True))
        form = QFormLayout()
        self.first = QLineEdit(self)
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.first.setObjectName("passphrase")
        form.addRow("Passphrase:", self.first)
        self.second = QLineEdit(self)
        self.second.setEchoMode(QLineEdit.EchoMode.Password)
        self.second.setObjectName("passphraseAgain")
        if choosing:
            form.addRow("Again:", self.second)
        else:
            self.second.hide()
        layout.addLayout(form)
        self.problem = plain_label("", self, wrap=True)
        self.problem.setObjectName("passphraseProblem")
        set_tone(self.problem, Tone.WARN)
        self.problem.hide()
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def show_problem(self, text: str) -> None:
        set_plain(self.problem, text)
        self.problem.show()

    def problem_text(self) -> str:
        text = self.first.text()
        if not text:
            return "Type the passphrase."
        if not self.choosing:
            return ""
        if problem := check_new_passphrase(text):
            return problem
        if self.second.text() != text:
            return "The two passphrases differ."
        return ""

    def accept(self) -> None:
        problem = self.problem_text()
        if problem:
            self.show_problem(problem)
            return
        super().accept()

    def passphrase(self) -> str:
        return self.first.text()


WRONG_TEXT = (
    "That passphrase does not unlock your local data. Nothing was changed; try again "
    "(passphrases are case-sensitive)."
)


class PassphrasePrompt:
    """Asks in a dialog; after `refused`, the next dialog says the last try was wrong.

    `open_rep_store(data, prompt, refused=prompt.refused)` gives the rep a few tries
    instead of closing the app on a typo.
    """

    def __init__(self) -> None:
        self._problem = ""

    def refused(self, _message: str) -> None:
        self._problem = WRONG_TEXT

    def dialog(self, choosing: bool) -> PassphraseDialog:
        dialog = PassphraseDialog(choosing)
        if self._problem:
            dialog.show_problem(self._problem)
        return dialog

    def __call__(self, choosing: bool) -> str | None:
        """The passphrase the rep typed, or None when they cancelled."""
        dialog = self.dialog(choosing)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.passphrase()
