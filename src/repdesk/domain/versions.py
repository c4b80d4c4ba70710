"""Release versions as repdesk writes them ("1.2.3"): parsed to comparable tuples."""

from __future__ import annotations

import re

_VERSION = re.compile(r"^(\d{1,6})\.(\d{1,6})\.(\d{1,6})$")


def parse_version(text: str) -> tuple[int, int, int] | None:
    """(major, minor, patch) of a plain "X.Y.Z" version, else None."""
    match = _VERSION.match(text.strip())
    if match is None:
        return None
    major, minor, patch = (int(g) for g in match.groups())
    return major, minor, patch


def is_newer(candidate: str, than: str) -> bool:
    """Whether `candidate` is a later release than `than` (False when either is unreadable)."""
    new, old = parse_version(candidate), parse_version(than)
    return new is not None and old is not None and new > old


__all__ = ["is_newer", "parse_version"]
