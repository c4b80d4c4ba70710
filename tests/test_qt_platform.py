"""A missing X11 library is named, with the package that brings it, before Qt aborts.

Qt's own message on a missing xcb dependency is "Reinstalling the application may fix
this problem" and a core dump. These tests inject what the dynamic linker reports (a fake
`ldd`) because this machine has every library installed: the fault is simulated there and
only there; everything else is the real code path, up to the real `repdesk` process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from repdesk.app.qt_platform import check_xcb, missing_libraries, uses_xcb

LDD_MISSING = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f)
"""


def test_qt_uses_xcb_only_on_an_x11_linux_display() -> None:
    assert uses_xcb({"DISPLAY": ":0"}, "linux")
    assert uses_xcb({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert not uses_xcb({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not uses_xcb({}, "linux")
    assert not uses_xcb({"DISPLAY": ":0"}, "darwin")
    wayland = {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}
    assert not uses_xcb(wayland, "linux")


def test_the_missing_libraries_are_read_from_the_linker() -> None:
    found = missing_libraries(Path("libqxcb.so"), run=lambda _args: LDD_MISSING)
    assert found == ["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"]


def test_the_hint_names_the_packages_to_install() -> None:
    message = check_xcb({"DISPLAY": ":0"}, run=lambda _args: LDD_MISSING)
    assert message is not None
    assert "libxcb-cursor.so.0" in message
    assert "apt-get install -y libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in message
    assert check_xcb({"DISPLAY": ":0"}, run=lambda _args: "") is None


def test_repdesk_says_which_library_is_missing_instead_of_crashing(tmp_path: Path) -> None:
    """A fake `ldd` first on PATH reports libxcb-cursor missing (the injected fault); the
    real `repdesk` process must print the hint and exit before Qt starts."""
    fake = tmp_path / "bin" / "ldd"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho '\tlibxcb-cursor.so.0 => not found'\n", encoding="utf-8")
    fake.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{fake.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "DISPLAY": ":99",
        "QT_QPA_PLATFORM": "xcb",
    }
    done = subprocess.run(
        [sys.executable, "-m", "repdesk.cli.main", "--data-dir", str(tmp_path / "data")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "libxcb-cursor.so.0" in done.stderr
    assert "apt-get install -y libxcb-cursor0" in done.stderr
    assert "Reinstalling" not in done.stderr
