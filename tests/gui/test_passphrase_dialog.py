"""The passphrase dialog (no system keyring): a new passphrase is typed twice and long
enough; the dialog says what is wrong in words and stays open until it is right."""

from __future__ import annotations

from typing import Any

from repdesk.gui.passphrase_dialog import PassphraseDialog
from repdesk.sync.cache_key import MIN_PASSPHRASE


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
