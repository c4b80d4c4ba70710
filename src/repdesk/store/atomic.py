"""Writing a small file so that a crash leaves the old content or the new, never half.

A temporary file in the same folder, flushed and fsynced, renamed over the target, then
the folder fsynced so the rename itself survives a power cut (POSIX; Windows has no
folder fsync). Used for every small file the client keeps beside its database: settings,
call drafts, the signed-in marker, the cache key's id, exports of unsent work.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically and durably (its folder is made if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if hasattr(os, "O_DIRECTORY"):
        dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


__all__ = ["write_atomically"]
