"""PySide6 6.12.0 on CPython 3.11 kills the process after many "no value" returns.

We pin <6.12; this test makes 20k such calls in a child process so a bad pin shows up as a
failure here instead of a crash in a rep's hands.
"""

from __future__ import annotations

import os
import subprocess
import sys


def test_twenty_thousand_no_value_calls_do_not_crash() -> None:
    code = (
        "from PySide6.QtCore import QObject\n"
        "o = QObject()\n"
        "for _ in range(20_000):\n"
        "    assert o.property('missing') is None\n"
        "print('survived')\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "survived"


def test_installed_pyside6_is_within_the_pin() -> None:
    import PySide6

    major, minor = (int(p) for p in PySide6.__version__.split(".")[:2])
    assert (6, 8) <= (major, minor) < (6, 12)
