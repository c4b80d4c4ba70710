"""The single-instance lock: an OS file lock on `<data dir>/.lock`, held while the store is open."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from repdesk.domain.errors import AlreadyRunningError, DiskFullError, StoreError, is_no_space

log = logging.getLogger(__name__)

LOCK_NAME = ".lock"


class InstanceLock:
    """An exclusive, non-blocking lock; released by `release()` or when the process ends.

    POSIX uses flock (per open file, so a second open in the SAME process is refused too);
    Windows uses msvcrt.locking on the first byte.
    """

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, data_dir: Path) -> InstanceLock:
        path = data_dir / LOCK_NAME
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            if is_no_space(exc):
                raise DiskFullError(where=data_dir) from exc
            raise StoreError(
                f"repdesk cannot use its data folder ({data_dir}): {exc.strerror or exc}"
            ) from exc
        try:
            _lock(fd)
        except OSError as exc:
            os.close(fd)
            raise AlreadyRunningError(
                f"repdesk is already running with this data folder ({data_dir}). "
                "Switch to the open window, or close it first."
            ) from exc
        try:
            # The pid is only a hint for a human looking at the folder.
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:
            log.debug("could not write the pid into %s", path)
        return cls(path, fd)

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            _unlock(fd)
        finally:
            os.close(fd)


if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
