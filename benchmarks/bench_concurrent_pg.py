"""`hub.concurrent` with the hub on PostgreSQL (prints; not part of `./dev bench`).

    .venv/bin/python benchmarks/bench_concurrent_pg.py --pg "$REPDESK_TEST_PG_URL" --runs 3

The same suite as `./dev bench --only hub_concurrent` (benchmarks/bench_hub.py): 50 reps
at once against one hub process, each signing in, pulling everything and pushing 100,
with the hub's database in a throw-away schema of that PostgreSQL server.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.bench_hub import concurrent_suite, database_url  # noqa: E402
from benchmarks.harness import SCALES, Context, table  # noqa: E402

from repdesk.hub.config import DATABASE_ENV  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=os.environ.get("REPDESK_TEST_PG_URL"), required=False)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="5 reps")
    args = parser.parse_args()
    if not args.pg:
        parser.error("give --pg URL or set REPDESK_TEST_PG_URL")
    with tempfile.TemporaryDirectory(prefix="bench-conc-pg-") as tmp, database_url(args.pg) as url:
        assert url is not None
        os.environ[DATABASE_ENV] = url  # the hub process and this one's seeding
        ctx = Context(Path(tmp), args.runs, args.quick)
        print(table(concurrent_suite(ctx, SCALES["S"])))


if __name__ == "__main__":
    main()
