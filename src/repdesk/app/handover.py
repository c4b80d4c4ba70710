"""Starting the newest verified build: after *Restart to update*, and at the next start.

The rep keeps starting repdesk the way IT installed it (menu entry, desktop icon). A build
downloaded from the hub lives in `<data>/updates/builds/<version>/`, and the `current`
pointer names the newest verified one (`repdesk.sync.update_files`). At start-up an
installed bundle (a frozen executable) that finds `current` naming a newer version replaces
itself with that build's executable (`os.execv`, same arguments), before it opens the data
folder; the newer build finds nothing newer than itself and starts normally. A source or
wheel install never hands over (it is updated with pip), nor does a start with
`REPDESK_NO_HANDOVER` set. The local database and outbox stay where they are: every
version opens the same data folder.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from repdesk import __version__
from repdesk.store.paths import AppPaths
from repdesk.sync.engine import SyncEngine
from repdesk.sync.update_files import UpdateFolder
from repdesk.sync.updates import Updater

log = logging.getLogger(__name__)

NO_HANDOVER_ENV = "REPDESK_NO_HANDOVER"
"""Set (to anything) to start this executable even if a newer build is installed; also
set for the child, so a hand-over happens at most once per start."""


def make_updater(engine: SyncEngine, paths: AppPaths) -> Updater:
    return Updater(UpdateFolder(paths.updates), engine.open_client)


def hand_over_to_newer(
    data_dir: str | Path | None,
    argv: Sequence[str] | None = None,
    *,
    frozen: bool | None = None,
    version: str = __version__,
    exec_: Callable[[str, list[str]], object] = os.execv,
) -> None:
    """Replace this process with the newest verified build when it is newer than this one;
    returns (doing nothing) otherwise."""
    if frozen is None:
        frozen = bool(getattr(sys, "frozen", False))
    if not frozen or os.environ.get(NO_HANDOVER_ENV):
        return
    newer = UpdateFolder(AppPaths.resolve(data_dir).updates).newer_than(version)
    if newer is None:
        return
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ[NO_HANDOVER_ENV] = "1"
    log.info("starting repdesk %s instead of %s", newer.version, version)
    exec_(str(newer.executable), [str(newer.executable), *args])


def start_detached(executable: Path, args: Sequence[str] = ()) -> subprocess.Popen[bytes]:
    """Start `executable` on its own (it outlives this process) with the same arguments;
    used once this process has closed its data folder, so the new version can take the
    single-instance lock."""
    env = {**os.environ, NO_HANDOVER_ENV: "1"}
    command = [str(executable), *args]
    if sys.platform == "win32":  # pragma: no cover - Windows builds are made in CI only
        flags = subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP
        return subprocess.Popen(command, env=env, creationflags=flags, close_fds=True)
    return subprocess.Popen(command, env=env, start_new_session=True, close_fds=True)


__all__ = ["NO_HANDOVER_ENV", "hand_over_to_newer", "make_updater", "start_detached"]
