"""Hub-side figures over loopback HTTP to an EmbeddedHub (prints; not a test).

    .venv/bin/python benchmarks/bench_hub.py                      # SQLite file
    .venv/bin/python benchmarks/bench_hub.py --pg postgresql://u:p@host/db   # a temp schema
    .venv/bin/python benchmarks/bench_hub.py --push 1000 --pull 0 --assign 0  # quick
    .venv/bin/python benchmarks/bench_hub.py --profile-pull       # cProfile of the pull

Measures:
- push of N queued mutations (call notes and objections across 200 leads), sent in
  batches of MAX_PUSH_BATCH, for each N in --push (default 1000 and 10000);
- a pull of --pull changes (default 100k nurture events, seeded by Core bulk insert) in
  pages of MAX_PULL_LIMIT;
- `assign_leads` of --assign leads (default 2000) from one rep to another.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import os
import pstats
import resource
import ssl
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import orjson
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy import insert

from repdesk.domain.ids import new_id, utcnow
from repdesk.hub.admin.assign import assign_by_rule
from repdesk.hub.admin.hub import Hub
from repdesk.hub.auth import hash_password, verify_password
from repdesk.hub.config import HubConfig
from repdesk.hub.db import models as m
from repdesk.hub.embedded import EmbeddedHub
from repdesk.protocol.schema import MAX_PULL_LIMIT, MAX_PUSH_BATCH

# The test-only hub row writers live with the tests (tests/support/hub_rows.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.bench_sync import HubProcess  # noqa: E402
from benchmarks.harness import Context, Figure, Scale, figure, p95, skipped, suite  # noqa: E402
from tests.support import hub_rows as seed  # noqa: E402

PASSWORD = "benchmark password 1"
T0 = datetime(2025, 1, 1, tzinfo=UTC)


@contextmanager
def database_url(pg: str | None) -> Iterator[str | None]:
    """None (the hub's default SQLite file) or a throw-away PostgreSQL schema."""
    if not pg:
        yield None
        return
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


def bulk_leads(
    hub: EmbeddedHub, rep_id: str, n: int, events_per_lead: int = 0, company: str = ""
) -> list[str]:
    """n leads owned by `rep_id` (+ events), with their change-log rows, by Core insert."""
    now = utcnow()
    leads: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    log_rows: list[dict[str, Any]] = []
    for i in range(n):
        lead_id = new_id()
        leads.append({"id": lead_id, "email": f"lead{i}@example.com", "first_name": f"F{i}",
                      "last_name": f"L{i}", "company": company or f"Company {i % 500}",
                      "owner_rep_id": rep_id, "version": 1, "created_at": now,
                      "updated_at": now})  # fmt: skip
        log_rows.append(_log("lead", lead_id, rep_id, lead_id))
        for j in range(events_per_lead):
            ev_id = new_id()
            events.append({"id": ev_id, "lead_id": lead_id, "type": "email_opened",
                           "occurred_at": T0 + timedelta(hours=j), "asset": "Pricing page",
                           "detail": "", "version": 1, "created_at": now})  # fmt: skip
            log_rows.append(_log("nurture_event", ev_id, rep_id, lead_id))
    with hub.state.db.write() as s:
        for table, rows in ((m.Lead, leads), (m.NurtureEvent, events), (m.ChangeLog, log_rows)):
            for start in range(0, len(rows), 20_000):
                s.execute(insert(table), rows[start : start + 20_000])
    return [lead["id"] for lead in leads]


def _log(entity: str, entity_id: str, audience: str, lead_id: str) -> dict[str, Any]:
    return {"entity": entity, "entity_id": entity_id, "op": "upsert", "audience": audience,
            "version": 1, "lead_id": lead_id, "at": utcnow()}  # fmt: skip


def login(url: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=600)
    r = client.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
    r.raise_for_status()
    client.headers["Authorization"] = f"Bearer {r.json()['token']}"
    return client


def mutations(n: int, lead_ids: list[str]) -> list[dict[str, Any]]:
    out = []
    now = utcnow().isoformat()
    for i in range(n):
        lead = lead_ids[i % len(lead_ids)]
        if i % 4 == 3:
            kind, payload = "objection.create", {"category_code": "price", "verbatim": f"#{i}"}
        else:
            kind, payload = "call_note.create", {"body": f"Call {i}: discussed pricing"}
        out.append({"id": new_id(), "seq": i, "kind": kind, "entity_id": new_id(),
                    "lead_id": lead, "recorded_at": now, "payload": payload})  # fmt: skip
    return out


def bench_push(client: httpx.Client, n: int, lead_ids: list[str]) -> float:
    """Pushes n mutations; prints and returns mutations/s."""
    muts = mutations(n, lead_ids)
    start = time.perf_counter()
    statuses: dict[str, int] = {}
    for at in range(0, n, MAX_PUSH_BATCH):
        batch = muts[at : at + MAX_PUSH_BATCH]
        r = client.post("/v1/sync/push", json={"client_id": "bench", "mutations": batch})
        r.raise_for_status()
        for res in r.json()["results"]:
            statuses[res["status"]] = statuses.get(res["status"], 0) + 1
    seconds = time.perf_counter() - start
    print(f"push of {n:,} mutations in batches of {MAX_PUSH_BATCH}: {seconds:.2f}s = "
          f"{n / seconds:,.0f} mutations/s {statuses}")  # fmt: skip
    return n / seconds


def bench_pull(client: httpx.Client, expected: int, profile: bool) -> None:
    prof = cProfile.Profile() if profile else None
    start = time.perf_counter()
    cursor: str | None = None
    pulled = pages = 0
    if prof:
        prof.enable()
    while True:
        params: dict[str, Any] = {"limit": MAX_PULL_LIMIT}
        if cursor:
            params["cursor"] = cursor
        r = client.get("/v1/sync/pull", params=params)
        r.raise_for_status()
        body = r.json()
        pulled += len(body["changes"])
        pages += 1
        cursor = body["cursor"]
        if not body["has_more"]:
            break
    if prof:
        prof.disable()
    seconds = time.perf_counter() - start
    print(f"pull of {pulled:,} changes (~{expected:,} seeded) in {pages} pages of "
          f"{MAX_PULL_LIMIT}: {seconds:.2f}s = {pulled / seconds:,.0f} changes/s, "
          f"{seconds / pages * 1000:.0f} ms/page")  # fmt: skip
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(35)


def bench_assign(hub: EmbeddedHub, n: int, from_rep: str, to_email: str) -> None:
    """`repdesk-hub assign --to EMAIL --where company=... --reassign` of n leads."""
    bulk_leads(hub, from_rep, n, events_per_lead=2, company="Assign Co")
    admin = Hub(hub.config, hub.state.db, hub.state.files)
    start = time.perf_counter()
    result = assign_by_rule(admin, to_email, [("company", "Assign Co")], reassign=True)
    seconds = time.perf_counter() - start
    print(f"assign {n:,} leads (2 events each) to another rep: {seconds:.2f}s = "
          f"{n / seconds:,.0f} leads/s ({result})")  # fmt: skip


@suite("hub_pg", ["hub.push_pg"])
def push_pg_suite(ctx: Context, scale: Scale) -> list[Figure]:
    """Pushes to the hub on PostgreSQL (a throw-away schema), batches of MAX_PUSH_BATCH."""
    if not ctx.pg_url:
        return [skipped("hub.push_pg", "mutations/s", scale, "REPDESK_TEST_PG_URL is unset")]
    n = 500 if ctx.quick else 10_000  # issue 9: 10k queued mutations
    with database_url(ctx.pg_url) as url:
        hub = EmbeddedHub(HubConfig.resolve(ctx.scratch("hub-pg"), database_url=url))
        base = hub.start()
        try:
            rep = seed.add_rep(hub.state.db, "rep@example.com", PASSWORD, "Pusher")
            seed.add_category(hub.state.db, "price", "Price")
            lead_ids = bulk_leads(hub, rep, 200)
            with closing(login(base, "rep@example.com")) as client:
                rates = [bench_push(client, n, lead_ids) for _ in range(ctx.runs)]
        finally:
            hub.stop()
            hub.state.db.dispose()
    return [figure("hub.push_pg", "mutations/s", scale, rates, mutations=n)]


REPS = 50
CONCURRENT_PUSH = 100

OWASP_MINIMUM = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
"""OWASP's minimum argon2id parameters (Password Storage Cheat Sheet: m=19 MiB, t=2, p=1),
the weakest strength it recommends; used only for the floor, never by the hub."""

# One TLS context for the load generator's clients: the hub is on http://, but httpx
# builds a context (loading the CA bundle, ~20 ms of CPU) for every client otherwise, and
# fifty of them took ~60% of the generator's CPU on the cores the hub and the sign-ins
# need (a real rep's machine pays that once, on its own core).
_LOADGEN_TLS = ssl.create_default_context()


async def one_rep(
    url: str,
    email: str,
    lead_ids: list[str],
    log: list[tuple[str, float, bool]],
    token: str | None = None,
) -> None:
    """A rep's session: login (unless given a `token`), a full pull, a push of
    CONCURRENT_PUSH mutations; every request's (kind, ms, ok) goes to `log`."""

    async def timed(kind: str, call: Any) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response: httpx.Response = await call
            ok = response.is_success
        except httpx.HTTPError:
            response, ok = None, False
        log.append((kind, (time.perf_counter() - started) * 1000, ok))
        return response if ok else None

    async with httpx.AsyncClient(base_url=url, timeout=120, verify=_LOADGEN_TLS) as client:
        if token is None:
            credentials = {"email": email, "password": PASSWORD}
            r = await timed("login", client.post("/v1/auth/login", json=credentials))
            if r is None:
                return
            token = orjson.loads(r.content)["token"]
        client.headers["Authorization"] = f"Bearer {token}"
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {
                "limit": MAX_PULL_LIMIT,
                **({"cursor": cursor} if cursor else {}),
            }
            r = await timed("pull", client.get("/v1/sync/pull", params=params))
            if r is None:
                return
            page = orjson.loads(r.content)  # the generator's CPU is not the hub's: the fast parser
            cursor = page["cursor"]
            if not page["has_more"]:
                break
        body = {"client_id": email, "mutations": mutations(CONCURRENT_PUSH, lead_ids)}
        await timed("push", client.post("/v1/sync/push", json=body))


def everyone_at_once(
    url: str, owned: dict[str, list[str]], tokens: dict[str, str] | None = None
) -> list[tuple[str, float, bool]]:
    """Every rep's session at the same moment; the log of every request."""
    log: list[tuple[str, float, bool]] = []

    async def run() -> None:
        await asyncio.gather(
            *(one_rep(url, e, ids, log, (tokens or {}).get(e)) for e, ids in owned.items())
        )

    asyncio.run(run())
    return log


class Floor(NamedTuple):
    p95_ms: float
    """p95 over all the requests, every one but the sign-ins taken as free."""
    login_p95_ms: float
    check_cpu_ms: float
    """CPU time of one argon2id check."""
    cores_for_target: float
    """Cores that TARGET_MS would need: the sign-ins that must end within it for the p95
    of all the requests to, times the CPU of each, over TARGET_MS."""


TARGET_MS = 300.0
"""Issue 9's target for every request's p95."""


def sign_in_floor(reps: int, other_requests: int, hasher: PasswordHasher | None = None) -> Floor:
    """What this machine allows at the hub's password strength, measured now: `reps`
    argon2id checks (the hub's own `verify_password`, or `hasher`'s) submitted at once to
    one thread per core, nothing else running, every other request taken as free (times
    in ms from the submission)."""
    stored = hasher.hash(PASSWORD) if hasher else hash_password(PASSWORD)
    verify = hasher.verify if hasher else verify_password
    cpu_before = cpu_seconds()
    start = time.perf_counter()

    def check(_: int) -> float:
        verify(stored, PASSWORD)
        return (time.perf_counter() - start) * 1000

    with ThreadPoolExecutor(len(os.sched_getaffinity(0))) as pool:
        done = list(pool.map(check, range(reps)))
    check_cpu_ms = (cpu_seconds() - cpu_before) * 1000 / reps
    requests = reps + other_requests
    # p95() takes the value at this index: at most `late` requests may end after it.
    late = requests - 1 - min(requests - 1, round(0.95 * (requests - 1)))
    must_end = max(0, reps - late)
    return Floor(
        p95(done + [0.0] * other_requests),
        p95(done),
        check_cpu_ms,
        must_end * check_cpu_ms / TARGET_MS,
    )


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user + system) of process `pid` from /proc, or of this process."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def signed_in(url: str, emails: list[str]) -> dict[str, str]:
    with httpx.Client(base_url=url, timeout=120) as client:
        return {
            e: client.post("/v1/auth/login", json={"email": e, "password": PASSWORD})
            .raise_for_status()
            .json()["token"]
            for e in emails
        }


@suite("hub_concurrent", ["hub.concurrent"])
def concurrent_suite(ctx: Context, scale: Scale) -> list[Figure]:
    """REPS reps at once (5 in a quick run) against one hub process (SQLite), each owning
    1/REPS of the scale's leads and events, each signing in, pulling everything and
    pushing CONCURRENT_PUSH: p95 of every request, and the failures (issue 9's figure).

    Beside it, in the same runs: the p95 of each kind of request; the floor (the p95 this
    machine allows when the sign-ins' argon2id checks are all that runs:
    `sign_in_floor`), the CPU of one check (`check_cpu_ms`) and the cores TARGET_MS would
    take (`cores_for_300ms`: the sign-ins that must end within it, times that CPU, over
    300 ms); the same at OWASP's minimum argon2id parameters (`floor_owasp_p95_ms`,
    `login_floor_owasp_p95_ms`, `check_owasp_cpu_ms`, `cores_for_300ms_owasp`: is the
    target out of reach even at the weakest recommended strength?); the CPU seconds of
    the hub process and of this one, the load generator, over a run (`hub_cpu_s`,
    `loadgen_cpu_s`, `loadgen_cpu_share`: the generator's share of the CPU both used, all
    of it taken from the cores the hub had); and `signed_in_p95_ms`, the same reps already
    signed in (a pull and a push each, at once), which shows what the hub does when no
    password is checked, with the hub's CPU seconds for it (`signed_in_hub_cpu_s`: the
    figure the load of other programs changes least)."""
    hub = HubProcess(ctx.scratch(f"hub-concurrent-{scale.name}"))
    try:
        seed.add_category(hub.state.db, "price", "Price")
        hashed = hash_password(PASSWORD)
        owned: dict[str, list[str]] = {}
        reps = 5 if ctx.quick else REPS
        for i in range(reps):
            email = f"rep{i}@example.com"
            rep = seed.add_rep(hub.state.db, email, PASSWORD, f"Rep {i}", password_hash=hashed)
            owned[email] = bulk_leads(hub, rep, scale.leads // REPS, scale.events_per_lead)  # type: ignore[arg-type]
        p95s, floors, errors = [], [], 0
        by_kind: dict[str, list[float]] = {}
        cpu: dict[str, list[float]] = {"hub": [], "loadgen": [], "signed_in_hub": []}
        checks: dict[str, list[float]] = {}
        for _ in range(ctx.runs):
            hub_cpu, loadgen_cpu = cpu_seconds(hub.pid), cpu_seconds()
            log = everyone_at_once(hub.url, owned)
            cpu["hub"].append(cpu_seconds(hub.pid) - hub_cpu)
            cpu["loadgen"].append(cpu_seconds() - loadgen_cpu)
            p95s.append(p95([ms for _kind, ms, _ok in log]))
            errors += sum(not ok for _kind, _ms, ok in log)
            for kind in ("login", "pull", "push"):
                by_kind.setdefault(kind, []).append(p95([ms for k, ms, _ in log if k == kind]))
            for suffix, hasher in (("", None), ("_owasp", OWASP_MINIMUM)):
                floor = sign_in_floor(reps, len(log) - reps, hasher)
                by_kind.setdefault(f"floor{suffix}", []).append(floor.p95_ms)
                by_kind.setdefault(f"login_floor{suffix}", []).append(floor.login_p95_ms)
                checks.setdefault(f"check{suffix}_cpu_ms", []).append(floor.check_cpu_ms)
                checks.setdefault(f"cores_for_300ms{suffix}", []).append(floor.cores_for_target)
            floors.append(by_kind["floor"][-1])
            tokens = signed_in(hub.url, list(owned))
            hub_cpu = cpu_seconds(hub.pid)
            warm = everyone_at_once(hub.url, owned, tokens)
            cpu["signed_in_hub"].append(cpu_seconds(hub.pid) - hub_cpu)
            errors += sum(not ok for _kind, _ms, ok in warm)
            by_kind.setdefault("signed_in", []).append(p95([ms for _k, ms, _ok in warm]))
        ctx.log(f"  p95 by kind: {by_kind}")
    finally:
        hub.stop()
    extra: dict[str, Any] = {
        **{f"{k}_p95_ms": statistics.median(v) for k, v in by_kind.items() if k != "floor"},
        **{k: round(statistics.median(v), 1) for k, v in checks.items()},
        "hub_cpu_s": statistics.median(cpu["hub"]),
        "signed_in_hub_cpu_s": statistics.median(cpu["signed_in_hub"]),
        "loadgen_cpu_s": statistics.median(cpu["loadgen"]),
        "loadgen_cpu_share": round(
            sum(cpu["loadgen"]) / (sum(cpu["loadgen"]) + sum(cpu["hub"]) or 1), 3
        ),
    }
    return [
        figure("hub.concurrent", "ms p95", scale, p95s, floors, reps=reps, errors=errors, **extra)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="a PostgreSQL URL (a temporary schema is used)")
    parser.add_argument("--push", type=int, nargs="*", default=[1000, 10_000])
    parser.add_argument("--pull", type=int, default=100_000, help="changes to pull (0: skip)")
    parser.add_argument("--assign", type=int, default=2000, help="leads to assign (0: skip)")
    parser.add_argument("--profile-pull", action="store_true", help="cProfile the pull")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    with (
        tempfile.TemporaryDirectory(prefix="bench-hub-") as tmp_name,
        database_url(args.pg) as url,
    ):
        tmp = Path(tmp_name)
        hub = EmbeddedHub(HubConfig.resolve(tmp / "hub", database_url=url))
        base = hub.start()
        print(f"hub on {base} ({'PostgreSQL' if url else 'SQLite'}); {os.cpu_count()} CPUs")
        try:
            db = hub.state.db
            rep = seed.add_rep(db, "rep@example.com", PASSWORD, "Pusher")
            puller = seed.add_rep(db, "puller@example.com", PASSWORD, "Puller")
            other = seed.add_rep(db, "other@example.com", PASSWORD, "Other")
            seed.add_category(db, "price", "Price")
            lead_ids = bulk_leads(hub, rep, 200)
            with closing(login(base, "rep@example.com")) as client:
                for n in args.push:
                    bench_push(client, n, lead_ids)
            if args.pull:
                bulk_leads(hub, puller, args.pull // 50, events_per_lead=49)
                with closing(login(base, "puller@example.com")) as client:
                    bench_pull(client, args.pull, args.profile_pull)
            if args.assign:
                bench_assign(hub, args.assign, other, "puller@example.com")
        finally:
            hub.stop()
            hub.state.db.dispose()


if __name__ == "__main__":
    main()
