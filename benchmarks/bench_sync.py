"""Sync figures through the REAL hub on loopback (prints; not a test).

    .venv/bin/python benchmarks/bench_sync.py                  # 10k leads + 300k events, 100k
    .venv/bin/python benchmarks/bench_sync.py --scale 0.1      # quick run

Measures, in one run:
- initial sync of N leads + 30 N nurture events (seconds, rows/s), next to a stdlib
  `sqlite3.executemany` of the same rows into plain tables (same machine, same run), and
  the client's share alone (the same pages downloaded first, then parsed, converted and
  applied as the engine does: no hub time in it);
- a no-change sync at N leads and again after the hub grows to BIG leads;
- the push of P queued mutations (call notes), after queueing them through the store.

The hub database is seeded directly (SQLAlchemy Core bulk inserts of leads, events and
their change-log rows, in the order the hub's writers would produce) so seeding does not
dominate; everything the client does goes through HubClient -> real HTTP -> the real hub.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, update

from repdesk.domain.feedback import CallNote
from repdesk.domain.ids import new_id, utcnow
from repdesk.hub.app import open_state
from repdesk.hub.config import HubConfig
from repdesk.hub.db import models as m
from repdesk.hub.embedded import EmbeddedHub
from repdesk.hub.sync.changes import Touch, touch_many
from repdesk.protocol.schema import MAX_PULL_LIMIT
from repdesk.store import Store
from repdesk.sync.collateral import CollateralCache
from repdesk.sync.credentials import Credentials
from repdesk.sync.engine import SyncEngine

# The test-only hub row writers live with the tests (tests/support/hub_rows.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.floor import snapshot, write_floor  # noqa: E402
from benchmarks.harness import Context, Figure, Scale, figure, suite  # noqa: E402
from tests.support import hub_rows as seed  # noqa: E402

TYPES = ["email_opened", "email_clicked", "web_visit", "form_fill", "content_download"]
ASSETS = ["Pricing page", "ROI calculator", "Webinar: scaling data teams", "Case study"]
T0 = datetime(2025, 1, 1, tzinfo=UTC)
PASSWORD = "benchmark password 1"


def make_rows(
    n_leads: int, events_per_lead: int, rep_id: str, campaign_id: str, rng: random.Random
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    now = utcnow()
    leads, events = [], []
    for i in range(n_leads):
        lead_id = new_id()
        leads.append(
            {
                "id": lead_id,
                "email": f"lead{i}@example{i % 97}.com",
                "first_name": f"First{i}",
                "last_name": f"Last{i}",
                "company": f"Company {i % 2000}",
                "title": "Head of Operations",
                "industry": "Software",
                "country": "DE",
                "lifecycle_stage": "marketing_qualified_lead",
                "lead_status": "new",
                "score": rng.randint(0, 100),
                "source_campaign_id": campaign_id,
                "owner_rep_id": rep_id,
                "marketing_notes": "",
                "deleted": False,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
        for j in range(events_per_lead):
            events.append(
                {
                    "id": new_id(),
                    "lead_id": lead_id,
                    "type": TYPES[j % len(TYPES)],
                    "occurred_at": T0 + timedelta(hours=i % 5000 + j),
                    "campaign_id": campaign_id,
                    "asset": ASSETS[j % len(ASSETS)],
                    "detail": "",
                    "version": 1,
                    "created_at": now,
                }
            )
    return leads, events


class HubProcess:
    """The real hub served by uvicorn in a CHILD process (its own GIL, as on a server);
    this process seeds the same database file directly."""

    def __init__(self, home: Path) -> None:
        config = HubConfig.resolve(home)
        self.state = open_state(config)  # migrates and creates the database
        self._child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(home)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._child.stdout is not None
        self.url = self._child.stdout.readline().strip()
        if not self.url.startswith("http"):
            raise RuntimeError("the hub process did not start")

    @property
    def pid(self) -> int:
        """The hub process's id (to read its CPU time)."""
        return self._child.pid

    def stop(self) -> None:
        assert self._child.stdin is not None
        self._child.stdin.close()  # the child stops serving when its stdin closes
        self._child.wait(timeout=30)
        self.state.db.dispose()


_CHILD = """
import sys
from repdesk.hub.app import open_state
from repdesk.hub.config import HubConfig
from repdesk.hub.embedded import EmbeddedHub
hub = EmbeddedHub(HubConfig.resolve(sys.argv[1]))
print(hub.start(), flush=True)
sys.stdin.read()
hub.stop()
"""


class HubInProcess:
    """The hub in a thread of this process (shares the GIL with the client)."""

    def __init__(self, home: Path) -> None:
        self._hub = EmbeddedHub(HubConfig.resolve(home))
        self.url = self._hub.start()
        self.state = self._hub.state

    def stop(self) -> None:
        self._hub.stop()


def seed_hub(
    hub: HubProcess | HubInProcess, leads: list[dict[str, Any]], events: list[dict[str, Any]]
) -> None:
    """Bulk insert rows plus change-log rows (lead first, then its events), 20k at a time."""
    by_lead: dict[str, list[dict[str, Any]]] = {}
    for ev in events:
        by_lead.setdefault(ev["lead_id"], []).append(ev)
    log_rows: list[dict[str, Any]] = []
    for lead in leads:
        log_rows.append(_log("lead", lead["id"], lead["owner_rep_id"], lead["id"]))
        log_rows.extend(
            _log("nurture_event", ev["id"], lead["owner_rep_id"], lead["id"])
            for ev in by_lead.get(lead["id"], [])
        )
    with hub.state.db.write() as s:
        for table, rows in ((m.Lead, leads), (m.NurtureEvent, events), (m.ChangeLog, log_rows)):
            for start in range(0, len(rows), 20_000):
                s.execute(insert(table), rows[start : start + 20_000])


def _log(entity: str, entity_id: str, audience: str, lead_id: str) -> dict[str, Any]:
    return {
        "entity": entity,
        "entity_id": entity_id,
        "op": "upsert",
        "audience": audience,
        "version": 1,
        "lead_id": lead_id,
        "at": utcnow(),
    }


def stdlib_baseline(path: Path, leads: list[dict[str, Any]], events: list[dict[str, Any]]) -> float:
    """The same rows through stdlib sqlite3.executemany into plain tables, one transaction."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    lead_cols = [c for c in leads[0] if c != "deleted"]
    event_cols = list(events[0])
    conn.execute(f"CREATE TABLE leads ({', '.join(lead_cols)}, PRIMARY KEY (id))")
    conn.execute(f"CREATE TABLE events ({', '.join(event_cols)}, PRIMARY KEY (id))")
    conn.execute("CREATE INDEX ix_events_lead ON events (lead_id)")
    lead_rows = [tuple(str(r[c]) for c in lead_cols) for r in leads]
    event_rows = [tuple(str(r[c]) for c in event_cols) for r in events]
    start = time.perf_counter()
    with conn:
        conn.executemany(f"INSERT INTO leads VALUES ({', '.join('?' * len(lead_cols))})", lead_rows)
        conn.executemany(
            f"INSERT INTO events VALUES ({', '.join('?' * len(event_cols))})", event_rows
        )
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def client_side_only(url: str, tmp: Path, limit: int) -> tuple[int, dict[str, float]]:
    """The client's share alone: every pull page is downloaded first, then parsed,
    converted and applied exactly as the engine does, with no hub in the timings."""
    import httpx

    from repdesk.store.api import SessionInfo
    from repdesk.sync.http import HubClient

    with HubClient(url) as client:
        login = client.login("rep@example.com", PASSWORD)
    bodies: list[bytes] = []
    cursor: str | None = None
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {login.token}"}) as http:
        while True:
            params: dict[str, Any] = {"limit": limit, **({"cursor": cursor} if cursor else {})}
            body = http.get("/v1/sync/pull", params=params).raise_for_status().content
            bodies.append(body)
            head = json.loads(body)
            cursor = head["cursor"]
            if not head["has_more"]:
                break
    try:  # this version's msgspec pages; older versions parse with pydantic
        from repdesk.sync.pages import decode_page, remote_changes

        def parse(body: bytes) -> Any:
            return decode_page(body)

        def convert(page: Any) -> list[Any]:
            return remote_changes(page)
    except ImportError:
        from repdesk.sync.pages import TypedPull, remote_changes

        def parse(body: bytes) -> Any:
            return TypedPull.model_validate_json(body)

        def convert(page: Any) -> list[Any]:
            return remote_changes(page)

    times = {"parse": 0.0, "convert": 0.0, "apply": 0.0, "finish": 0.0}
    store = Store.open(tmp / "client-side-only")
    store.set_session(SessionInfo(url, "rep", "Bench Rep", "rep@example.com"))
    changes = 0
    for body in bodies:
        t0 = time.perf_counter()
        page = parse(body)
        t1 = time.perf_counter()
        remote = convert(page)
        t2 = time.perf_counter()
        store.apply_pull_page(remote, page.cursor)
        t3 = time.perf_counter()
        times["parse"] += t1 - t0
        times["convert"] += t2 - t1
        times["apply"] += t3 - t2
        changes += len(page.changes)
    t = time.perf_counter()
    store.finish_sync()
    times["finish"] = time.perf_counter() - t
    store.close()
    return changes, times


def timed_sync(engine: SyncEngine, phases: dict[str, float] | None = None) -> tuple[float, Any]:
    """Seconds for one sync; `phases` gets the seconds spent in each progress phase."""
    marks: list[tuple[str, float]] = []

    def progress(phase: str, _done: int, _total: int) -> None:
        if not marks or marks[-1][0] != phase:
            marks.append((phase, time.perf_counter()))

    start = time.perf_counter()
    report = engine.sync(progress=progress)
    end = time.perf_counter()
    if phases is not None:
        for (phase, at), (_next, until) in zip(marks, [*marks[1:], ("", end)], strict=True):
            phases[phase] = phases.get(phase, 0.0) + (until - at)
    return end - start, report


def change_leads(hub: HubProcess | HubInProcess, lead_ids: list[str], round_: int) -> None:
    """Marketing changes these leads (a new score, version + 1) and logs them, as its
    writers would: one transaction, the change log through `touch_many`."""
    with hub.state.db.write() as s:
        rows = s.execute(
            update(m.Lead)
            .where(m.Lead.id.in_(lead_ids))
            .values(score=(m.Lead.score + round_) % 101, version=m.Lead.version + 1)
            .returning(m.Lead.id, m.Lead.owner_rep_id, m.Lead.version)
        ).all()
        touch_many(s, [Touch("lead", i, owner, "upsert", v, i) for i, owner, v in rows if owner])


def new_client(folder: Path, url: str) -> tuple[Store, SyncEngine]:
    store = Store.open(folder)
    engine = SyncEngine(store, Credentials(), CollateralCache(folder / "cache"))
    engine.login(url, "rep@example.com", PASSWORD)
    return store, engine


@suite("sync", ["sync.initial", "sync.noop", "sync.incremental", "sync.push"])
def sync_suite(ctx: Context, scale: Scale) -> list[Figure]:
    """A hub in its own process seeded with the scale's leads and events; fresh clients
    sync it from nothing (sync.initial, next to the stdlib floor), then again with nothing
    new (sync.noop), after marketing changed 1,000 leads (sync.incremental), and after
    queueing call notes (sync.push, the push phase only)."""
    tmp = ctx.scratch(f"sync-{scale.name}")
    figures: list[Figure] = []
    hub = HubProcess(tmp / "hub")
    try:
        rep = seed.add_rep(hub.state.db, "rep@example.com", PASSWORD, "Bench Rep")
        campaign = seed.add_campaign(hub.state.db, "Bench campaign")
        leads, events = make_rows(
            scale.leads, scale.events_per_lead, rep, campaign, random.Random(7)
        )
        seed_hub(hub, leads, events)
        rows = len(leads) + len(events)
        lead_ids = [lead["id"] for lead in leads]
        del leads, events
        ctx.log(f"  seeded the hub: {rows:,} rows")

        timed = ctx.wants("sync.initial", scale)
        initial: list[float] = []
        floors: list[float] = []
        store: Store | None = None
        for run in range(ctx.runs if timed else 1):
            if store is not None:
                store.close()
            store, engine = new_client(tmp / f"client{run}", hub.url)
            seconds, _report = timed_sync(engine)
            initial.append(seconds)
            if timed:
                snap = snapshot(tmp / f"client{run}" / "repdesk.sqlite3")
                floors.append(write_floor(snap, tmp / "floor.sqlite3"))
                del snap
                ctx.log(f"  initial sync {seconds:.2f} s, floor {floors[-1]:.2f} s")
        if timed:
            figures.append(
                figure(
                    "sync.initial",
                    "s",
                    scale,
                    initial,
                    floors,
                    rows=rows,
                    rows_per_s=rows / statistics.median(initial),
                )  # fmt: skip
            )
        if ctx.wants("sync.noop", scale):
            noop = [
                timed_sync(engine)[0] * 1000 for _ in range(max(3 if ctx.quick else 5, ctx.runs))
            ]
            figures.append(figure("sync.noop", "ms", scale, noop))
        if ctx.wants("sync.incremental", scale):
            changed = lead_ids[:1000]
            samples = []
            for run in range(ctx.runs):
                change_leads(hub, changed, run + 1)
                seconds, report = timed_sync(engine)
                samples.append(seconds * 1000)
            figures.append(
                figure("sync.incremental", "ms", scale, samples, changed_leads=len(changed))
            )
        if ctx.wants("sync.push", scale):
            n_push = 200 if ctx.quick else 10_000  # issue 9: 10k queued mutations
            rates = []
            for run in range(ctx.runs):
                for i in range(n_push):
                    store.add_call_note(
                        CallNote(id=new_id(), lead_id=lead_ids[i % len(lead_ids)],
                                 body=f"Call {run}.{i}: discussed pricing", created_at=utcnow())
                    )  # fmt: skip
                phases: dict[str, float] = {}
                seconds, report = timed_sync(engine, phases)
                rates.append(report.pushed / phases.get("Sending your changes", seconds))
            figures.append(figure("sync.push", "mutations/s", scale, rates, mutations=n_push))
        store.close()
    finally:
        hub.stop()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every size")
    parser.add_argument("--events-per-lead", type=int, default=30)
    parser.add_argument(
        "--pull-limit", type=int, default=MAX_PULL_LIMIT, help="changes per pull page"
    )
    parser.add_argument("--skip-big", action="store_true", help="skip the 100k-lead step")
    parser.add_argument(
        "--initial-only", action="store_true", help="stop after the initial sync figures"
    )
    parser.add_argument(
        "--in-process", action="store_true", help="serve the hub from a thread, not a process"
    )
    parser.add_argument(
        "--compare-prefetch",
        action="store_true",
        help="also time the initial sync with page prefetching off (a second client)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    n_leads = int(10_000 * args.scale)
    big = int(100_000 * args.scale)
    n_push = int(10_000 * args.scale)
    rng = random.Random(7)

    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp_name:
        tmp = Path(tmp_name)
        hub = (HubInProcess if args.in_process else HubProcess)(tmp / "hub")
        url = hub.url
        where = "a thread of this process" if args.in_process else "its own process"
        print(f"hub on {url} in {where}; {os.cpu_count()} CPUs")
        try:
            db = hub.state.db
            rep = seed.add_rep(db, "rep@example.com", PASSWORD, "Bench Rep")
            campaign = seed.add_campaign(db, "Bench campaign")
            leads, events = make_rows(n_leads, args.events_per_lead, rep, campaign, rng)
            t = time.perf_counter()
            seed_hub(hub, leads, events)
            print(f"seeded hub: {len(leads):,} leads + {len(events):,} events "
                  f"in {time.perf_counter() - t:.1f}s (direct bulk insert)")  # fmt: skip

            store = Store.open(tmp / "client")
            engine = SyncEngine(
                store,
                Credentials(),
                CollateralCache(tmp / "cache"),
                pull_limit=args.pull_limit,
            )
            engine.login(url, "rep@example.com", PASSWORD)

            rows = len(leads) + len(events)
            seconds, report = timed_sync(engine)
            base = stdlib_baseline(tmp / "baseline.sqlite3", leads, events)
            print(
                f"initial sync: {rows:,} rows ({report.pulled:,} changes, "
                f"page {args.pull_limit}) in {seconds:.1f}s = {rows / seconds:,.0f} rows/s"
            )
            print(f"  stdlib sqlite3.executemany of the same rows: {base:.2f}s = "
                  f"{rows / base:,.0f} rows/s (ratio {seconds / base:.0f}x)")  # fmt: skip

            n, times = client_side_only(url, tmp, args.pull_limit)
            own = sum(times.values())
            print(f"  client side alone (pages downloaded first): {own:.1f}s = "
                  f"{rows / own:,.0f} rows/s for {n:,} changes; "
                  + ", ".join(f"{k} {v:.1f}s" for k, v in times.items()))  # fmt: skip

            if args.compare_prefetch:
                other = Store.open(tmp / "client-sequential")
                seq = SyncEngine(other, Credentials(), CollateralCache(tmp / "cache2"),
                                 pull_limit=args.pull_limit, prefetch=False)  # fmt: skip
                seq.login(url, "rep@example.com", PASSWORD)
                plain, _ = timed_sync(seq)
                print(f"  same pull without prefetching the next page: {plain:.1f}s = "
                      f"{rows / plain:,.0f} rows/s")  # fmt: skip
                other.close()

            if args.initial_only:
                store.close()
                return
            seconds, report = timed_sync(engine)
            print(f"no-change sync at {store.lead_count():,} leads: {seconds * 1000:.0f} ms "
                  f"(pulled {report.pulled})")  # fmt: skip

            if not args.skip_big and big > n_leads:
                more, _ = make_rows(big - n_leads, 0, rep, campaign, rng)
                t = time.perf_counter()
                seed_hub(hub, more, [])
                seeded = time.perf_counter() - t
                seconds, report = timed_sync(engine)
                print(
                    f"hub grows by {len(more):,} leads (seeded in {seeded:.1f}s): sync pulled "
                    f"{report.pulled:,} in {seconds:.1f}s = {report.pulled / seconds:,.0f}/s"
                )
                seconds, report = timed_sync(engine)
                print(f"no-change sync at {store.lead_count():,} leads: {seconds * 1000:.0f} ms "
                      f"(pulled {report.pulled})")  # fmt: skip

            lead_ids = [lead["id"] for lead in leads]
            t = time.perf_counter()
            for i in range(n_push):
                store.add_call_note(
                    CallNote(id=new_id(), lead_id=lead_ids[i % len(lead_ids)],
                             body=f"Call {i}: discussed pricing", created_at=utcnow())
                )  # fmt: skip
            queued = time.perf_counter() - t
            print(f"queued {n_push:,} call notes through the store in {queued:.1f}s "
                  f"({n_push / queued:,.0f}/s, one transaction each)")  # fmt: skip
            phases: dict[str, float] = {}
            seconds, report = timed_sync(engine, phases)
            pushing = phases.get("Sending your changes", seconds)
            print(f"push of {report.pushed:,} mutations ({report.applied:,} applied): "
                  f"{pushing:.1f}s = {report.pushed / pushing:,.0f} mutations/s; the whole sync "
                  f"(also pulling the {report.pulled:,} echoes back) {seconds:.1f}s")  # fmt: skip
            store.close()
        finally:
            hub.stop()


if __name__ == "__main__":
    main()
