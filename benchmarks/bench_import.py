"""Lead import figures: rows/s and peak memory of `import_leads` on a big CRM export
(prints; not a test).

    .venv/bin/python benchmarks/bench_import.py                    # 1M rows, SQLite
    .venv/bin/python benchmarks/bench_import.py --rows 100000      # quicker
    .venv/bin/python benchmarks/bench_import.py --pg postgresql://u:p@host/db   # temp schema
    .venv/bin/python benchmarks/bench_import.py --src ../other/src # another checkout's code
    .venv/bin/python benchmarks/bench_import.py --profile          # pyinstrument, if installed
    .venv/bin/python benchmarks/bench_import.py --floor            # + the stdlib sqlite3 floor

Figures before/after: benchmarks/RESULTS-import.md.

The file is a Salesforce Lead export shaped like the real thing (report export: CRLF,
Faker names from Western European locales in UTF-8, multi-line descriptions with commas
and quotes, a few bad rows and duplicates), generated once per (rows, seed) under the
temp folder and reused. The import runs in a FRESH process on a fresh hub (SQLite file or
a throw-away PostgreSQL schema); that process reports its own peak RSS (VmHWM from
/proc/self/status, which unlike ru_maxrss does not inherit the parent's peak), and the
peak of the process that reads the file beside it (ru_maxrss of its children) apart; CPU
seconds count both.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.harness import Context, Figure, Scale, figure, suite  # noqa: E402

_STATUSES = [
    "Open - Not Contacted",
    "Working - Contacted",
    "Closed - Converted",
    "Closed - Not Converted",
    "Nurturing",
]
_INDUSTRIES = ["Manufacturing", "Logistics", "Healthcare", "Retail", "Finance", "Energy", ""]
_COUNTRIES = ["Spain", "France", "Germany", "Brazil", "Portugal", "Austria", "Belgium"]
_SOURCES = ["Web", "Trade Show", "Webinar", "Partner Referral", "Purchased List", ""]
_TITLES = ["CEO", "CFO", "VP Operations", "Head of IT", "Procurement Manager", "Director"]
_NOTES = [
    *[""] * 17,
    'Met at booth 14.\nAsked about SSO, and pricing "per seat".',
    "Downloaded the ROI calculator, twice.",
    "Wants a demo next quarter; budget approved, see notes.",
]
HEADER = [
    "Id",
    "FirstName",
    "LastName",
    "Company",
    "Title",
    "Email",
    "Phone",
    "Industry",
    "NumberOfEmployees",
    "Country",
    "Status",
    "Rating",
    "LeadSource",
    "Description",
    "CreatedDate",
    "OwnerId",
]


def generate(path: Path, rows: int, seed: int) -> None:
    """A seeded Salesforce Lead export (Faker pools, combined by a seeded Random: Faker per
    cell would take an hour for a million rows)."""
    from faker import Faker

    fake = Faker(["es_ES", "fr_FR", "de_DE", "pt_BR"])
    fake.seed_instance(seed)
    rng = random.Random(seed)
    firsts = [fake.first_name() for _ in range(3000)]
    lasts = [fake.last_name() for _ in range(3000)]
    companies = [fake.company() for _ in range(5000)]
    phones = [fake.phone_number() for _ in range(2000)]
    tmp = path.with_suffix(".part")
    with tmp.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(HEADER)
        for i in range(rows):
            first, last = rng.choice(firsts), rng.choice(lasts)
            ident = f"00Q{i:012d}EAE"
            email = f"{first}.{last}.{i}@example.com".lower().replace(" ", "")
            if i % 5000 == 17:
                email = "not-an-email"  # a bad row now and then
            created = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:{i % 60:02d}:05Z"
            writer.writerow(
                [
                    f"00Q{i - 1:012d}EAE" if i % 9973 == 9972 else ident,  # rare duplicates
                    first,
                    last,
                    rng.choice(companies),
                    rng.choice(_TITLES),
                    email,
                    rng.choice(phones),
                    rng.choice(_INDUSTRIES),
                    str(rng.choice([12, 80, 250, 1200, 5000])),
                    rng.choice(_COUNTRIES),
                    rng.choice(_STATUSES),
                    rng.choice(["Hot", "Warm", "Cold", ""]),
                    rng.choice(_SOURCES),
                    rng.choice(_NOTES),
                    created,
                    f"005{rng.randint(0, 50):012d}AAA",
                ]
            )
    tmp.replace(path)


@contextmanager
def database_url(pg: str | None, home: Path) -> Iterator[str]:
    """A fresh SQLite file in `home`, or a throw-away PostgreSQL schema."""
    if not pg:
        yield f"sqlite:///{home / 'hub.db'}"
        return
    import sqlalchemy as sa

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    url = pg.replace("postgres://", "postgresql+psycopg://", 1)
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def _runqueue_wait_s() -> float:
    """Seconds this process waited for a CPU (busy machine), from /proc/self/schedstat."""
    try:
        return int(Path("/proc/self/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return float("nan")


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children (the import's file reader
    runs in one)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(
    csv_path: Path, home: Path, url: str, dry_run: bool, profile: bool, *, reader_process: bool
) -> None:
    """Runs in the fresh process: init a hub, import, print one JSON line."""
    from repdesk.hub import admin
    from repdesk.hub.config import HubConfig

    config = HubConfig.resolve(home, database_url=url)
    admin.init_hub(config)
    with admin.open_hub(config) as hub:
        before = _vm_hwm_mb()
        profiler = None
        if profile:
            from pyinstrument import Profiler

            profiler = Profiler()
            profiler.start()
        start, cpu, waited = time.perf_counter(), _cpu_s(), _runqueue_wait_s()
        # (no `parallel` argument at all by default: older code, --src, has none)
        choice: dict[str, Any] = {"parallel": True} if reader_process else {}
        report = admin.import_leads(hub, csv_path, dry_run=dry_run, **choice)
        seconds, cpu = time.perf_counter() - start, _cpu_s() - cpu
        waited = _runqueue_wait_s() - waited
        if profiler is not None:
            profiler.stop()
            sys.stderr.write(profiler.output_text(unicode=True, color=False, show_all=False))
    skipped = getattr(report, "skipped", len(report.errors))
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu,
                "waited_for_cpu_seconds": waited,
                "created": report.created,
                "updated": report.updated,
                "skipped": skipped,
                "hwm_before_import_mb": before,
                "hwm_mb": _vm_hwm_mb(),
                "reader_hwm_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            }
        )
    )


def floor(csv_path: Path, rows: int) -> dict[str, float]:
    """The machine's floor for this import on SQLite: a plain stdlib program, one process,
    that reads the same file with `csv` (no checks beyond the duplicate ids) and writes
    the same rows the way the import does: ascending ids, `executemany` in batches of
    2,000 in one transaction, the `lead_facts` insert trigger replaced by one INSERT ...
    SELECT per batch, the explicit indexes of `leads` and `lead_facts` dropped and
    created again at the end, a 16 MB page cache. Reading and writing are both timed."""
    import sqlite3
    from datetime import UTC, datetime

    from repdesk.domain.ids import ordered_ids
    from repdesk.hub import admin
    from repdesk.hub.config import HubConfig

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        admin.init_hub(HubConfig.resolve(home, database_url=f"sqlite:///{home / 'hub.db'}"))
        conn = sqlite3.connect(home / "hub.db", isolation_level=None)
        for pragma in (
            "journal_mode=WAL",
            "foreign_keys=ON",
            "synchronous=NORMAL",
            "cache_size=-16384",
        ):
            conn.execute(f"PRAGMA {pragma}")
        names = (
            "id, external_id, email, first_name, last_name, company, title, industry, "
            "company_size, phone, country, lifecycle_stage, lead_status, score, "
            "source_campaign_id, owner_rep_id, marketing_notes, deleted, version, "
            "created_at, updated_at, assigned_at"
        )
        sql = f"INSERT INTO leads ({names}) VALUES ({', '.join('?' * 22)})"
        facts = (
            "INSERT INTO lead_facts (lead_id, source_campaign_id, owner_rep_id, assigned_at,"
            " deleted, worked) SELECT id, source_campaign_id, owner_rep_id, assigned_at,"
            " deleted, 0 FROM leads WHERE rowid > ?"
        )
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        ids = ordered_ids()
        start, started_cpu = time.perf_counter(), time.process_time()
        conn.execute("BEGIN IMMEDIATE")
        trigger = conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'tr_lead_facts_leads_insert'"
        ).fetchone()[0]
        conn.execute("DROP TRIGGER tr_lead_facts_leads_insert")
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            " AND tbl_name IN ('leads', 'lead_facts')"
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f"DROP INDEX {name}")
        done = 0
        seen: set[str] = set()
        batch: list[tuple[Any, ...]] = []

        def write() -> None:
            last = conn.execute("SELECT max(rowid) FROM leads").fetchone()[0] or 0
            conn.executemany(sql, batch)
            conn.execute(facts, (last,))
            batch.clear()

        with csv_path.open(newline="", encoding="utf-8") as stream:
            reader = csv.reader(stream)
            next(reader)
            for row in reader:
                if row[0] in seen:
                    continue
                seen.add(row[0])
                batch.append(
                    (next(ids), row[0], row[5].lower(), row[1], row[2], row[3],
                     row[4], row[7], int(row[8]), row[6], row[9], "mql", "new", 0, None,
                     None, row[13], 0, 1, row[14].replace("T", " ").rstrip("Z"), now, None)
                )  # fmt: skip
                done += 1
                if len(batch) >= 2000:
                    write()
                if done >= rows:
                    break
        if batch:
            write()
        for _, index_sql in indexes:
            conn.execute(index_sql)
        conn.execute(trigger)
        conn.execute("COMMIT")
        seconds, cpu = time.perf_counter() - start, time.process_time() - started_cpu
        conn.close()
    return {"rows": done, "seconds": seconds, "cpu_seconds": cpu}


def run_import(
    csv_path: Path,
    pg: str | None = None,
    src: str | None = None,
    dry_run: bool = False,
    profile: bool = False,
    *,
    reader_process: bool = False,
) -> dict[str, Any]:
    """Import `csv_path` into a fresh hub in a fresh process; its figures as a dict."""
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    with tempfile.TemporaryDirectory() as tmp, database_url(pg, Path(tmp)) as url:
        command = [sys.executable, __file__, "--child", str(csv_path), tmp, url]
        command += ["--dry-run"] * dry_run + ["--profile"] * profile
        command += ["--reader-process"] * reader_process
        out = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    if profile:
        print(out.stderr)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


@suite("import", ["import.leads", "import.rss"])
def import_suite(ctx: Context, scale: Scale) -> list[Figure]:
    """`import_leads` of a generated Salesforce export (1M rows; 2k in a quick run) into a
    fresh SQLite hub, each run in a fresh process: rows/s and its peak RSS (VmHWM)."""
    rows = 2_000 if ctx.quick else 1_000_000
    csv_path = ctx.scratch("import") / f"salesforce-{rows}.csv"
    if not csv_path.exists():
        generate(csv_path, rows, 20240301)
    results = [run_import(csv_path) for _ in range(ctx.runs)]
    return [
        figure(
            "import.leads",
            "rows/s",
            scale,
            [rows / r["seconds"] for r in results],
            rows=rows,
            cpu_s=statistics.median(r["cpu_seconds"] for r in results),
        ),  # fmt: skip
        figure(
            "import.rss",
            "MB",
            scale,
            [r["hwm_mb"] for r in results],
            reader_mb=max(r["reader_hwm_mb"] for r in results),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20240301)
    parser.add_argument("--pg", help="a PostgreSQL URL: import into a temp schema there")
    parser.add_argument("--src", help="put this source folder first on the child's path")
    parser.add_argument("--dry-run", action="store_true", help="measure the dry run instead")
    parser.add_argument("--profile", action="store_true", help="pyinstrument the import")
    parser.add_argument("--floor", action="store_true", help="also time the sqlite3 floor")
    parser.add_argument(
        "--reader-process",
        action="store_true",
        help="read the file in a second process (import_leads(parallel=True))",
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        csv_path, home, url = args.child
        child(
            Path(csv_path),
            Path(home),
            url,
            args.dry_run,
            args.profile,
            reader_process=args.reader_process,
        )
        return
    cache = Path(tempfile.gettempdir()) / "repdesk-bench-import"
    cache.mkdir(exist_ok=True)
    csv_path = cache / f"salesforce-{args.rows}-{args.seed}.csv"
    if not csv_path.exists():
        t0 = time.perf_counter()
        generate(csv_path, args.rows, args.seed)
        print(f"generated {csv_path} in {time.perf_counter() - t0:.1f} s")
    size_mb = csv_path.stat().st_size / 2**20
    result = run_import(
        csv_path, args.pg, args.src, args.dry_run, args.profile, reader_process=args.reader_process
    )
    rows_per_s = args.rows / result["seconds"]
    backend = "PostgreSQL" if args.pg else "SQLite"
    print(
        f"import_leads{' --dry-run' if args.dry_run else ''} of {args.rows:,} rows "
        f"({size_mb:.0f} MB) into {backend}: {result['seconds']:.1f} s "
        f"({result['cpu_seconds']:.1f} s on a CPU, {result['waited_for_cpu_seconds']:.1f} s "
        f"waiting for one), {rows_per_s:,.0f} rows/s ({args.rows / result['cpu_seconds']:,.0f} "
        f"per CPU second), peak RSS {result['hwm_mb']:.0f} MB "
        f"({result['hwm_before_import_mb']:.0f} MB before the import; the file reader "
        f"process {result['reader_hwm_mb']:.0f} MB); "
        f"{result['created']:,} new, {result['updated']:,} updated, "
        f"{result['skipped']:,} skipped; load average {os.getloadavg()[0]:.1f}"
    )
    if args.floor:
        low = floor(csv_path, args.rows)
        print(
            f"floor (a plain csv -> sqlite3 executemany program, {low['rows']:,.0f} leads, the "
            f"import's SQL plan, reading and writing timed): {low['seconds']:.1f} s "
            f"({low['cpu_seconds']:.1f} s on a CPU), {low['rows'] / low['seconds']:,.0f} rows/s "
            f"({low['rows'] / low['cpu_seconds']:,.0f} per CPU second); "
            f"load average {os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
