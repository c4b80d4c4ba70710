"""Run the benchmark harness: every registered suite at its scales, a table printed, and
`results/latest.json` + `RESULTS.md` written (after each suite, so a long run that is
stopped keeps what it measured).

    ./dev bench                 # S, M and L (long: L is 100k leads / 1M events)
    ./dev bench --quick         # S only, one run each: proves the harness works
    ./dev bench --only sync gui --runs 5

Data is generated (seeded) in a scratch folder; nothing outside the repository is read.
`hub.push_pg` runs when REPDESK_TEST_PG_URL (or --pg) names a PostgreSQL database.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks import harness  # noqa: E402

# Importing a module registers its suites (order: cheap ones first).
SUITE_MODULES = (
    "benchmarks.bench_store",
    "benchmarks.bench_collateral",
    "benchmarks.bench_hub",
    "benchmarks.bench_scaleout",
    "benchmarks.bench_gui",
    "benchmarks.bench_sync",
    "benchmarks.bench_import",
)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="S only, one run each")
    parser.add_argument("--runs", type=int, default=None, help="runs per figure (default 3)")
    parser.add_argument("--only", nargs="*", default=None, help="suite names to run")
    parser.add_argument("--scales", nargs="*", default=None, help="limit to these scales")
    parser.add_argument("--out", type=Path, default=HERE, help="where results go")
    parser.add_argument("--pg", default=os.environ.get("REPDESK_TEST_PG_URL"))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    logging.basicConfig(level=logging.WARNING)
    import importlib

    for name in SUITE_MODULES:
        importlib.import_module(name)
    suites = [s for s in harness.REGISTRY.values() if args.only is None or s.name in args.only]
    runs = args.runs or (1 if args.quick else 3)
    command = "./dev bench" + " " + " ".join(sys.argv[1:] if argv is None else argv)
    started = datetime.now(UTC)
    load_at_start = os.getloadavg()
    figures: list[harness.Figure] = []
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="repdesk-bench-") as work:
        ctx = harness.Context(Path(work), runs, args.quick, args.pg)
        # Scale by scale (every suite at S, then at M, then at L): a run stopped early
        # keeps whole scales.
        plan = [
            (scale, item)
            for scale in harness.SCALES.values()
            for item in suites
            if scale in item.scales(args.quick) and (not args.scales or scale.name in args.scales)
        ]
        for scale, item in plan:
            print(f"[{datetime.now(UTC):%H:%M:%S}] {item.name} at {scale.name}", flush=True)
            t0 = time.perf_counter()
            try:
                got = item.fn(ctx, scale)
            except Exception:  # noqa: BLE001 - one suite failing must not lose the others
                traceback.print_exc()
                failed.append(f"{item.name}@{scale.name}")
                got = [
                    harness.Figure(name, None, "", scale.name, note="failed")
                    for name in item.figures
                    if ctx.wants(name, scale)
                ]
            print(f"  ({time.perf_counter() - t0:.0f} s)", flush=True)
            figures.extend(got)
            harness.write(
                sorted(figures, key=_order),
                args.out,
                command=command.strip(),
                started=started,
                load_at_start=load_at_start,
            )
    print(harness.table(sorted(figures, key=_order)))
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def _order(f: harness.Figure) -> tuple[int, int]:
    return (list(harness.FIGURES).index(f.name), list(harness.SCALES).index(f.scale))


if __name__ == "__main__":
    raise SystemExit(main())
