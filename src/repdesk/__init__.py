"""repdesk: the desktop companion that closes the loop between marketing and sales."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """`repdesk.__version__`, read on first use: `importlib.metadata` (and the email and
    socket modules it pulls in) stays off the app's start-up."""
    if name != "__version__":
        raise AttributeError(f"module 'repdesk' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        # One source: `version` in pyproject.toml, read back from the installed package's
        # metadata (SemVer; see CHANGELOG.md). The desktop bundle carries that metadata too.
        found = version("repdesk")
    except PackageNotFoundError:  # pragma: no cover - a source tree on sys.path, not installed
        found = "0+unknown"
    globals()["__version__"] = found
    return found
