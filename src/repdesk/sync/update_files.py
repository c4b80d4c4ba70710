"""Desktop builds on this computer: downloads, unpacked versions and the `current` pointer.

Layout under `AppPaths.updates` (`<data>/updates`; the local database and its outbox are
elsewhere in `<data>` and never touched here):

    downloads/<sha256>.partial            a bundle being downloaded (resumable)
    downloads/<sha256>.partial.validator  its ETag, for If-Range
    builds/<version>/repdesk/repdesk      an unpacked, verified build
    current                               JSON {"version", "sha256"}: the newest verified build

A build is unpacked only after its bundle's sha256 matched the hub's, into a temporary
folder that is renamed to `builds/<version>` when complete; `current` is then replaced
atomically (temp file, fsync, rename). So `current` always names a complete, verified
build, and the next start can hand over to it (`repdesk.app.handover`).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import stat
import tarfile
import tempfile
from collections.abc import Collection
from pathlib import Path

from repdesk.domain.errors import UpdateError, ValidationError
from repdesk.domain.versions import is_newer, parse_version
from repdesk.protocol.bundle import EXECUTABLE, check_member, read_bundle
from repdesk.sync.update_api import InstalledBuild

log = logging.getLogger(__name__)

POINTER = "current"


class UpdateFolder:
    """The builds folder of one data folder. Not thread-safe: one updater uses it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.downloads = root / "downloads"
        self.builds = root / "builds"

    def partial_for(self, sha256: str) -> Path:
        self.downloads.mkdir(parents=True, exist_ok=True)
        return self.downloads / f"{sha256}.partial"

    def build_dir(self, version: str) -> Path:
        if parse_version(version) is None:
            raise UpdateError(f"{version!r} is not a repdesk version.")
        return self.builds / version.strip()

    def current(self) -> InstalledBuild | None:
        """The build `current` names, if it is complete on disk (else None)."""
        try:
            data = json.loads((self.root / POINTER).read_text(encoding="utf-8"))
            version, sha = str(data["version"]), str(data["sha256"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if parse_version(version) is None:
            return None
        executable = self.build_dir(version) / EXECUTABLE
        return InstalledBuild(version, sha, executable) if executable.is_file() else None

    def newer_than(self, version: str) -> InstalledBuild | None:
        """The current verified build when it is newer than `version`."""
        build = self.current()
        return build if build is not None and is_newer(build.version, version) else None

    def install(
        self,
        archive: Path,
        sha256: str,
        version: str,
        platform: str,
        *,
        keep: Collection[str] = (),
    ) -> InstalledBuild:
        """Unpack the verified bundle `archive` (its hash already checked against `sha256`)
        and point `current` at it. The archive must say it is `version` for `platform`.
        Older builds are then removed, except the versions in `keep` (the running one)."""
        shown = f"The update to repdesk {version}"
        try:
            info = read_bundle(archive, shown=shown)
        except ValidationError as exc:
            raise UpdateError(f"{exc} It was discarded; repdesk keeps working as it is.") from exc
        if (info.version, info.platform) != (version, platform):
            raise UpdateError(
                f"{shown} says it is {info.version} for {info.platform}; it was discarded."
            )
        target = self.build_dir(version)
        self.builds.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=self.builds, prefix=".unpack-"))
        try:
            with tarfile.open(archive, "r:gz") as bundle:
                for member in bundle.getmembers():
                    check_member(member, shown)
                bundle.extractall(staging, filter="data")
            executable = staging / EXECUTABLE
            mode = executable.stat().st_mode
            executable.chmod(mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
            if target.exists():
                shutil.rmtree(target)  # an earlier, unfinished attempt at this version
            os.replace(staging, target)
        except (tarfile.TarError, ValidationError, OSError) as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise UpdateError(
                f"{shown} could not be unpacked ({exc}); repdesk keeps working as it is."
            ) from exc
        self._point_at(version, sha256)
        archive.unlink(missing_ok=True)
        self._prune({version, *keep})
        log.info("repdesk %s unpacked in %s", version, target)
        return InstalledBuild(version, sha256, target / EXECUTABLE)

    def _prune(self, keep: set[str]) -> None:
        """Remove other builds and abandoned unpack folders (never the running one)."""
        for path in self.builds.iterdir():
            if path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)

    def _point_at(self, version: str, sha256: str) -> None:
        body = json.dumps({"version": version, "sha256": sha256}).encode()
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".current-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(body)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.root / POINTER)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


__all__ = ["POINTER", "InstalledBuild", "UpdateFolder"]
