"""Checks that client-sent values fit the database before any query sees them.

JSON can carry what no column can hold: NUL characters (PostgreSQL refuses them), lone
surrogates (not encodable as UTF-8), integers beyond 32 bits, datetimes that overflow
when moved to UTC. Each would otherwise surface as a 500; the hub answers 4xx/`rejected`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

INT32_MAX = 2**31 - 1
MAX_ID = 64


def _walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(key, f"{path}.<key>" if path else "<key>")
            yield from _walk(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")
    else:
        yield path, value


def text_problem(value: str) -> str | None:
    if "\x00" in value:
        return "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains characters that are not valid Unicode"
    return None


def problem(value: Any, *, check_ints: bool = True) -> str | None:
    """A description of the first value that cannot be stored, else None."""
    for path, item in _walk(value):
        where = f"{path}: " if path else ""
        if isinstance(item, str):
            why = text_problem(item)
            if why:
                return where + why
            if path.endswith("_id") and len(item) > MAX_ID:
                return f"{where}an id longer than {MAX_ID} characters"
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int) and check_ints and abs(item) > INT32_MAX:
            return where + "a number too large"
        elif isinstance(item, datetime):
            try:
                (item if item.tzinfo else item.replace(tzinfo=UTC)).astimezone(UTC)
            except OverflowError:
                return where + "a date out of range"
    return None


__all__ = ["INT32_MAX", "problem", "text_problem"]
