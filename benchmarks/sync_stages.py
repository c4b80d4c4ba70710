"""Where the wall time of one initial sync goes, stage by stage, in one run (prints).

    .venv/bin/python benchmarks/sync_stages.py            # M: 10k leads + 300k events
    .venv/bin/python benchmarks/sync_stages.py --leads 1000

Against the real hub in its own process (bench_sync's HubProcess), in this order:
1. the engine's initial sync, end to end (wall, this process's CPU, the hub's CPU);
2. the floor (benchmarks/floor.py) on that sync's rows, split into its insert, index and
   FTS phases;
3. every page downloaded alone (hub + HTTP, no client work), the hub's CPU for it;
4. the client alone on those bodies: decode, convert, apply, and finish_sync split into
   index build, derived columns, FTS rebuild and the checkpoint.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.bench_sync import (  # noqa: E402
    PASSWORD,
    HubProcess,
    make_rows,
    new_client,
    seed_hub,
)
from benchmarks.floor import Snapshot, snapshot, write_floor  # noqa: E402
from tests.support import hub_rows as seed  # noqa: E402

from repdesk.protocol.schema import MAX_PULL_LIMIT  # noqa: E402
from repdesk.store import Store, bulk, fts  # noqa: E402
from repdesk.store.api import SessionInfo  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def floor_phases(snap: Snapshot, db_file: Path) -> dict[str, float]:
    """benchmarks/floor.write_floor with a clock between its phases."""
    out: dict[str, float] = {}
    out["total"] = write_floor(snap, db_file, out)
    return out


@contextmanager
def timed_calls(times: dict[str, float], targets: list[tuple[Any, str, str]]) -> Iterator[None]:
    """Wrap module functions so each call's seconds add up under a label."""
    saved = []
    for module, name, label in targets:
        original = getattr(module, name)
        saved.append((module, name, original))

        def wrapper(*a: Any, _f: Callable[..., Any] = original, _l: str = label, **k: Any) -> Any:
            t = time.perf_counter()
            try:
                return _f(*a, **k)
            finally:
                times[_l] = times.get(_l, 0.0) + time.perf_counter() - t

        setattr(module, name, wrapper)
    try:
        yield
    finally:
        for module, name, original in saved:
            setattr(module, name, original)


def download(url: str, limit: int) -> tuple[list[bytes], list[float]]:
    import httpx
    import orjson

    from repdesk.sync.http import HubClient

    with HubClient(url) as client:
        token = client.login("rep@example.com", PASSWORD).token
    bodies: list[bytes] = []
    per_page: list[float] = []
    cursor: str | None = None
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as http:
        while True:
            params: dict[str, Any] = {"limit": limit, **({"cursor": cursor} if cursor else {})}
            t = time.perf_counter()
            body = http.get("/v1/sync/pull", params=params).raise_for_status().content
            per_page.append(time.perf_counter() - t)
            bodies.append(body)
            head = orjson.loads(body)
            cursor = head["cursor"]
            if not head["has_more"]:
                return bodies, per_page


def client_alone(url: str, folder: Path, bodies: list[bytes]) -> dict[str, float]:
    from repdesk.sync.pages import decode_page, remote_changes

    times: dict[str, float] = {"decode": 0.0, "convert": 0.0, "apply": 0.0}
    store = Store.open(folder)
    store.set_session(SessionInfo(url, "rep", "Bench Rep", "rep@example.com"))
    gc.disable()
    try:
        for body in bodies:
            t0 = time.perf_counter()
            page = decode_page(body)
            t1 = time.perf_counter()
            remote = remote_changes(page)
            t2 = time.perf_counter()
            store.apply_pull_page(remote, page.cursor)
            t3 = time.perf_counter()
            times["decode"] += t1 - t0
            times["convert"] += t2 - t1
            times["apply"] += t3 - t2
        targets = [
            (bulk, "recompute_readiness", "finish: readiness"),
            (bulk, "recompute_last_touch", "finish: last touch"),
            (fts, "rebuild", "finish: fts rebuild"),
            (store, "checkpoint", "finish: checkpoint"),
        ]
        t = time.perf_counter()
        with timed_calls(times, targets):
            store.finish_sync()
        times["finish"] = time.perf_counter() - t
        times["finish: indexes (rest)"] = times["finish"] - sum(
            v for k, v in times.items() if k.startswith("finish: ")
        )
    finally:
        gc.enable()
        store.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--events-per-lead", type=int, default=30)
    parser.add_argument("--limit", type=int, default=MAX_PULL_LIMIT)
    parser.add_argument("--py-spy", type=Path, help="record the hub during step 3 to this file")
    parser.add_argument("--runs", type=int, default=1, help="engine syncs (step 1) in a row")
    parser.add_argument("--initial-only", action="store_true", help="steps 1 and 2 only")
    parser.add_argument(
        "--batch", type=int, help="changes written in one transaction at most (engine default)"
    )
    args = parser.parse_args()
    if args.batch is not None:
        from repdesk.sync import engine as engine_module

        engine_module.PULL_BATCH_CHANGES = args.batch  # type: ignore[attr-defined,unused-ignore]
    print(f"load average at start: {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="sync-stages-") as name:
        tmp = Path(name)
        hub = HubProcess(tmp / "hub")
        pid = hub._child.pid  # noqa: SLF001
        try:
            rep = seed.add_rep(hub.state.db, "rep@example.com", PASSWORD, "Bench Rep")
            campaign = seed.add_campaign(hub.state.db, "Bench campaign")
            leads, events = make_rows(
                args.leads, args.events_per_lead, rep, campaign, random.Random(7)
            )
            seed_hub(hub, leads, events)
            rows = len(leads) + len(events)
            del leads, events
            print(f"seeded {rows:,} rows; pages of {args.limit}")

            for run in range(args.runs):
                folder = tmp / f"client{run}"
                store, engine = new_client(folder, hub.url)
                engine.pull_limit = args.limit
                hub0, own0, t = cpu_of(pid), own_cpu(), time.perf_counter()
                engine.sync()
                wall = time.perf_counter() - t
                hub_cpu, client_cpu = cpu_of(pid) - hub0, own_cpu() - own0
                store.close()
                print(
                    f"1. engine sync: wall {wall:.2f} s; client CPU {client_cpu:.2f} s; "
                    f"hub CPU {hub_cpu:.2f} s; load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
            snap = snapshot(folder / "repdesk.sqlite3")
            fl = floor_phases(snap, tmp / "floor.sqlite3")
            del snap
            print("2. floor: " + ", ".join(f"{k} {v:.2f} s" for k, v in fl.items()))
            print(f"   last sync / floor: {wall / fl['total']:.2f}x", flush=True)
            if args.initial_only:
                return

            spy = None
            if args.py_spy:
                spy = subprocess.Popen(
                    [
                        str(Path(sys.executable).parent / "py-spy"),
                        "record",
                        "-r",
                        "200",
                        "--pid",
                        str(pid),
                        "-o",
                        str(args.py_spy),
                        "-f",
                        "raw",
                    ]  # fmt: skip
                )
            hub0, t = cpu_of(pid), time.perf_counter()
            bodies, per_page = download(hub.url, args.limit)
            took = time.perf_counter() - t
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                spy.wait()
            size = sum(map(len, bodies)) / 1e6
            print(
                f"3. download alone: {len(bodies)} pages, {size:.1f} MB in {took:.2f} s "
                f"({took / len(bodies) * 1000:.0f} ms a page); hub CPU {cpu_of(pid) - hub0:.2f} s"
            )

            times = client_alone(hub.url, tmp / "alone", bodies)
            print("4. client alone: " + ", ".join(f"{k} {v:.2f} s" for k, v in times.items()))
            alone = times["decode"] + times["convert"] + times["apply"] + times["finish"]
            print(f"   client total {alone:.2f} s = {alone / fl['total']:.2f}x the floor")
            print(f"load average at end: {os.getloadavg()}")
        finally:
            hub.stop()


if __name__ == "__main__":
    main()
