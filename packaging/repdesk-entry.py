"""The bundle's entry point: what `dist/repdesk/repdesk` runs (PyInstaller needs a script)."""

import sys

from repdesk.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
