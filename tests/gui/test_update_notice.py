"""The "Restart to update" notice against a real hub: after a sync that finds a newer
build, the app downloads and unpacks it in the background, the notice appears, and the
button hands the new executable to the restart hook (injected here: the test records it
instead of ending the test process). Bundles are the tiny stand-ins of
`tests/support/bundles.py`."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from typing import Any

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow

from repdesk.gui.sync_controller import SyncController
from repdesk.gui.update_notice import RESTART_KEY, UpdateNotice
from repdesk.hub import admin
from repdesk.sync.http import HubClient
from repdesk.sync.update_files import UpdateFolder
from repdesk.sync.updates import Updater
from tests.gui.test_offline_flow_support import (
    add_note,
    grab,
)
from tests.support.bundles import PLATFORM, make_bundle
from tests.support.hub_fixtures import PASSWORD
from tests.support.world import World


def test_a_newer_build_is_offered_and_the_button_restarts_into_it(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, rep_store: Any, tmp_path: Path
) -> None:
    with admin.open_hub(live_world.hub.config) as hub:
        admin.add_build(hub, make_bundle(tmp_path / "bundles", "9.1.0"), PLATFORM)
    sync_engine.login(live_world.hub.url, live_world.ada.email, PASSWORD)
    note = add_note(rep_store, live_world.ada.leads[0], "Call back after the board meeting")
    updater = Updater(
        UpdateFolder(tmp_path / "data" / "updates"),
        sync_engine.open_client,
        version="9.0.0",
        platform=PLATFORM,
    )
    restarted: list[Path] = []
    controller = SyncController(app_ctx, prompt_sign_in=False)
    notice = UpdateNotice(app_ctx, updater, controller, restart=restarted.append)
    qtbot.addWidget(notice)
    assert notice.isHidden()

    with qtbot.waitSignal(notice.ready, timeout=30_000) as offered:
        controller.sync_now()
    build = offered.args[0]
    assert build.version == "9.1.0"
    assert notice.isVisible()
    assert notice.label.text() == "repdesk 9.1.0 is ready"
    assert notice.button.text() == "Restart to update"
    grab(notice, "update-ready")

    notice.button.click()
    assert restarted == [build.executable]
    done = subprocess.run([str(build.executable)], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "repdesk 9.1.0"
    # The sync before it sent the note; nothing of the rep's work waits on the update.
    assert rep_store.outbox_counts().pending == 0
    assert note.id in {i.entity_id for i in rep_store.outbox()}


def test_a_failed_update_says_so_in_one_line_and_offers_nothing(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, tmp_path: Path
) -> None:
    sync_engine.login(live_world.hub.url, live_world.ada.email, PASSWORD)
    bundle = make_bundle(tmp_path / "bundles", "9.1.0")
    with admin.open_hub(live_world.hub.config) as hub:
        sha = admin.add_build(hub, bundle, PLATFORM).sha256
    stored = live_world.hub.config.builds_dir / sha[:2] / sha
    stored.write_bytes(stored.read_bytes()[:-10] + b"0123456789")  # damaged on the hub's disk
    updater = Updater(
        UpdateFolder(tmp_path / "data" / "updates"),
        sync_engine.open_client,
        version="9.0.0",
        platform=PLATFORM,
    )
    restarted: list[Path] = []
    notice = UpdateNotice(app_ctx, updater, restart=restarted.append)
    qtbot.addWidget(notice)
    with qtbot.waitSignal(notice.failed, timeout=30_000) as failed:
        notice.check()
    assert "did not arrive intact" in failed.args[0]
    assert notice.label.text() == "Update not installed"
    assert notice.button.isHidden()
    assert notice.build is None and restarted == []


def _installed(tmp_path: Path, version: str) -> Updater:
    """An updater whose folder already holds a verified `version` (from an earlier run)."""
    bundle = make_bundle(tmp_path / "bundles", version)
    folder = UpdateFolder(tmp_path / "data" / "updates")
    folder.install(bundle, hashlib.sha256(bundle.read_bytes()).hexdigest(), version, PLATFORM)

    def no_hub() -> HubClient:
        raise AssertionError("a ready build needs no hub")

    return Updater(folder, no_hub, version="9.0.0", platform=PLATFORM)


def test_by_default_the_button_closes_the_window_and_leaves_the_build_to_start(
    qtbot: Any, app_ctx: Any, tmp_path: Path
) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    notice = UpdateNotice(app_ctx, _installed(tmp_path, "9.2.0"), parent=window)
    window.statusBar().addPermanentWidget(notice)
    with qtbot.waitSignal(notice.ready) as offered:
        window.show()
    assert notice.isVisible() and notice.label.text() == "repdesk 9.2.0 is ready"
    notice.button.click()
    assert app_ctx.extras[RESTART_KEY] == offered.args[0].executable
    assert not window.isVisible()


def test_a_window_that_refuses_to_close_keeps_the_app_and_drops_the_request(
    qtbot: Any, app_ctx: Any, tmp_path: Path
) -> None:
    class Busy(QMainWindow):
        def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
            event.ignore()  # e.g. a call console with an unfinished call

    window = Busy()
    qtbot.addWidget(window)
    notice = UpdateNotice(app_ctx, _installed(tmp_path, "9.2.0"), parent=window)
    window.statusBar().addPermanentWidget(notice)
    with qtbot.waitSignal(notice.ready):
        window.show()
    notice.button.click()
    assert RESTART_KEY not in app_ctx.extras
    assert window.isVisible()


def test_a_repdesk_too_old_for_its_hub_is_still_offered_the_update(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, tmp_path: Path
) -> None:
    """The hub needs 0.1.0 (its default minimum); this app says it is 0.0.9, so every sync
    stops at the version check — and the update is what gets it going again."""
    with admin.open_hub(live_world.hub.config) as hub:
        admin.add_build(hub, make_bundle(tmp_path / "bundles", "0.2.0"), PLATFORM)
    sync_engine.login(live_world.hub.url, live_world.ada.email, PASSWORD)
    sync_engine.client_version = "0.0.9"
    updater = Updater(
        UpdateFolder(tmp_path / "data" / "updates"),
        sync_engine.open_client,
        version="0.0.9",
        platform=PLATFORM,
    )
    controller = SyncController(app_ctx, prompt_sign_in=False)
    notice = UpdateNotice(app_ctx, updater, controller, restart=lambda _exe: None)
    qtbot.addWidget(notice)
    with qtbot.waitSignals([controller.failed, notice.ready], timeout=30_000):
        controller.sync_now()
    assert "too old" in controller.status.last_error
    assert notice.label.text() == "repdesk 0.2.0 is ready"
