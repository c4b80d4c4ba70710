"""Content-addressed files in a directory (`<dir>/ab/<sha256>`): collateral and client
builds, one `FileStore` (`repdesk.hub.file_store`; the other is `repdesk.hub.s3_files`).

The directory may be shared by hub processes on several hosts (`--files-dir`, a shared
mount; `repdesk.hub.config`). Names are never taken from user input: a file is named by
the sha256 of its bytes. A write goes to a uniquely named temp file (`.incoming-*`, on
the same file system), is fsynced, then renamed into place (atomic), and the directory is
fsynced: a reader on any host sees the whole file or none. Two processes storing the same
bytes at once each rename an identical file over the name, so either result is the same
complete file; storing bytes that are already there is a no-op. Temp files a crashed
writer left behind are removed by `remove_stale_incoming`, once they are old enough that
no live writer can still be filling them.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from repdesk.hub.file_store import SHA256_RE, StoredFile, check_sha256

CHUNK = 1024 * 1024
READ_CHUNK = 1024 * 1024
"""Bytes per chunk a download streams: each chunk is one hop through the threadpool and
one socket write, and 1 MB chunks fetched 64 MB ~25 % faster than 64 KB ones."""
INCOMING = ".incoming-"
STALE_INCOMING_SECONDS = 24 * 3600


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _chunks(stream: BinaryIO, length: int) -> Iterator[bytes]:
    with stream:
        remaining = length
        while remaining > 0:
            chunk = stream.read(min(READ_CHUNK, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk


class DirectoryFiles:
    """A `FileStore` in a directory, which several hosts may share."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def describe(self) -> str:
        return str(self.root)

    def check(self) -> None:
        """Nothing to check: a missing directory is made at the first write."""

    def path_for(self, sha256: str) -> Path:
        check_sha256(sha256)
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        return SHA256_RE.match(sha256) is not None and self.path_for(sha256).is_file()

    def stat(self, sha256: str) -> StoredFile | None:
        try:
            found = self.path_for(sha256).stat()
        except FileNotFoundError:
            return None
        return StoredFile(found.st_size, found.st_mtime)

    def read(self, sha256: str, start: int = 0, length: int | None = None) -> Iterator[bytes]:
        stream = self.path_for(sha256).open("rb")
        stream.seek(start)
        return _chunks(stream, length if length is not None else os.fstat(stream.fileno()).st_size)

    def put_stream(self, stream: BinaryIO) -> tuple[str, int]:
        """Store the bytes read from `stream`; returns (sha256, size)."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=INCOMING)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            target = self.path_for(sha)
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_file() and target.stat().st_size == size:
                os.unlink(tmp_name)  # the same bytes are already there
            else:
                os.replace(tmp_name, target)
                _fsync_dir(target.parent)
            return sha, size
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise

    def put_file(self, path: Path) -> tuple[str, int]:
        with path.open("rb") as stream:
            return self.put_stream(stream)

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        return self.put_stream(io.BytesIO(data))

    def remove_stale_incoming(self, older_than: float = STALE_INCOMING_SECONDS) -> int:
        """Delete temp files untouched for `older_than` seconds (a writer that died);
        returns how many. Younger ones may belong to a live writer on another host."""
        if not self.root.is_dir():
            return 0
        cutoff = time.time() - older_than
        removed = 0
        for leftover in self.root.glob(f"{INCOMING}*"):
            try:
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
                    removed += 1
            except FileNotFoundError:
                continue  # another host's hub removed it first
        return removed


__all__ = ["INCOMING", "DirectoryFiles"]
