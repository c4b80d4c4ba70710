"""Fetching an update: the real hub on loopback serves a bundle; the app downloads it
(`HubClient.download_file`), checks sha256 and unpacks it (`Updater.fetch`). The floor, in
the same run, is what no update can beat: copy the bundle locally, hash it, unpack it with
the same `data` filter. Reported as a ratio to that floor (the machine is shared and noisy).

    .venv/bin/python benchmarks/bench_updates.py [--mb 80] [--runs 3]
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import shutil
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=80, help="incompressible bundle payload")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    logging.disable(logging.INFO)

    import keyring
    from tests.memory_keyring import MemoryKeyring
    from tests.support.bundles import PLATFORM, make_bundle

    from repdesk.hub import admin
    from repdesk.hub.config import HubConfig
    from repdesk.hub.embedded import EmbeddedHub
    from repdesk.store import Store
    from repdesk.sync.collateral import CollateralCache
    from repdesk.sync.credentials import Credentials
    from repdesk.sync.engine import SyncEngine
    from repdesk.sync.update_files import UpdateFolder
    from repdesk.sync.updates import Updater

    keyring.set_keyring(MemoryKeyring())
    root = Path(tempfile.mkdtemp(prefix="bench-updates-"))
    served: EmbeddedHub | None = None
    store: Store | None = None
    try:
        bundle = make_bundle(root / "b", "9.0.0", padding=args.mb * 1024 * 1024)
        size = bundle.stat().st_size
        config = HubConfig.resolve(root / "hub")
        admin.init_hub(config)
        with admin.open_hub(config) as hub:
            admin.add_rep(hub, "rep@example.com", "Rep", "bench-password-1")
            admin.add_build(hub, bundle, PLATFORM)
        served = EmbeddedHub(config)
        served.start()
        store = Store.open(root / "client" / "data")
        engine = SyncEngine(store, Credentials(), CollateralCache(root / "client" / "cache"))
        engine.login(served.base_url, "rep@example.com", "bench-password-1")
        floors, updates = [], []
        for run in range(args.runs):
            dest = root / f"floor{run}"
            dest.mkdir()
            start = time.perf_counter()
            shutil.copyfile(bundle, dest / "b.tar.gz")
            with (dest / "b.tar.gz").open("rb") as fh:
                hashlib.file_digest(fh, "sha256")
            with tarfile.open(dest / "b.tar.gz") as archive:
                archive.extractall(dest / "x", filter="data")
            floors.append(time.perf_counter() - start)
            updater = Updater(
                UpdateFolder(root / f"updates{run}"),
                engine.open_client,
                version="1.0.0",
                platform=PLATFORM,
            )
            start = time.perf_counter()
            offer = updater.check()
            assert offer is not None
            updater.fetch(offer)
            updates.append(time.perf_counter() - start)
            print(f"run {run}: floor {floors[-1]:.3f} s, update {updates[-1]:.3f} s")
        best_floor, best_update = min(floors), min(updates)
        print(
            f"bundle {size / 1e6:.1f} MB: update {best_update:.2f} s "
            f"({size / 1e6 / best_update:.0f} MB/s), floor {best_floor:.2f} s, "
            f"ratio {best_update / best_floor:.2f} (best of {args.runs})"
        )
    finally:
        if store is not None:
            store.close()
        if served is not None:
            served.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
