"""Content-addressed collateral cache: files by sha256, resumable downloads, LRU size cap.

Layout: `cache_dir/ab/abcdef…` (the full hex digest; never a server-supplied file name).
A download goes to `…/<sha>.partial` (resumed with Range/If-Range, the validator kept in
`<sha>.partial.validator`), is fsynced, hashed, and only then renamed into place, so a
file under its final name is always complete and verified. Recency of use is the file's
mtime (touched by `path_for`), which drives least-recently-used eviction of files no
current lead needs.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import re
import threading
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Protocol

from repdesk.domain.errors import CollateralError, DiskFullError
from repdesk.domain.leads import Collateral
from repdesk.sync.partial import DISK_FULL, DownloadResult

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 1024 * 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
PARTIAL = ".partial"
VALIDATOR = ".partial.validator"


class Downloader(Protocol):
    def download(
        self,
        sha256: str,
        dest_partial_path: Path,
        *,
        expected_size: int,
        validator: str | None = None,
        on_bytes: Callable[[int], None] | None = None,
        on_validator: Callable[[str], None] | None = None,
    ) -> DownloadResult: ...


def _check_sha(sha256: str) -> str:
    if not _SHA256.match(sha256):
        raise CollateralError("This collateral entry has an invalid fingerprint; it was skipped.")
    return sha256


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a directory; the rename is still atomic
    finally:
        os.close(fd)


def file_sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


class CollateralCache:
    """Verified collateral files on disk. Thread-safe."""

    def __init__(self, cache_dir: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.cache_dir = cache_dir
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        cache_dir.mkdir(parents=True, exist_ok=True)

    # -- lookups --------------------------------------------------------------------------

    def _final(self, sha256: str) -> Path:
        return self.cache_dir / sha256[:2] / sha256

    def path_for(self, sha256: str) -> Path | None:
        """The verified file for this hash, or None when it is not (yet) cached."""
        if not _SHA256.match(sha256):
            return None
        path = self._final(sha256)
        if not path.is_file():
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # marks it recently used for eviction
        return path

    def has(self, sha256: str) -> bool:
        return bool(_SHA256.match(sha256)) and self._final(sha256).is_file()

    def cached(self) -> dict[str, Path]:
        """Every complete file, by hash."""
        return {
            p.name: p for p in self.cache_dir.glob("??/*") if p.is_file() and _SHA256.match(p.name)
        }

    def usage(self) -> int:
        return sum(p.stat().st_size for p in self.cached().values())

    # -- writes ---------------------------------------------------------------------------

    def fetch(
        self,
        downloader: Downloader,
        item: Collateral,
        *,
        keep: Collection[str] = (),
        on_bytes: Callable[[int], None] | None = None,
    ) -> Path:
        """Download, verify and install one file (resuming a partial one); returns its path."""
        sha = _check_sha(item.sha256)
        existing = self.path_for(sha)
        if existing is not None:
            return existing
        with self._lock:
            self._evict_locked(set(keep) | {sha}, need=item.size)
        final = self._final(sha)
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise DiskFullError(DISK_FULL) from exc
            raise
        partial = final.with_name(sha + PARTIAL)
        validator_file = final.with_name(sha + VALIDATOR)
        validator = _read_text(validator_file)

        def keep_validator(value: str) -> None:
            if value != validator:
                _write_small(validator_file, value)

        result = downloader.download(
            sha,
            partial,
            expected_size=item.size,
            validator=validator,
            on_bytes=on_bytes,
            on_validator=keep_validator,
        )
        if result.resumed_from:
            log.info("resumed %s from byte %d", sha, result.resumed_from)
        actual = file_sha256(partial)
        if actual != sha or partial.stat().st_size != item.size:
            partial.unlink(missing_ok=True)
            validator_file.unlink(missing_ok=True)
            raise CollateralError(
                f"“{item.title}” did not arrive intact, so it was discarded. "
                "It will be downloaded again at the next sync."
            )
        os.replace(partial, final)
        validator_file.unlink(missing_ok=True)
        _fsync_dir(final.parent)
        return final

    def evict(self, keep: Collection[str], need: int = 0) -> list[str]:
        """Remove least-recently-used files not in `keep` until `need` more bytes fit the cap."""
        with self._lock:
            return self._evict_locked(set(keep), need)

    def _evict_locked(self, keep: set[str], need: int) -> list[str]:
        files = self.cached()
        # Partial downloads of files nobody needs any more are dropped outright.
        for partial in self.cache_dir.glob(f"??/*{PARTIAL}*"):
            if partial.name[:64] not in keep:
                partial.unlink(missing_ok=True)
        sizes = {sha: p.stat().st_size for sha, p in files.items()}
        total = sum(sizes.values())
        removed: list[str] = []
        if total + need <= self.max_bytes:
            return removed
        victims = sorted(
            (sha for sha in files if sha not in keep), key=lambda s: files[s].stat().st_mtime
        )
        for sha in victims:
            if total + need <= self.max_bytes:
                break
            files[sha].unlink(missing_ok=True)
            total -= sizes[sha]
            removed.append(sha)
        if removed:
            log.info("evicted %d collateral files no lead needs", len(removed))
        return removed


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def _write_small(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        # Only an optimisation for resuming; a full disk here is reported by the next write.
        if exc.errno != errno.ENOSPC:
            log.warning("could not keep the download validator: %s", exc)


__all__ = ["DEFAULT_MAX_BYTES", "CollateralCache", "Downloader", "file_sha256"]
