"""Updates from the hub, end to end: a v1 client on a real hub over loopback sees v2,
downloads it (resuming a cut download; refusing a corrupted one), unpacks it into its data
folder, and the new executable runs and says it is v2. The bundles are tiny stand-ins for
the PyInstaller build (`tests/support/bundles.py`). Unsent work is never touched: the
outbox is intact after the update and sent exactly once by the new version."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import httpx
import pytest

from repdesk.domain.errors import NetworkError, UpdateError
from repdesk.domain.feedback import CallNote
from repdesk.domain.ids import new_id, utcnow
from repdesk.domain.outbox import OutboxState
from repdesk.hub import admin
from repdesk.hub.db import models as m
from repdesk.store import Store
from repdesk.store.paths import AppPaths
from repdesk.sync.collateral import CollateralCache
from repdesk.sync.engine import SyncEngine
from repdesk.sync.http import HubClient
from repdesk.sync.update_files import POINTER, UpdateFolder
from repdesk.sync.updates import Updater
from tests.support.bundles import PLATFORM, link_member, make_bundle
from tests.support.hub_rows import count_rows
from tests.support.sync_fixtures import Client, ClientMaker, LiveHub
from tests.support.world import World
from tests.sync.faults import Tap, cut_body_after

V1, V2 = "1.0.0", "1.1.0"


def publish(hub: LiveHub, bundle: Path) -> str:
    with admin.open_hub(hub.config) as opened:
        return admin.add_build(opened, bundle, PLATFORM).sha256


def updater_for(client: Client, folder: Path, version: str = V1) -> Updater:
    return Updater(
        UpdateFolder(folder), client.engine.open_client, version=version, platform=PLATFORM
    )


def run_build(executable: Path) -> str:
    done = subprocess.run([str(executable)], capture_output=True, text=True, timeout=30, check=True)
    return done.stdout.strip()


@pytest.fixture
def bundles(tmp_path: Path, live_world: World) -> dict[str, Path]:
    made = {v: make_bundle(tmp_path / "bundles", v, padding=200_000) for v in (V1, V2)}
    for bundle in made.values():
        publish(live_world.hub, bundle)
    return made


def test_v1_sees_v2_installs_it_and_unsent_work_survives_and_is_sent_once(
    live_world: World, bundles: dict[str, Path], make_client: ClientMaker, tmp_path: Path
) -> None:
    ada = make_client("ada")
    live_world.sign_in(ada, live_world.ada)
    ada.engine.sync()
    lead = live_world.ada.leads[0]
    note = CallNote(id=new_id(), lead_id=lead, body="Wants the EU price list", created_at=utcnow())
    ada.store.add_call_note(note)
    before = ada.store.outbox([OutboxState.PENDING])
    assert [i.entity_id for i in before] == [note.id]

    paths = AppPaths.resolve(tmp_path / "client-ada")
    updater = updater_for(ada, paths.updates)
    offer = updater.check()
    assert offer is not None and offer.version == V2
    built = updater.fetch(offer)
    assert built.version == V2
    assert built.executable == paths.updates / "builds" / V2 / "repdesk" / "repdesk"
    assert run_build(built.executable) == f"repdesk {V2}"
    assert UpdateFolder(paths.updates).current() == built
    assert updater.ready() == built
    assert not list((paths.updates / "downloads").iterdir())  # the bundle itself is gone

    # The update never touched the local database: the outbox is as it was, unsent.
    assert ada.store.outbox([OutboxState.PENDING]) == before
    assert count_rows(live_world.hub.db, m.CallNote, id=note.id) == 0

    # The new version starts on the same data folder and sends the work exactly once.
    ada.store.close()
    store = Store.open(paths.data)
    try:
        v2 = SyncEngine(
            store,
            ada.credentials,
            CollateralCache(paths.cache),
            lambda url, token: HubClient(url, token, timeout=10),
            client_version=V2,
        )
        assert v2.sync().applied == 1
        assert v2.sync().applied == 0
        assert store.outbox_counts().pending == 0
        # Nothing newer than v2 on the hub: the new version is offered nothing.
        newest = Updater(UpdateFolder(paths.updates), v2.open_client, version=V2, platform=PLATFORM)
        assert newest.check() is None and newest.ready() is None
    finally:
        store.close()
    assert count_rows(live_world.hub.db, m.CallNote, id=note.id) == 1


def test_a_cut_download_resumes_from_where_it_stopped(
    live_world: World, bundles: dict[str, Path], make_client: ClientMaker, tmp_path: Path
) -> None:
    """Fault injected precisely: the first bundle answer from the real hub breaks off
    after 50 000 bytes (a dropped connection); the next attempt asks for the rest only."""
    tap = Tap()
    tap.add("GET", "/v1/client/builds/", cut_body_after(50_000))
    ada = make_client("ada", transport=tap)
    live_world.sign_in(ada, live_world.ada)
    updater = updater_for(ada, tmp_path / "updates")
    offer = updater.check()
    assert offer is not None
    with pytest.raises(NetworkError):
        updater.fetch(offer)
    partial = tmp_path / "updates" / "downloads" / f"{offer.sha256}.partial"
    assert partial.stat().st_size == 50_000
    assert updater.ready() is None

    built = updater.fetch(offer)
    second = tap.requests_to("GET", "/v1/client/builds/")[-1]
    assert second.headers["range"] == "bytes=50000-"
    assert second.headers["if-range"] == f'"{offer.sha256}"'
    assert second.status == 206
    assert run_build(built.executable) == f"repdesk {V2}"


def corrupt(request: httpx.Request, response: httpx.Response) -> httpx.Response:
    """The bundle arrives with the right length but one byte changed (a broken proxy)."""
    body = bytearray(response.read())
    response.close()
    body[len(body) // 2] ^= 0xFF
    return httpx.Response(
        response.status_code, headers=response.headers, content=bytes(body), request=request
    )


def test_a_corrupted_download_is_refused_with_a_clear_message(
    live_world: World, bundles: dict[str, Path], make_client: ClientMaker, tmp_path: Path
) -> None:
    """Fault injected precisely: one byte of the bundle is flipped on the way."""
    tap = Tap()
    tap.add("GET", "/v1/client/builds/", corrupt)
    ada = make_client("ada", transport=tap)
    live_world.sign_in(ada, live_world.ada)
    folder = tmp_path / "updates"
    updater = updater_for(ada, folder)
    with pytest.raises(UpdateError, match="did not arrive intact") as caught:
        updater.check_and_fetch()
    assert "repdesk keeps working" in str(caught.value)
    assert not (folder / POINTER).exists()
    assert not list((folder / "downloads").iterdir())
    assert not (folder / "builds").exists()
    built = updater.check_and_fetch()  # the next sync's attempt is clean
    assert built is not None and run_build(built.executable) == f"repdesk {V2}"


def test_an_unsafe_bundle_is_never_unpacked(tmp_path: Path) -> None:
    """`install` is called directly (the hub already refuses such bundles at `client
    add`): a link leading out of the folder ends the update, with nothing unpacked."""
    bundle = make_bundle(tmp_path, V2, extra=(link_member("repdesk/escape", "../../../etc"),))
    folder = UpdateFolder(tmp_path / "updates")
    with pytest.raises(UpdateError, match="unsafe"):
        folder.install(bundle, "0" * 64, V2, PLATFORM)
    assert folder.current() is None
    assert not (tmp_path / "updates" / "builds").exists()


@pytest.mark.parametrize(
    "pointer",
    [b"", b"{not json", b'{"version": "../../x", "sha256": "0"}', b'{"version": "9.9.9"}'],
)
def test_a_damaged_or_dangling_pointer_means_no_update(tmp_path: Path, pointer: bytes) -> None:
    folder = UpdateFolder(tmp_path)
    (tmp_path / POINTER).write_bytes(pointer)
    assert folder.current() is None
    assert folder.newer_than(V1) is None


def test_older_builds_are_removed_but_never_the_running_one(tmp_path: Path) -> None:
    folder = UpdateFolder(tmp_path / "updates")

    def install(version: str, running: str) -> None:
        bundle = make_bundle(tmp_path / "bundles", version)
        sha = hashlib.sha256(bundle.read_bytes()).hexdigest()
        folder.install(bundle, sha, version, PLATFORM, keep=(running,))

    install("1.1.0", running="1.0.0")
    install("1.2.0", running="1.1.0")  # started from builds/1.1.0: it stays
    assert sorted(p.name for p in (tmp_path / "updates" / "builds").iterdir()) == [
        "1.1.0",
        "1.2.0",
    ]
    install("1.3.0", running="1.0.0")
    assert [p.name for p in (tmp_path / "updates" / "builds").iterdir()] == ["1.3.0"]
    current = folder.current()
    assert current is not None and current.version == "1.3.0"


def test_a_build_retired_between_check_and_download_is_said_plainly(
    live_world: World, bundles: dict[str, Path], make_client: ClientMaker, tmp_path: Path
) -> None:
    ada = make_client("ada")
    live_world.sign_in(ada, live_world.ada)
    updater = updater_for(ada, tmp_path / "updates")
    offer = updater.check()
    assert offer is not None
    with admin.open_hub(live_world.hub.config) as opened:
        admin.retire_build(opened, offer.sha256)
    with pytest.raises(UpdateError, match=f"no longer offers repdesk {V2}; nothing was changed"):
        updater.fetch(offer)
    assert updater.ready() is None
