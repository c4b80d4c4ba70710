"""Cost of the start-up check and of a salvage, at 100k leads / 1M nurture events (prints).

    .venv/bin/python benchmarks/bench_start_check.py              # full size
    .venv/bin/python benchmarks/bench_start_check.py --scale 0.1  # quick run

Figures, each the median of `--repeat` runs in the same process (the machine is noisy):
- the checks alone (`recovery.check`, read-only): the whole file (`PRAGMA quick_check`,
  the first start of a day) and the unsent work and session only (every other start),
  against a floor: reading every byte of the file once in Python;
- `Store.open` of the healthy file with each check;
- a salvage of a file whose header is damaged (pure-Python page read of the outbox).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.bench_store import make_data
from tests.support.damage import damage_header, seed_notes

from repdesk.store import Store, recovery
from repdesk.store.api import SessionInfo
from repdesk.store.db import DB_NAME


def _median(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _read_all(path: Path) -> None:
    with path.open("rb") as fh:
        while fh.read(1 << 20):
            pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    leads, events = make_data(int(100_000 * args.scale), int(1_000_000 * args.scale))
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        with Store.open(data) as store:
            store.set_session(SessionInfo("http://127.0.0.1:9", "rep-1", "Rep", "r@x.example"))
            store.bulk_load(leads, events)
            seed_notes(store, 200, leads=1)
        path = data / DB_NAME
        size_mb = path.stat().st_size / 1e6
        floor = _median(lambda: _read_all(path), args.repeat)
        check = _median(lambda: recovery.check(path), args.repeat)
        quick = _median(lambda: recovery.check(path, full=False), args.repeat)
        checked = data / recovery.CHECKED_NAME

        def open_with_full_check() -> None:
            checked.unlink(missing_ok=True)
            Store.open(data).close()

        opened_full = _median(open_with_full_check, args.repeat)
        opened = _median(lambda: Store.open(data).close(), args.repeat)
        damaged = Path(tmp) / "damaged"
        shutil.copytree(data, damaged, ignore=shutil.ignore_patterns(".lock"))
        damage_header(damaged / DB_NAME)
        salvage_s = _median(lambda: recovery.salvage(damaged / DB_NAME), args.repeat)
        items, _session, _pages = recovery.salvage(damaged / DB_NAME)
    print(f"database: {len(leads)} leads, {len(events)} events, {size_mb:.0f} MB")
    print(f"floor (read every byte once):   {floor:.3f} s")
    print(f"check, whole file:              {check:.3f} s  ({check / floor:.1f}x floor)")
    print(f"check, unsent work and session: {quick:.3f} s  ({quick / floor:.2f}x floor)")
    print(
        f"Store.open, whole-file check:   {opened_full:.3f} s  ({opened_full / floor:.1f}x floor)"
    )
    print(f"Store.open, later starts:       {opened:.3f} s  ({opened / floor:.1f}x floor)")
    print(f"salvage, damaged header:        {salvage_s:.3f} s  ({salvage_s / floor:.1f}x floor)")
    print(f"salvaged unsent items:          {len(items)} of 200")


if __name__ == "__main__":
    main()
