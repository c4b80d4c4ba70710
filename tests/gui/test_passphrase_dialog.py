"""The passphrase dialog (no system keyring): a new passphrase is typed twice and long
enough; the dialog says what is wrong in words and stays open until it is right."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from keyring.backends import fail
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from repdesk.app.services import open_rep_store
from repdesk.gui.passphrase_dialog import WRONG_TEXT, PassphraseDialog, PassphrasePrompt
from repdesk.store import Store
from repdesk.store.cipher import CacheKey
from repdesk.sync.cache_key import MIN_PASSPHRASE, CacheKeys

PHRASE = "correct horse battery staple"


def test_choosing_a_passphrase_needs_it_twice_and_long_enough(qtbot: Any) -> None:
    dialog = PassphraseDialog(choosing=True)
    qtbot.addWidget(dialog)
    dialog.first.setText("short")
    dialog.second.setText("short")
    dialog.accept()
    assert dialog.result() != PassphraseDialog.DialogCode.Accepted
    assert f"at least {MIN_PASSPHRASE}" in dialog.problem.text()

    dialog.first.setText("correct horse battery")
    dialog.second.setText("correct horse batterY")
    dialog.accept()
    assert dialog.problem.text() == "The two passphrases differ."

    dialog.second.setText("correct horse battery")
    dialog.accept()
    assert dialog.result() == PassphraseDialog.DialogCode.Accepted
    assert dialog.passphrase() == "correct horse battery"


def test_typing_the_passphrase_asks_it_once(qtbot: Any) -> None:
    dialog = PassphraseDialog(choosing=False)
    qtbot.addWidget(dialog)
    assert not dialog.second.isVisibleTo(dialog)
    dialog.accept()
    assert dialog.problem.text() == "Type the passphrase."
    dialog.first.setText("x")  # any length: the store says whether it opens
    dialog.accept()
    assert dialog.result() == PassphraseDialog.DialogCode.Accepted


def test_a_wrong_passphrase_is_asked_again_in_words_not_fatal(qtbot: Any, tmp_path: Path) -> None:
    """The app's own start path (no keyring: keyring's `fail` backend): a typo at the
    passphrase shows the dialog again saying so, instead of closing the app."""
    data = tmp_path / "data"
    Store.open(data, key=CacheKey.passphrase(PHRASE)).close()
    prompt = PassphrasePrompt()
    answers = ["Correct horse battery staple", PHRASE]
    seen: list[str] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, PassphraseDialog):
            QTimer.singleShot(0, answer)  # the dialog is not up yet: after the next events
            return
        seen.append(dialog.problem.text() if dialog.problem.isVisibleTo(dialog) else "")
        dialog.first.setText(answers.pop(0))
        dialog.accept()
        if answers:
            QTimer.singleShot(0, answer)

    QTimer.singleShot(0, answer)
    with open_rep_store(data, prompt, refused=prompt.refused, keys=CacheKeys(fail.Keyring())) as s:
        assert s.encrypted
    assert seen == ["", WRONG_TEXT]
