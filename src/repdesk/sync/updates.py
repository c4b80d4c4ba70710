"""Updates from the hub: is there a newer desktop build, and fetching it.

`Updater.check()` asks the hub (`GET /v1/client/latest`) for the newest build for this
platform that is newer than the running version. `Updater.fetch(offer)` downloads its
bundle with the collateral machinery (`HubClient.download_file`: Range/If-Range resume,
fsync), checks size and sha256, and only then unpacks it (`UpdateFolder.install`), which
points `current` at it. A bundle that does not hash to the hub's sha256 is deleted and
reported; nothing already installed, and no local data or outbox, is touched.

The GUI reaches this through `repdesk.sync.update_api.UpdatesApi` on `Lane.NETWORK`; the
CLI calls it directly.
"""

from __future__ import annotations

import logging
import platform as host
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from repdesk import __version__
from repdesk.domain.errors import CollateralError, DiskFullError, UpdateError
from repdesk.sync.collateral import file_sha256
from repdesk.sync.http import HubClient, HubRefusedError
from repdesk.sync.update_api import InstalledBuild, UpdatesApi
from repdesk.sync.update_files import UpdateFolder

log = logging.getLogger(__name__)

_ARCH = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "arm64"}
_SYSTEM = {"linux": "linux", "windows": "windows", "darwin": "macos"}


def current_platform() -> str:
    """This computer's platform as the hub names builds, e.g. "linux-x86_64"."""
    system = _SYSTEM.get(host.system().lower(), host.system().lower())
    machine = _ARCH.get(host.machine().lower(), host.machine().lower())
    if system == "linux" and machine == "arm64":
        machine = "aarch64"
    return f"{system}-{machine}"


@dataclass(frozen=True, slots=True)
class BuildOffer:
    """A newer build the hub has for this computer."""

    version: str
    platform: str
    sha256: str
    size: int


class Updater:
    """Checks for and fetches newer builds into one `UpdateFolder`."""

    def __init__(
        self,
        folder: UpdateFolder,
        open_client: Callable[[], HubClient],
        *,
        version: str = __version__,
        platform: str | None = None,
    ) -> None:
        self.folder = folder
        self.open_client = open_client
        """A signed-in client (raises AuthError when nobody is signed in)."""
        self.version = version
        self.platform = platform or current_platform()

    @property
    def running_version(self) -> str:
        return self.version

    def ready(self) -> InstalledBuild | None:
        return self.folder.newer_than(self.version)

    def check(self) -> BuildOffer | None:
        """The newest build the hub has for this platform, if newer than this one."""
        with self.open_client() as client:
            try:
                answer = client.latest_build(self.platform, self.version)
            except HubRefusedError as exc:
                if exc.status == 404:
                    return None  # a hub from before client builds
                raise
        build = answer.build
        if build is None or build.platform != self.platform:
            return None
        return BuildOffer(build.version, build.platform, build.sha256, build.size)

    def fetch(
        self, offer: BuildOffer, on_bytes: Callable[[int], None] | None = None
    ) -> InstalledBuild:
        """Download (resuming), verify and unpack `offer`; returns the installed build."""
        installed = self.folder.current()
        if installed is not None and installed.sha256 == offer.sha256:
            return installed
        partial = self.folder.partial_for(offer.sha256)
        validator_file = partial.with_name(partial.name + ".validator")
        validator = _read(validator_file)
        shown = f"The update to repdesk {offer.version}"
        try:
            with self.open_client() as client:
                client.download_file(
                    f"/v1/client/builds/{offer.sha256}",
                    partial,
                    expected_size=offer.size,
                    validator=validator,
                    on_bytes=on_bytes,
                    on_validator=lambda v: _keep(validator_file, v),
                )
        except CollateralError as exc:  # more bytes than announced
            validator_file.unlink(missing_ok=True)
            raise UpdateError(f"{shown} could not be downloaded: {exc}") from exc
        except DiskFullError as exc:
            raise UpdateError(
                f"The disk is full, so {shown[0].lower()}{shown[1:]} could not be saved. Free "
                "some space; repdesk keeps working as it is and tries again at the next sync."
            ) from exc
        except HubRefusedError as exc:
            if exc.status != 404:
                raise
            raise UpdateError(
                f"The hub no longer offers repdesk {offer.version}; nothing was changed."
            ) from exc
        if partial.stat().st_size != offer.size or file_sha256(partial) != offer.sha256:
            partial.unlink(missing_ok=True)
            validator_file.unlink(missing_ok=True)
            raise UpdateError(
                f"{shown} did not arrive intact (its fingerprint does not match the hub's), "
                "so it was discarded. It will be downloaded again at the next sync; repdesk "
                "keeps working as it is."
            )
        validator_file.unlink(missing_ok=True)
        build = self.folder.install(
            partial, offer.sha256, offer.version, offer.platform, keep=(self.version,)
        )
        log.info("repdesk %s downloaded and verified; ready after a restart", offer.version)
        return build

    def check_and_fetch(
        self, on_bytes: Callable[[int], None] | None = None
    ) -> InstalledBuild | None:
        offer = self.check()
        if offer is None:
            return self.ready()
        return self.fetch(offer, on_bytes)


def _keep(path: Path, validator: str) -> None:
    try:
        path.write_text(validator, encoding="utf-8")
    except OSError as exc:  # only an optimisation for resuming
        log.warning("could not keep the update's download validator: %s", exc)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


__all__ = ["BuildOffer", "Updater", "current_platform"]


def _satisfies_updates_api(updater: Updater) -> UpdatesApi:
    """mypy checks here that the updater is what the GUI codes against."""
    return updater
