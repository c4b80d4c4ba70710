"""Collateral download speed: the client's cache (`CollateralCache.fetch` through
`HubClient`: resumable download, fsync, sha256 check, atomic rename) against a plain
httpx stream of the same file into a file, from the same hub process, in the same run.

    .venv/bin/python benchmarks/run.py --only collateral
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import httpx

from repdesk.domain.leads import Collateral
from repdesk.sync.collateral import CollateralCache
from repdesk.sync.http import HubClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.bench_sync import PASSWORD, HubProcess  # noqa: E402
from benchmarks.harness import Context, Figure, Scale, figure, suite  # noqa: E402
from tests.support import hub_rows as seed  # noqa: E402


def plain_stream(url: str, token: str, sha: str, dest: Path) -> float:
    """Seconds for a plain httpx stream of the file into `dest` (the floor)."""
    started = time.perf_counter()
    headers = {"Authorization": f"Bearer {token}"}
    with (
        httpx.Client(base_url=url, headers=headers, timeout=120) as client,
        client.stream("GET", f"/v1/collateral/{sha}") as response,
        dest.open("wb") as out,
    ):
        response.raise_for_status()
        for chunk in response.iter_bytes():
            out.write(chunk)
    return time.perf_counter() - started


@suite("collateral", ["collateral.download"])
def collateral_suite(ctx: Context, scale: Scale) -> list[Figure]:
    tmp = ctx.scratch(f"collateral-{scale.name}")
    size = (8 if ctx.quick else 64) * 2**20
    content = random.Random(5).randbytes(size)
    hub = HubProcess(tmp / "hub")
    try:
        seed.add_rep(hub.state.db, "rep@example.com", PASSWORD, "Bench Rep")
        item_id, sha = seed.add_collateral(
            hub.state.db, hub.state.files, content, "Bench deck", "application/octet-stream"
        )
        item = Collateral(item_id, "Bench deck", sha, size, "application/octet-stream")
        with HubClient(hub.url) as client:
            token = client.login("rep@example.com", PASSWORD).token
        mb = size / 1e6
        cached, plain = [], []
        with HubClient(hub.url, token) as client:
            for run in range(ctx.runs):
                cache = CollateralCache(tmp / f"cache{run}", max_bytes=4 * size)
                started = time.perf_counter()
                cache.fetch(client, item)
                cached.append(mb / (time.perf_counter() - started))
                plain.append(mb / plain_stream(hub.url, token, sha, tmp / f"plain{run}"))
    finally:
        hub.stop()
    return [figure("collateral.download", "MB/s", scale, cached, plain, megabytes=mb)]
