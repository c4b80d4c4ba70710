"""Store bulk-load and query figures at 100k leads / 1M nurture events (prints; not a test).

    .venv/bin/python benchmarks/bench_store.py            # full size
    .venv/bin/python benchmarks/bench_store.py --scale 0.05   # quick run

Compares the store's bulk path (Core executemany upserts, then one FTS rebuild) with stdlib
`sqlite3.executemany` of the same rows into a plain table, in the same run and pragmas.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from repdesk.domain.feedback import CallNote
from repdesk.domain.ids import new_id, utcnow
from repdesk.domain.leads import Lead, LifecycleStage, NurtureEvent, NurtureEventType
from repdesk.store import Store, bulk, derived, fts
from repdesk.store.api import LeadQuery, LeadSort
from repdesk.store.convert import event_values, lead_values
from repdesk.store.models import EVENTS, LEADS

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.floor import snapshot, write_floor  # noqa: E402
from benchmarks.harness import Context, Figure, Scale, figure, p95, suite  # noqa: E402

FIRST = ["Ada", "Grace", "Alan", "Maria", "John", "Ana", "Wei", "Fatima", "Lars", "Priya"]
LAST = ["Lovelace", "Hopper", "Turing", "Smith", "Doe", "Lopez", "Chen", "Khan", "Berg", "Rao"]
WORDS = ["Analytics", "Cloud", "Systems", "Foods", "Logistics", "Health", "Energy", "Retail"]
ASSETS = [
    "Pricing page",
    "ROI calculator",
    "Webinar: scaling data teams",
    "Case study: Northwind",
    "Newsletter March",
    "Security whitepaper",
    "Product tour",
    "Contact sales form",
]
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def make_data(n_leads: int, n_events: int) -> tuple[list[Lead], list[NurtureEvent]]:
    rnd = random.Random(42)
    stages = list(LifecycleStage)
    leads = [
        Lead(
            id=f"lead-{i:07d}",
            first_name=rnd.choice(FIRST),
            last_name=f"{rnd.choice(LAST)}{i % 997}",
            company=f"{rnd.choice(WORDS)} {rnd.choice(WORDS)} {i % 5003}",
            email=f"person{i}@example{i % 101}.com",
            title=rnd.choice(["CTO", "VP Sales", "Buyer", "Analyst", "Head of IT"]),
            lifecycle_stage=rnd.choice(stages),
            score=rnd.randint(0, 100),
            source_campaign_id=f"camp-{i % 40}",
            version=1,
        )
        for i in range(n_leads)
    ]
    types = list(NurtureEventType)
    events = [
        NurtureEvent(
            id=f"ev-{j:08d}",
            lead_id=f"lead-{rnd.randrange(n_leads):07d}",
            type=rnd.choice(types),
            occurred_at=T0 + timedelta(minutes=rnd.randrange(500_000)),
            campaign_id=f"camp-{rnd.randrange(40)}",
            asset=rnd.choice(ASSETS),
            detail=rnd.choice(["", "Opened twice", "Spent 4 minutes", "Asked about pricing"]),
            version=1,
        )
        for j in range(n_events)
    ]
    return leads, events


def stdlib_baseline(
    folder: Path, leads: list[Lead], events: list[NurtureEvent], indexed: bool = False
) -> float:
    """The same rows, same pragmas, one executemany per table: rows/s.

    `indexed` adds the store's lookup indexes (unique id, events by lead and by campaign)
    so the cost of the indexes themselves can be told apart from the store's own work.
    """
    lead_rows = [lead_values(x) for x in leads]
    event_rows = [event_values(x) for x in events]
    db = sqlite3.connect(folder / f"plain{int(indexed)}.sqlite3", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    lead_cols = list(lead_rows[0])
    event_cols = list(event_rows[0])
    db.execute(f"CREATE TABLE leads ({', '.join(lead_cols)})")
    db.execute(f"CREATE TABLE events ({', '.join(event_cols)})")
    if indexed:
        db.execute("CREATE UNIQUE INDEX ux_leads ON leads (id)")
        db.execute("CREATE UNIQUE INDEX ux_events ON events (id)")
        db.execute("CREATE INDEX ix_events_lead ON events (lead_id, occurred_at)")
        db.execute("CREATE INDEX ix_events_campaign ON events (campaign_id, lead_id)")
    started = time.perf_counter()
    db.execute("BEGIN")
    db.executemany(
        f"INSERT INTO leads VALUES ({', '.join('?' * len(lead_cols))})",
        ([r[c] for c in lead_cols] for r in lead_rows),
    )
    db.executemany(
        f"INSERT INTO events VALUES ({', '.join('?' * len(event_cols))})",
        ([r[c] for c in event_cols] for r in event_rows),
    )
    db.execute("COMMIT")
    elapsed = time.perf_counter() - started
    db.close()
    return (len(leads) + len(events)) / elapsed


def latency(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and p95 in milliseconds."""
    fn()  # warm the page cache
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


SEARCHES = ("ma", "smi", "pric", "john do", "webinar scal", "case north", "h", "grace hop")


def timings_ms(fn: Callable[[], object], repeat: int) -> list[float]:
    fn()  # warm the page cache
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def raw_match(db_file: Path) -> Callable[[str], list[tuple[int]]]:
    """The floor of a search: the same FTS5 prefix expression, raw MATCH on each index
    through stdlib sqlite3, the same limit, ids only."""
    conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, check_same_thread=False)

    def run(text: str) -> list[tuple[int]]:
        expr = fts.match_expression(text)
        found: list[tuple[int]] = []
        for index in fts.ALL_INDEXES:
            sql = f"SELECT rowid FROM {index.name} WHERE {index.name} MATCH ? LIMIT 50"
            found += conn.execute(sql, (expr,)).fetchall()
        return found

    return run


@suite("store", ["store.bulk_load", "outbox.commit", "search.query"])
def store_suite(ctx: Context, scale: Scale) -> list[Figure]:
    """The store's bulk path against the stdlib floor (same rows, same final schema), the
    commit of one rep action with its outbox row, and full-text search against raw MATCH."""
    tmp = ctx.scratch(f"store-{scale.name}")
    leads, events = make_data(scale.leads, scale.events)
    figures: list[Figure] = []
    loads, floors = [], []
    for run in range(ctx.runs):
        folder = tmp / f"store{run}"
        with Store.open(folder) as store:
            started = time.perf_counter()
            store.bulk_load(leads, events)
            loads.append(time.perf_counter() - started)
        if run == 0:
            snap = snapshot(folder / "repdesk.sqlite3")
        floors.append(write_floor(snap, tmp / "floor.sqlite3"))
        ctx.log(f"  bulk_load {loads[-1]:.2f} s, floor {floors[-1]:.2f} s")
    del snap
    rows = len(leads) + len(events)
    figures.append(figure("store.bulk_load", "s", scale, loads, floors, rows=rows))
    repeat = 20 if ctx.quick else 100
    with Store.open(tmp / "store0") as store:
        commits = []
        for run in range(ctx.runs):

            def commit(lead_id: str = leads[run].id) -> None:
                note = CallNote(new_id(), lead_id, "Discussed pricing", created_at=utcnow())
                store.add_call_note(note)

            commits.append(p95(timings_ms(commit, repeat)))
        figures.append(figure("outbox.commit", "ms p95", scale, commits, commits_per_run=repeat))
        floor = raw_match(tmp / "store0" / "repdesk.sqlite3")
        searched, matched = [], []
        for _ in range(ctx.runs):
            searched.append(
                p95(
                    [
                        x
                        for t in SEARCHES
                        for x in timings_ms(lambda t=t: store.search(t), repeat // 10)
                    ]
                )
            )
            matched.append(
                p95([x for t in SEARCHES for x in timings_ms(lambda t=t: floor(t), repeat // 10)])
            )
        figures.append(
            figure("search.query", "ms p95", scale, searched, matched, queries=len(SEARCHES))
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 100k leads, 1M events")
    parser.add_argument("--repeat", type=int, default=30, help="samples per latency figure")
    args = parser.parse_args()
    n_leads = max(10, int(100_000 * args.scale))
    n_events = max(10, int(1_000_000 * args.scale))

    started = time.perf_counter()
    leads, events = make_data(n_leads, n_events)
    print(
        f"generated {n_leads:,} leads + {n_events:,} events in {time.perf_counter() - started:.1f}s"
    )

    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        folder = Path(tmp)
        baseline = stdlib_baseline(folder, leads, events)
        print(f"stdlib sqlite3.executemany, plain tables:        {baseline:>10,.0f} rows/s")
        baseline = stdlib_baseline(folder, leads, events, indexed=True)
        print(f"stdlib sqlite3.executemany, same lookup indexes: {baseline:>10,.0f} rows/s")

        total = n_leads + n_events
        with Store.open(folder / "phases") as probe, probe._tx() as conn:
            # White-box phase split of the same bulk path (benchmark only).
            phases = {
                "convert to rows": lambda: rows.update(
                    leads=[lead_values(x) for x in leads], events=[event_values(x) for x in events]
                ),
                "upsert leads + events": lambda: (
                    bulk.upsert_rows(conn, LEADS, "id", rows["leads"]),
                    bulk.upsert_rows(conn, EVENTS, "id", rows["events"]),
                ),
                "readiness + last touch": lambda: (
                    derived.recompute_readiness(conn),
                    derived.recompute_last_touch(conn),
                ),
                "FTS rebuild": lambda: fts.rebuild(conn),
            }
            rows: dict[str, list[dict[str, object]]] = {}
            for name, phase in phases.items():
                started = time.perf_counter()
                phase()
                took = time.perf_counter() - started
                print(f"  phase {name:24} {took:6.1f}s  ({total / took:>10,.0f} rows/s)")
            rows.clear()

        store = Store.open(folder / "store")
        started = time.perf_counter()
        store.bulk_load(leads, events)
        elapsed = time.perf_counter() - started
        print(
            f"Store.bulk_load (all of the above, one transaction): "
            f"{total / elapsed:>10,.0f} rows/s ({elapsed:.1f}s)"
        )
        size_mb = sum(p.stat().st_size for p in (folder / "store").glob("repdesk.sqlite3*")) / 1e6
        print(f"database size (with WAL): {size_mb:.0f} MB")

        print("\nsearch (FTS5 prefix, bm25, leads + events + notes, limit 50): median / p95 ms")
        for text in ("ma", "smi", "pric", "john do", "webinar scal", "case north"):
            med, p95 = latency(lambda t=text: store.search(t), args.repeat)
            print(f"  search({text!r:16}) {med:8.2f} {p95:8.2f}   hits={len(store.search(text))}")

        print("\nlead_ids (whole list, SQL sort/filter): median / p95 ms")
        queries = {
            "last touch desc (all)": LeadQuery(),
            "name asc (all)": LeadQuery(sort=LeadSort.NAME, descending=False),
            "score desc, stage=SQL": LeadQuery(sort=LeadSort.SCORE, stage=LifecycleStage.SQL),
            "search 'smi' by name": LeadQuery(search="smi", sort=LeadSort.NAME),
            "search 'grace hop' by touch": LeadQuery(search="grace hop"),
            "campaign camp-7": LeadQuery(campaign_id="camp-7"),
            "has unsent": LeadQuery(has_unsent=True),
        }
        for name, query in queries.items():
            med, p95 = latency(lambda q=query: store.lead_ids(q), args.repeat)
            print(f"  {name:28} {med:8.2f} {p95:8.2f}   ids={len(store.lead_ids(query)):,}")
        visible = store.lead_ids(LeadQuery())[:60]
        med, p95 = latency(lambda: store.lead_rows(visible), args.repeat)
        print(f"  lead_rows(60 visible ids)    {med:8.2f} {p95:8.2f}")
        med, p95 = latency(lambda: store.timeline(visible[0]), args.repeat)
        print(f"  timeline(one lead)           {med:8.2f} {p95:8.2f}")
        store.close()


if __name__ == "__main__":
    main()
