"""Starts the desktop app from parsed command-line arguments."""

from __future__ import annotations

import argparse


def run_gui(args: argparse.Namespace) -> int:
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication([])
    label = QLabel("repdesk: the desktop client lands with the GUI issue.")
    label.setTextFormat(label.textFormat().PlainText)
    label.resize(480, 120)
    label.show()
    if args.screenshot:
        return 0
    return int(app.exec())
