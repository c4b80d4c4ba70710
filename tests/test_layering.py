"""The core packages never load Qt, and `repdesk --help` works without a display."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CORE = ["repdesk.domain", "repdesk.protocol", "repdesk.store", "repdesk.sync", "repdesk.hub"]


@pytest.mark.parametrize("package", CORE)
def test_core_package_does_not_load_pyside6(package: str) -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        f"pkg = importlib.import_module({package!r})\n"
        "for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    if '.migrations' in m.name:\n"
        "        continue\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.startswith(('PySide6', 'shiboken6')))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", f"{package} loaded {out}"


def test_help_needs_no_display() -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    env.pop("QT_QPA_PLATFORM", None)
    result = subprocess.run(
        [sys.executable, "-m", "repdesk.cli.main", "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "usage: repdesk" in result.stdout
    assert "--demo" in result.stdout
