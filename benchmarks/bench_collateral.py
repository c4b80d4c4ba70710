"""Collateral download speed: the client's cache (`CollateralCache.fetch` through
`HubClient`: resumable download, fsync, sha256 check, atomic rename) against a plain
httpx stream of the same file into a file, from the same hub process, in the same run;
once with the hub's files in a directory (`collateral.download`) and once in an S3 bucket
(`collateral.download_s3`: moto's S3 server in its own process on loopback), the two
hubs taking turns. `collateral.download_s3` also notes the bucket's own speed (a boto3
ranged-free GET streamed into a file, no hub between) and its ratio to the directory hub.

    .venv/bin/python benchmarks/run.py --only collateral
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
import httpx
from botocore.exceptions import EndpointConnectionError

from repdesk.domain.leads import Collateral
from repdesk.hub.config import FILES_S3_ENV, S3_ENDPOINT_ENV
from repdesk.sync.collateral import CollateralCache
from repdesk.sync.http import HubClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.bench_sync import PASSWORD, HubProcess  # noqa: E402
from benchmarks.harness import Context, Figure, Scale, figure, suite  # noqa: E402
from tests.support import hub_rows as seed  # noqa: E402

BUCKET = "repdesk-bench"
S3_ENV = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


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


@contextmanager
def moto_process() -> Iterator[str]:
    """moto's S3 server in its own process (its own GIL, like a real store); its URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        client = boto3.session.Session(**_session_args()).client("s3", endpoint_url=url)
        for _attempt in range(600):
            try:
                client.create_bucket(Bucket=BUCKET)
                break
            except EndpointConnectionError:
                if server.poll() is not None:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.05)  # the server process is still starting
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def _session_args() -> dict[str, str]:
    return {
        "aws_access_key_id": S3_ENV["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": S3_ENV["AWS_SECRET_ACCESS_KEY"],
        "region_name": S3_ENV["AWS_DEFAULT_REGION"],
    }


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """`values` in os.environ (the hub child inherits them), restored afterwards."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def direct_s3(endpoint: str, key: str, dest: Path) -> float:
    """Seconds for boto3 to stream the object from the bucket into `dest` (no hub)."""
    client = boto3.session.Session(**_session_args()).client("s3", endpoint_url=endpoint)
    started = time.perf_counter()
    body = client.get_object(Bucket=BUCKET, Key=key)["Body"]
    with dest.open("wb") as out:
        for chunk in body.iter_chunks(1024 * 1024):
            out.write(chunk)
    return time.perf_counter() - started


class Served:
    """A hub in its own process holding the bench file, and a signed-in rep's token."""

    def __init__(self, home: Path, content: bytes) -> None:
        self.hub = HubProcess(home)
        seed.add_rep(self.hub.state.db, "rep@example.com", PASSWORD, "Bench Rep")
        item_id, self.sha = seed.add_collateral(
            self.hub.state.db,
            self.hub.state.files,
            content,
            "Bench deck",
            "application/octet-stream",
        )
        self.item = Collateral(
            item_id, "Bench deck", self.sha, len(content), "application/octet-stream"
        )
        with HubClient(self.hub.url) as client:
            self.token = client.login("rep@example.com", PASSWORD).token

    def cached(self, cache_dir: Path) -> float:
        """Seconds for the client's cache to fetch the file."""
        cache = CollateralCache(cache_dir, max_bytes=4 * self.item.size)
        with HubClient(self.hub.url, self.token) as client:
            started = time.perf_counter()
            cache.fetch(client, self.item)
            return time.perf_counter() - started

    def plain(self, dest: Path) -> float:
        return plain_stream(self.hub.url, self.token, self.sha, dest)


@suite("collateral", ["collateral.download", "collateral.download_s3"])
def collateral_suite(ctx: Context, scale: Scale) -> list[Figure]:
    tmp = ctx.scratch(f"collateral-{scale.name}")
    size = (8 if ctx.quick else 64) * 2**20
    content = random.Random(5).randbytes(size)
    mb = size / 1e6
    samples: dict[str, list[float]] = {
        k: [] for k in ("dir", "dir_plain", "s3", "s3_plain", "bucket")
    }
    with moto_process() as endpoint:
        directory = Served(tmp / "hub", content)
        s3_env = {**S3_ENV, FILES_S3_ENV: f"s3://{BUCKET}/bench", S3_ENDPOINT_ENV: endpoint}
        with environment(s3_env):
            bucket = Served(tmp / "hub-s3", content)
        key = f"bench/collateral/{bucket.sha[:2]}/{bucket.sha}"
        try:
            for run in range(ctx.runs):  # the two hubs take turns, so load hits both alike
                samples["dir"].append(mb / directory.cached(tmp / f"cache-dir{run}"))
                samples["dir_plain"].append(mb / directory.plain(tmp / f"plain-dir{run}"))
                samples["s3"].append(mb / bucket.cached(tmp / f"cache-s3{run}"))
                samples["s3_plain"].append(mb / bucket.plain(tmp / f"plain-s3{run}"))
                samples["bucket"].append(mb / direct_s3(endpoint, key, tmp / f"direct{run}"))
        finally:
            directory.hub.stop()
            bucket.hub.stop()
    s3 = figure(
        "collateral.download_s3",
        "MB/s",
        scale,
        samples["s3"],
        samples["s3_plain"],
        note="floor: plain httpx stream from the same S3-backed hub",
        megabytes=mb,
        bucket_direct_mb_s=round(sorted(samples["bucket"])[len(samples["bucket"]) // 2], 1),
        vs_directory=round(
            sorted(samples["s3"])[len(samples["s3"]) // 2]
            / sorted(samples["dir"])[len(samples["dir"]) // 2],
            2,
        ),
    )
    return [
        figure(
            "collateral.download", "MB/s", scale, samples["dir"], samples["dir_plain"], megabytes=mb
        ),
        s3,
    ]
