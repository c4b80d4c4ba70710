"""`hub.scaleout`: push throughput of one hub on PostgreSQL served by 1 and by 2 processes
(`repdesk-hub serve --workers N`), in the same run (prints; not a test).

    REPDESK_TEST_PG_URL=postgresql+psycopg://... .venv/bin/python benchmarks/bench_scaleout.py

REPS reps push at once, each its own leads, BATCHES batches of MAX_PUSH_BATCH mutations
(call notes and objections), over loopback HTTP from one asyncio load generator in this
process. Both servers run side by side on one throw-away schema and take turns, run by
run, so they share the machine's noise. value = mutations/s with 2 processes, floor = with
1 process, ratio = value / floor (above 1: the second process helped).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

from repdesk.hub import admin
from repdesk.hub.auth import hash_password
from repdesk.hub.config import DATABASE_ENV, HubConfig
from repdesk.protocol.schema import MAX_PUSH_BATCH

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.bench_hub import PASSWORD, database_url, mutations  # noqa: E402
from benchmarks.harness import Context, Figure, Scale, figure, skipped, suite  # noqa: E402
from tests.support import hub_rows as seed  # noqa: E402

REPS = 8
LEADS_PER_REP = 25
BATCHES = 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(config: HubConfig, workers: int) -> Iterator[str]:
    """`repdesk-hub serve --workers N` in a subprocess; yields its base URL once it answers.
    Its errors go to a file (a pipe nobody reads would fill and stall the server)."""
    port = _free_port()
    errors = config.home / f"serve-{workers}.err"
    command = [sys.executable, "-m", "repdesk.hub.cli", "--home", str(config.home)]
    command += ["serve", "--workers", str(workers), "--port", str(port)]
    with errors.open("w") as err:
        proc = subprocess.Popen(
            command,
            env={**os.environ, DATABASE_ENV: config.database_url},
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(1200):
            try:
                httpx.get(f"{base}/v1/sync/meta", timeout=10).raise_for_status()
                break
            except httpx.TransportError:
                try:  # paces the retries and notices a server that died on start-up
                    proc.wait(timeout=0.05)
                except subprocess.TimeoutExpired:
                    continue
                raise RuntimeError(errors.read_text()[-3000:]) from None
        else:
            raise RuntimeError("the hub did not start listening")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def seed_reps(config: HubConfig, reps: int) -> dict[str, list[str]]:
    """email -> lead ids, each rep owning LEADS_PER_REP leads."""
    hashed = hash_password(PASSWORD)
    owned: dict[str, list[str]] = {}
    with admin.open_hub(config) as hub:
        for i in range(reps):
            email = f"rep{i}@example.com"
            rep = seed.add_rep(hub.db, email, PASSWORD, f"Rep {i}", password_hash=hashed)
            owned[email] = [seed.add_lead(hub.db, rep) for _ in range(LEADS_PER_REP)]
    return owned


async def push_all(base: str, owned: dict[str, list[str]], batches: int) -> float:
    """Every rep pushes `batches` full batches at once; returns mutations/s (wall clock,
    from the first push to the last answer; sign-in and batch building excluded)."""
    clients: list[tuple[httpx.AsyncClient, list[dict[str, Any]]]] = []
    for email, leads in owned.items():
        client = httpx.AsyncClient(base_url=base, timeout=600)
        r = await client.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
        r.raise_for_status()
        client.headers["Authorization"] = f"Bearer {r.json()['token']}"
        clients.append((client, mutations(batches * MAX_PUSH_BATCH, leads)))

    async def one(client: httpx.AsyncClient, muts: list[dict[str, Any]]) -> None:
        for at in range(0, len(muts), MAX_PUSH_BATCH):
            body = {"client_id": "bench", "mutations": muts[at : at + MAX_PUSH_BATCH]}
            r = await client.post("/v1/sync/push", json=body)
            r.raise_for_status()
            assert {x["status"] for x in r.json()["results"]} == {"applied"}

    try:
        start = time.perf_counter()
        await asyncio.gather(*(one(c, m) for c, m in clients))
        seconds = time.perf_counter() - start
    finally:
        for client, _ in clients:
            await client.aclose()
    return sum(len(m) for _, m in clients) / seconds


def measure(pg_url: str, work: Path, runs: int, reps: int, batches: int) -> dict[int, list[float]]:
    rates: dict[int, list[float]] = {1: [], 2: []}
    with database_url(pg_url) as url:
        assert url is not None
        config = HubConfig.resolve(work / "hub-scaleout", database_url=url)
        admin.init_hub(config)
        owned = seed_reps(config, reps)
        with ExitStack() as servers:
            bases = {n: servers.enter_context(serving(config, n)) for n in (1, 2)}
            asyncio.run(push_all(bases[2], owned, 1))  # both workers warm, imports done
            asyncio.run(push_all(bases[1], owned, 1))
            for _ in range(runs):
                for n in (1, 2):  # taking turns: both see the same noise
                    rates[n].append(asyncio.run(push_all(bases[n], owned, batches)))
    return rates


@suite("hub_scaleout", ["hub.scaleout"])
def scaleout_suite(ctx: Context, scale: Scale) -> list[Figure]:
    if not ctx.pg_url:
        return [skipped("hub.scaleout", "mutations/s", scale, "REPDESK_TEST_PG_URL is unset")]
    reps, batches = (2, 1) if ctx.quick else (REPS, BATCHES)
    rates = measure(ctx.pg_url, ctx.scratch("scaleout"), ctx.runs, reps, batches)
    ctx.log(f"  mutations/s, 1 process: {rates[1]}; 2 processes: {rates[2]}")
    return [
        figure(
            "hub.scaleout",
            "mutations/s",
            scale,
            rates[2],
            rates[1],
            note="value: 2 hub processes; floor: 1 process; same run, taking turns",
            reps=reps,
            mutations_per_run=reps * batches * MAX_PUSH_BATCH,
            cores=os.cpu_count(),
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=os.environ.get("REPDESK_TEST_PG_URL"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reps", type=int, default=REPS)
    parser.add_argument("--batches", type=int, default=BATCHES)
    args = parser.parse_args()
    if not args.pg:
        raise SystemExit("give --pg or set REPDESK_TEST_PG_URL")
    import tempfile

    with tempfile.TemporaryDirectory() as work:
        rates = measure(args.pg, Path(work), args.runs, args.reps, args.batches)
    for n, values in rates.items():
        print(f"{n} process(es): " + ", ".join(f"{v:,.0f}" for v in values) + " mutations/s")


if __name__ == "__main__":
    main()
