"""repdesk: the desktop companion that closes the loop between marketing and sales."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    # One source: `version` in pyproject.toml, read back from the installed package's
    # metadata (SemVer; see CHANGELOG.md). The desktop bundle carries that metadata too.
    __version__ = version("repdesk")
except PackageNotFoundError:  # pragma: no cover - a source tree on sys.path, not installed
    __version__ = "0+unknown"
