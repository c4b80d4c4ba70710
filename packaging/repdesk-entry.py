"""The bundle's entry point: what `dist/repdesk/repdesk` runs (PyInstaller needs a script)."""

import os
import sys

from repdesk.cli.main import main


def _restore_library_path() -> None:
    """Give programs this app starts (the system PDF viewer via xdg-open, a newer build
    after an update, the demo) the rep's own library path, not the bundle's.

    On Linux PyInstaller's boot loader prepends the bundle's folder to LD_LIBRARY_PATH
    (keeping the original in LD_LIBRARY_PATH_ORIG); the dynamic linker of this process
    read it at start, so restoring it changes only what children inherit. See
    PyInstaller's "Common Issues and Pitfalls: launching external programs"."""
    if not getattr(sys, "frozen", False) or not sys.platform.startswith("linux"):
        return
    original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is None:
        os.environ.pop("LD_LIBRARY_PATH", None)
    else:
        os.environ["LD_LIBRARY_PATH"] = original
    os.environ["PYINSTALLER_RESET_ENVIRONMENT"] = "1"  # a child bundle starts afresh


if __name__ == "__main__":
    _restore_library_path()
    sys.exit(main())
