"""Updates as the GUI sees them: `UpdatesApi` (which `repdesk.sync.updates.Updater`
satisfies) and `InstalledBuild`. Free of the wire schema, so the GUI may import it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True, slots=True)
class InstalledBuild:
    """A downloaded, verified and unpacked build."""

    version: str
    sha256: str
    executable: Path


class UpdatesApi(Protocol):
    """What the GUI uses, on `Lane.NETWORK` only (every call may touch disk or network)."""

    @property
    def running_version(self) -> str: ...

    def ready(self) -> InstalledBuild | None:
        """A verified build newer than the running one, already unpacked."""
        ...

    def check_and_fetch(
        self, on_bytes: Callable[[int], None] | None = None
    ) -> InstalledBuild | None:
        """Ask the hub; download, verify and unpack a newer build. None when there is none
        (and none is ready). Raises UpdateError, NetworkError, AuthError, ..."""
        ...


__all__ = ["InstalledBuild", "UpdatesApi"]
