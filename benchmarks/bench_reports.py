"""Report sections at volume (prints; not a test). Each section is one workspace page.

    .venv/bin/python benchmarks/bench_reports.py                     # SQLite file
    .venv/bin/python benchmarks/bench_reports.py --pg postgresql://u:p@host/db
    .venv/bin/python benchmarks/bench_reports.py --leads 10000 --runs 3   # quick
    .venv/bin/python benchmarks/bench_reports.py --explain           # query plans too

Loads `report_data` (100k leads, 1M nurture events, 100k feedback rows by default), then
times every section with no filter and with a typical filter (one quarter, 5 campaigns,
10 reps): median and p95 of --runs runs, each in a fresh read session. Target: p95 at
most 300 ms per page on both databases.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report_data import NOW, load, scratch_database  # noqa: E402

from repdesk.hub.db.engine import Database  # noqa: E402
from repdesk.hub.reports import (  # noqa: E402
    ReportFilter,
    Section,
    collateral,
    count_ready,
    filter_options,
    lead_quality,
    objection_feed,
    objections,
    qualification,
    speed_to_lead,
)
from repdesk.hub.reports.rubric_sql import active_rubric  # noqa: E402

TARGET_MS = 300.0


def p95(samples: list[float]) -> float:
    """Linear interpolation between closest ranks (the reports' own method)."""
    ordered = sorted(samples)
    h = 0.95 * (len(ordered) - 1)
    low = int(h)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (h - low) * (ordered[high] - ordered[low])


def pages(flt: ReportFilter) -> dict[str, Callable[[Session], object]]:
    def preview(s: Session) -> int:
        rubric = active_rubric(s)
        assert rubric is not None
        return count_ready(s, rubric, flt)

    return {
        "lead quality": lambda s: lead_quality(s, flt),
        "speed to lead": lambda s: speed_to_lead(s, flt, now=NOW),
        "objections": lambda s: objections(s, flt),
        "objection feed page": lambda s: objection_feed(s, flt, category="price"),
        "qualification": lambda s: qualification(s, flt),
        "rubric preview (count_ready)": preview,
        "collateral": lambda s: collateral(s, flt),
        "filter options": filter_options,
    }


def time_page(
    db: Database, page: Callable[[Session], object], runs: int
) -> tuple[list[float], list[float]]:
    """Wall-clock and this process's CPU milliseconds of each run. On SQLite the query
    runs in-process, so CPU time is the page's cost even on a machine other jobs load;
    on PostgreSQL the server's work shows in wall time only."""
    wall, cpu = [], []
    for _ in range(runs):
        with db.read() as session:
            start, start_cpu = time.perf_counter(), time.process_time()
            page(session)
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def explain(db: Database, page: Callable[[Session], object]) -> None:
    """Print the plan of every statement `page` runs (EXPLAIN QUERY PLAN / EXPLAIN)."""
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        with db.read() as session:
            page(session)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    prefix = "EXPLAIN QUERY PLAN " if db.sqlite else "EXPLAIN "
    with db.engine.connect() as conn:
        for statement, parameters in seen:
            print("   ", " ".join(statement.split())[:160], "...")
            for row in conn.exec_driver_sql(prefix + statement, parameters):
                print("       ", " | ".join(str(v) for v in row))


def rows_of(result: object) -> int:
    if isinstance(result, Section):
        return sum(len(t.rows) for t in result.tables)
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="a PostgreSQL URL (a temporary schema is used)")
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--events-per-lead", type=int, default=10)
    parser.add_argument("--feedback", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--only", help="time only pages whose name contains this")
    parser.add_argument("--explain", action="store_true", help="print each query's plan")
    args = parser.parse_args()
    with scratch_database(args.pg) as url:
        summary = load(
            url, leads=args.leads, events_per_lead=args.events_per_lead, feedback=args.feedback
        )
        backend = "PostgreSQL" if args.pg else "SQLite"
        print(f"{backend}: loaded {summary.rows} in {summary.seconds:.1f}s")
        quarter = ReportFilter(
            start=(NOW - timedelta(days=90)).date(),
            end=NOW.date(),
            campaign_ids=frozenset(summary.campaign_ids[:5]),
            rep_ids=frozenset(summary.rep_ids[:10]),
        )
        db = Database(url)
        try:
            print(
                f"{'page':30} {'filter':8} {'median ms':>10} {'p95 ms':>8} "
                f"{'cpu median':>10} {'cpu p95':>8} {'rows':>6}"
            )
            worst = 0.0
            for label, flt in (("none", ReportFilter()), ("quarter", quarter)):
                for name, page in pages(flt).items():
                    if args.only and args.only not in name:
                        continue
                    if args.explain and label == "none":
                        print(f"{name}:")
                        explain(db, page)
                    with db.read() as session:
                        result = page(session)  # warm-up, and the row count
                    wall, cpu = time_page(db, page, args.runs)
                    high = p95(wall)
                    worst = max(worst, high)
                    flag = "" if high <= TARGET_MS else "  over target"
                    print(
                        f"{name:30} {label:8} {statistics.median(wall):10.1f} {high:8.1f} "
                        f"{statistics.median(cpu):10.1f} {p95(cpu):8.1f} "
                        f"{rows_of(result):6}{flag}"
                    )
            print(f"worst p95: {worst:.1f} ms wall (target {TARGET_MS:.0f} ms)")
            print(f"load average now: {os.getloadavg()} on {os.cpu_count()} CPUs")
        finally:
            db.dispose()


if __name__ == "__main__":
    main()
