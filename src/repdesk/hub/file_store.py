"""The hub's content-addressed file store: one interface (`FileStore`), two kinds.

Collateral and client builds are stored by the sha256 of their bytes, never by a name
from user input, in a directory (`repdesk.hub.files.DirectoryFiles`, `--files-dir`, a
shared mount for several hosts) or in an S3-compatible bucket
(`repdesk.hub.s3_files.S3Files`, `--files-s3 s3://bucket/prefix`). `open_file_store`
picks one from the `HubConfig`. A store that cannot be used (a missing bucket, refused
credentials, an unreachable endpoint) raises `FileStoreError` with a sentence an
operator can act on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Literal, Protocol

from repdesk.domain.errors import StoreError

if TYPE_CHECKING:
    from repdesk.hub.config import HubConfig

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
Area = Literal["collateral", "client-builds"]
COLLATERAL: Area = "collateral"
CLIENT_BUILDS: Area = "client-builds"


class FileStoreError(StoreError):
    """The file store cannot be used; the message says why and what to check."""


def check_sha256(sha256: str) -> str:
    if not SHA256_RE.match(sha256):
        raise ValueError("not a sha256 hex digest")
    return sha256


@dataclass(frozen=True, slots=True)
class StoredFile:
    size: int
    modified: float
    """Seconds since the epoch (for Last-Modified)."""


class FileStore(Protocol):
    """Whole files named by the sha256 of their bytes; a reader sees a whole file or none."""

    def describe(self) -> str:
        """Where the files are, for messages and logs (never a secret)."""
        ...

    def check(self) -> None:
        """Raise FileStoreError unless the store can be read and written now."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def stat(self, sha256: str) -> StoredFile | None:
        """The file's size and time, or None when it is not stored."""
        ...

    def read(self, sha256: str, start: int = 0, length: int | None = None) -> Iterator[bytes]:
        """The bytes `start` .. `start + length` (to the end when None), in chunks; the file
        is opened before this returns (FileNotFoundError when it is not stored)."""
        ...

    def put_stream(self, stream: BinaryIO) -> tuple[str, int]:
        """Store the bytes read from `stream`; returns (sha256, size). Storing bytes that
        are already there changes nothing."""
        ...

    def put_file(self, path: Path) -> tuple[str, int]: ...

    def put_bytes(self, data: bytes) -> tuple[str, int]: ...

    def remove_stale_incoming(self) -> int:
        """Remove what a writer that died left behind; returns how many."""
        ...


def open_file_store(config: HubConfig, area: Area) -> FileStore:
    """The store for `area` (collateral or client builds) that `config` names."""
    if config.files_s3:
        from repdesk.hub.s3_files import S3Files, S3Settings

        settings = S3Settings(config.files_s3, config.s3_endpoint_url, config.s3_region)
        return S3Files(settings, area)
    from repdesk.hub.files import DirectoryFiles

    root = config.collateral_dir if area == COLLATERAL else config.builds_dir
    return DirectoryFiles(root)


__all__ = [
    "CLIENT_BUILDS",
    "COLLATERAL",
    "SHA256_RE",
    "Area",
    "FileStore",
    "FileStoreError",
    "StoredFile",
    "check_sha256",
    "open_file_store",
]
