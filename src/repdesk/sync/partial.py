"""Writing a (resumable) download to its `.partial` file: validators, ranges, full disks."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from repdesk.domain.errors import CollateralError, DiskFullError

DISK_FULL = (
    "The disk is full, so a collateral file could not be saved. Free some space and sync "
    "again; nothing else was affected."
)


@dataclass(frozen=True, slots=True)
class DownloadResult:
    size: int
    resumed_from: int
    validator: str | None
    """The ETag (or Last-Modified) to send in If-Range when resuming later."""


def validator_of(headers: httpx.Headers) -> str | None:
    """A strong validator for If-Range (a weak ETag may not be used there)."""
    etag: str | None = headers.get("ETag")
    if etag and not etag.startswith("W/"):
        return etag
    modified: str | None = headers.get("Last-Modified")
    return modified


def content_range_start(value: str | None) -> int:
    # "bytes 100-199/200"
    try:
        unit, rest = (value or "").split(" ", 1)
        return int(rest.split("-", 1)[0]) if unit == "bytes" else -1
    except ValueError:
        return -1


def write_stream(
    chunks: Iterator[bytes],
    path: Path,
    start: int,
    expected_size: int,
    on_bytes: Callable[[int], None] | None,
) -> int:
    """Append (206) or rewrite (200) `path`; fsync; ENOSPC leaves no partial behind."""
    size = start
    try:
        resume = bool(start) and path.exists()
        with path.open("r+b" if resume else "wb") as fh:
            if resume:
                fh.seek(start)
                fh.truncate()
            for chunk in chunks:
                size += len(chunk)
                if size > expected_size:
                    raise CollateralError(
                        "The hub sent more data than this file should have; it was discarded."
                    )
                fh.write(chunk)
                if on_bytes is not None:
                    on_bytes(len(chunk))
            fh.flush()
            os.fsync(fh.fileno())
    except CollateralError:
        path.unlink(missing_ok=True)
        raise
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            path.unlink(missing_ok=True)
            raise DiskFullError(DISK_FULL) from exc
        raise
    return size


__all__ = [
    "DISK_FULL",
    "DownloadResult",
    "content_range_start",
    "validator_of",
    "write_stream",
]
