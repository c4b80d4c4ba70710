"""Before Qt starts on X11: are the system libraries its xcb plugin needs installed?

When one is missing, Qt aborts with "Reinstalling the application may fix this problem",
which names no library and cannot be caught from Python. So on Linux, before the first
window, repdesk asks the dynamic linker (`ldd` on the plugin) which libraries it cannot
find and says which Debian/Ubuntu packages bring them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

PACKAGES = {
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
}
"""Shared library -> the Debian/Ubuntu package that provides it."""

Runner = Callable[[list[str]], str]


def uses_xcb(environ: Mapping[str, str] | None = None, platform: str = sys.platform) -> bool:
    """Whether Qt will open its windows through the xcb (X11) plugin."""
    env = os.environ if environ is None else environ
    if platform != "linux":
        return False
    chosen = env.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.split(":")[0].split(";")[0] == "xcb"
    if env.get("WAYLAND_DISPLAY") and env.get("XDG_SESSION_TYPE") == "wayland":
        return False
    return bool(env.get("DISPLAY"))


def xcb_plugin() -> Path | None:
    """The xcb platform plugin inside the installed PySide6, if there is one."""
    try:
        import PySide6
    except ImportError:
        return None
    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return plugin if plugin.is_file() else None


def _ldd(args: list[str]) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=20, check=False)
    return done.stdout + done.stderr


def missing_libraries(plugin: Path, run: Runner = _ldd) -> list[str]:
    """The shared libraries `plugin` needs that the dynamic linker cannot find."""
    ldd = shutil.which("ldd") if run is _ldd else "ldd"
    if ldd is None:
        return []
    missing = []
    for line in run([ldd, str(plugin)]).splitlines():
        name, _, found = line.strip().partition("=>")
        if found.strip() == "not found":
            missing.append(name.strip())
    return sorted(set(missing))


def hint(missing: list[str]) -> str:
    """What to tell a person whose Qt cannot open a window for lack of `missing`."""
    packages = sorted({PACKAGES.get(name, "") for name in missing} - {""})
    unknown = [name for name in missing if name not in PACKAGES]
    lines = [
        "repdesk cannot open its window: Qt's X11 (xcb) plugin needs system libraries "
        "that are not installed:",
        "  " + ", ".join(missing),
    ]
    if packages:
        lines += [
            "On Debian or Ubuntu, install them with:",
            "  sudo apt-get install -y " + " ".join(packages),
        ]
    if unknown:
        lines.append(
            "Your distribution's package search can tell which packages provide the others."
        )
    lines.append(
        "Without a display, `repdesk --screenshot DIR` renders the views to PNG files instead."
    )
    return "\n".join(lines)


def check_xcb(environ: Mapping[str, str] | None = None, run: Runner = _ldd) -> str | None:
    """None when Qt can open an X11 window here (or will not use X11), else the hint."""
    if not uses_xcb(environ):
        return None
    plugin = xcb_plugin()
    if plugin is None:
        return None
    missing = missing_libraries(plugin, run)
    return hint(missing) if missing else None


__all__ = ["PACKAGES", "check_xcb", "hint", "missing_libraries", "uses_xcb", "xcb_plugin"]
