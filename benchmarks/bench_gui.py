"""GUI speed at 100k leads: start-up to a painted main window, search keystroke latency,
opening a lead with 500 timeline entries, and resident memory.

    .venv/bin/python benchmarks/bench_gui.py [--leads 100000] [--data-dir DIR]

The data is loaded once through the store's bulk path (timed separately); every figure
is then measured in a fresh child process so start-up includes the interpreter, imports,
opening the store and the first query, exactly as a rep would wait for it.

The children run with repdesk's own modules compiled to bytecode first (untimed, into
their `__pycache__` folders, which git ignores), as every install a rep starts has them:
the bundle ships `.pyc` files and pip compiles a wheel's modules at install. A source
checkout with `PYTHONDONTWRITEBYTECODE=1` (as on the benchmark machine) would otherwise
compile ~100 ms of repdesk's source at every start, which no rep ever waits for. (Not
`PYTHONPYCACHEPREFIX`: it would also hide every installed package's own bytecode.)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.harness import Context, Figure, Scale, figure, suite  # noqa: E402

PREFIXES = ("m", "ma", "mar", "marg", "h", "ha", "ham", "north", "vp", "lars", "cfo", "zz")
RICH_EVENTS = 500
SEARCHES = 20
OPENS = 50


def build(data_dir: Path, leads: int, events_each: int = 3) -> float:
    from tests.support.lead_data import bulk_fill

    from repdesk.store.store import Store

    started = time.perf_counter()
    store = Store.open(data_dir)
    try:
        bulk_fill(store, leads, rich_events=RICH_EVENTS - events_each, events_each=events_each)
    finally:
        store.close()
    return time.perf_counter() - started


def rss_mb() -> float:
    """This process's resident memory now (VmRSS), from /proc: unlike ru_maxrss it does
    not carry the parent's peak across fork+exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(data_dir: Path, spawned_at: float) -> dict[str, object]:
    """Runs in the fresh process: everything from imports on is part of the start-up."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT / "src"))
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from repdesk.gui.context import AppContext
    from repdesk.gui.lead_view.view import Tab
    from repdesk.gui.main_window import MainWindow
    from repdesk.gui.screenshots import _wait_rows, wait_for
    from repdesk.store.store import Store

    imported = time.time() - spawned_at
    app = QApplication([])
    store = Store.open(data_dir)
    opened_store = time.time() - spawned_at
    ctx = AppContext.create(store, data_dir)
    errors: list[str] = []
    ctx.ops.error_reported.connect(errors.append)
    window = MainWindow(ctx)
    built = time.time() - spawned_at
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    window.resize(1600, 960)
    window.show()
    model = window.lead_list.model
    wait_for("ids", lambda: not model.loading and model.rowCount() > 0, [model.ids_loaded])
    _wait_rows(window)
    window.repaint()
    painted = time.time() - spawned_at
    rows = model.rowCount()

    bar = window.lead_list.filter_bar
    search = bar.search
    fired: list[float] = []
    bar.filter_changed.connect(lambda _query: fired.append(time.perf_counter()))
    arrived: list[float] = []
    model.ids_loaded.connect(lambda: arrived.append(time.perf_counter()))
    ids_ms: list[float] = []
    latencies: list[float] = []
    queries: list[float] = []

    def settled() -> bool:
        """The whole list is in: its first page, and the rest of its ids if they follow."""
        return not model.loading and len(model.ids) == model.rowCount()

    def type_and_wait(prefix: str) -> float:
        """Type `prefix` into an empty search box; returns when its rows are painted."""
        search.clear()
        wait_for("reset", settled, [model.ids_loaded])
        before = model.queries_run
        typed = time.perf_counter()
        search.setText(prefix)  # the keystroke; the debounce timer starts now
        wait_for(
            f"results for {prefix!r}",
            lambda before=before: model.queries_run > before and not model.loading,
            [model.ids_loaded],
        )
        _wait_rows(window)
        window.lead_list.table.viewport().repaint()
        return typed

    for prefix in PREFIXES:
        typed = type_and_wait(prefix)
        done = time.perf_counter()
        latencies.append(done - typed)
        queries.append(done - fired[-1])
        ids_ms.append((arrived[-1] - fired[-1]) * 1000)

    view = window.lead_view
    view.tabs.setCurrentIndex(Tab.TIMELINE)
    lead_id = "lead-000000"
    wait_for("the first lead view", lambda: ctx.ops.idle, [ctx.ops.busy_changed])
    shown: list[str] = []
    view.loaded.connect(lambda detail: shown.append(detail.lead.id))
    opened = time.perf_counter()

    def on_screen(wanted: str) -> bool:
        """Loaded now, or already on screen (then the view loads nothing and says nothing)."""
        return wanted in shown or (view.detail is not None and view.detail.lead.id == wanted)

    view.show_lead(lead_id)
    try:
        wait_for("the rich lead", lambda: on_screen(lead_id), [view.loaded])
    except Exception as exc:
        raise RuntimeError(f"{exc}: {_state(view, ctx, errors)}") from exc
    view.repaint()
    open_s = time.perf_counter() - opened
    entries = len(view.detail.timeline) if view.detail else 0
    # The rest of a working session before the memory is read: 20 searches, 50 leads.
    for prefix in PREFIXES[: max(0, SEARCHES - len(PREFIXES))]:
        type_and_wait(prefix)
    search.clear()
    wait_for("the whole list", settled, [model.ids_loaded])
    ids = list(model.ids[:OPENS])
    for other in ids[1:]:
        view.show_lead(other)
        try:
            wait_for("a lead", lambda other=other: on_screen(other), [view.loaded])
        except Exception as exc:
            raise RuntimeError(f"{exc} ({other}): {_state(view, ctx, errors)}") from exc
    memory = rss_mb()
    window.save_layout = lambda: None  # type: ignore[method-assign]
    window.close()
    ctx.shutdown()
    store.close()
    del app
    return {
        "rows": rows,
        "startup_s": painted,
        "startup_steps": {"imports": imported, "store": opened_store, "window": built},
        "keystroke_ms": [x * 1000 for x in latencies],
        "after_debounce_ms": [x * 1000 for x in queries],
        "ids_ms": ids_ms,
        "open_lead_s": open_s,
        "timeline_entries": entries,
        "rss_mb": memory,
    }


def _state(view: Any, ctx: Any, errors: list[str]) -> str:
    """What the lead view and the op runner hold when a wait ran out (for the message)."""
    detail = view.detail.lead.id if view.detail is not None else None
    return (
        f"view asked for {view.lead_id}, shows {detail}, pending ops {ctx.ops.pending}, "
        f"errors {errors}"
    )


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def compile_bytecode() -> None:
    """Compile repdesk's modules beside their sources (untimed), as an installed app has them."""
    import repdesk

    package = str(Path(repdesk.__file__).parent)
    subprocess.run([sys.executable, "-m", "compileall", "-q", package], check=True)


def _fresh(args: list[str]) -> dict[str, Any]:
    """Run this file in a fresh offscreen process; its last stdout line is JSON."""
    spawned = time.time()
    out = subprocess.run(
        [sys.executable, __file__, *args, "--spawned-at", str(spawned)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run_child(data_dir: Path) -> dict[str, Any]:
    return _fresh(["--child", str(data_dir)])


def bare(kind: str, spawned_at: float) -> dict[str, float]:
    """The floors, in a fresh process: a bare QMainWindow painted (seconds since spawn),
    or the resident memory of a bare QApplication."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication([])
    if kind == "rss":
        app.processEvents()
        return {"rss_mb": rss_mb()}
    window = QMainWindow()
    window.resize(1600, 960)
    window.show()
    window.repaint()
    app.processEvents()
    return {"startup_s": time.time() - spawned_at}


@suite("gui", ["gui.filter", "gui.open_lead", "gui.startup", "gui.rss"])
def gui_suite(ctx: Context, scale: Scale) -> list[Figure]:
    """The desktop app offscreen, each run in a fresh process on the scale's store."""
    data_dir = ctx.scratch(f"gui-{scale.name}")
    seconds = build(data_dir, scale.leads, scale.events_per_lead)
    ctx.log(f"  loaded {scale.leads:,} leads for the GUI in {seconds:.1f} s")
    compile_bytecode()
    runs = [run_child(data_dir) for _ in range(ctx.runs)]
    windows = [_fresh(["--bare", "window"])["startup_s"] * 1000 for _ in range(ctx.runs)]
    apps = [_fresh(["--bare", "rss"])["rss_mb"] for _ in range(ctx.runs)]
    return [
        figure(
            "gui.filter",
            "ms p95",
            scale,
            [pct(r["keystroke_ms"], 0.95) for r in runs],
            prefixes=len(PREFIXES),
            query_paint_p95_ms=statistics.median(pct(r["after_debounce_ms"], 0.95) for r in runs),
        ),  # fmt: skip
        figure(
            "gui.open_lead",
            "ms",
            scale,
            [r["open_lead_s"] * 1000 for r in runs],
            timeline_entries=runs[0]["timeline_entries"],
        ),  # fmt: skip
        figure("gui.startup", "ms", scale, [r["startup_s"] * 1000 for r in runs], windows),
        figure(
            "gui.rss",
            "MB",
            scale,
            [r["rss_mb"] for r in runs],
            apps,
            over_floor_mb=statistics.median(r["rss_mb"] for r in runs) - statistics.median(apps),
        ),  # fmt: skip
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--spawned-at", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--bare", choices=["window", "rss"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        print(json.dumps(bare(args.bare, args.spawned_at)))
        return 0
    if args.child is not None:
        print(json.dumps(child(args.child, args.spawned_at)))
        return 0

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="repdesk-bench-gui-"))
    if not any(data_dir.glob("*.sqlite*")) and not any(data_dir.glob("*.db")):
        seconds = build(data_dir, args.leads)
        print(f"bulk load of {args.leads:,} leads (+3 events each): {seconds:.1f} s")
    compile_bytecode()
    result = run_child(data_dir)
    keys: list[float] = result["keystroke_ms"]
    after: list[float] = result["after_debounce_ms"]
    print(f"leads in the list:                      {result['rows']:,}")
    print(f"process start -> main window painted:   {result['startup_s']:.2f} s")
    steps = result["startup_steps"]
    print(
        f"  (imports done {steps['imports']:.2f} s, store open {steps['store']:.2f} s, "
        f"window built {steps['window']:.2f} s, then first query + rows + paint)"
    )
    print(
        f"keystroke -> filtered list painted:     median {statistics.median(keys):.0f} ms, "
        f"p95 {pct(keys, 0.95):.0f} ms  ({len(keys)} prefixes, debounce included)"
    )
    print(
        f"  of which query + rows + paint:        median {statistics.median(after):.0f} ms, "
        f"p95 {pct(after, 0.95):.0f} ms"
    )
    ids = result["ids_ms"]
    print(
        f"  of which the id query (SQL/FTS5):     median {statistics.median(ids):.0f} ms, "
        f"p95 {pct(ids, 0.95):.0f} ms"
    )
    print(
        f"open lead with {result['timeline_entries']} timeline entries:   "
        f"{result['open_lead_s'] * 1000:.0f} ms"
    )
    print(f"resident memory (GUI process):          {result['rss_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
