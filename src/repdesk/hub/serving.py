"""How the hub is put on the network: uvicorn's settings (proxy headers off unless the
operator names the proxy), a clear message for a port that is taken, and
`serve --workers N` (`serve_workers`): the parent has already migrated and pruned
(`repdesk.hub.app.start_upkeep`), binds the socket and starts N uvicorn worker processes,
each building its app with `worker_app` (no migration, no pruning: it refuses a database
below the newest schema instead)."""

from __future__ import annotations

import errno
import gc
import os
import socket
from typing import Any

import uvicorn

from repdesk.domain.errors import RepdeskError
from repdesk.hub.config import HubConfig
from repdesk.hub.db.engine import is_sqlite


class ServeError(RepdeskError):
    """The hub cannot listen where the operator asked."""


GC_GEN0_THRESHOLD = 10_000
"""The hub process's gen-0 garbage-collection threshold (CPython's default is 700)."""


def tune_gc() -> None:
    """A pull page makes some 100k short-lived containers (rows, data dicts) that live
    until its body is written; at CPython's default threshold the collector walked them
    again and again: a quarter of the hub's CPU for a first sync's 5,000-change page (M:
    88 -> 66 ms a page, the same as with collection off). Raised once per hub process,
    never lowered (`serve`, each worker, the embedded hub)."""
    gen0, gen1, gen2 = gc.get_threshold()
    if 0 < gen0 < GC_GEN0_THRESHOLD:
        gc.set_threshold(GC_GEN0_THRESHOLD, gen1, gen2)


def uvicorn_config(
    app: Any, host: str, port: int, *, forwarded_allow_ips: str | None = None, **extra: Any
) -> uvicorn.Config:
    """uvicorn's config for the hub.

    `X-Forwarded-For` / `X-Forwarded-Proto` are honoured only from the addresses in
    `forwarded_allow_ips` (comma-separated IPs or networks, `*` for any); by default no
    proxy is trusted, so the client address (what sign-in throttling counts) is the TCP
    peer and cannot be chosen by whoever sends the request.
    """
    tune_gc()
    ips = (forwarded_allow_ips or "").strip()
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        proxy_headers=bool(ips),
        # A value, even when off: uvicorn would otherwise read $FORWARDED_ALLOW_IPS.
        forwarded_allow_ips=ips or "",
        **extra,
    )


WORKER_APP = "repdesk.hub.serving:worker_app"
WORKER_HEALTHCHECK_SECONDS = 60


def worker_app() -> Any:
    """uvicorn's app factory in each worker process: the hub its parent exported to the
    environment (`HubConfig.environment`)."""
    from repdesk.hub.app import create_app
    from repdesk.hub.config import HubConfig

    tune_gc()
    return create_app(HubConfig.resolve(), migrate=False)


def serve_workers(
    config: HubConfig,
    host: str,
    port: int,
    workers: int,
    *,
    forwarded_allow_ips: str | None = None,
    **extra: Any,
) -> None:
    """Serve with `workers` processes on one socket until stopped (Ctrl+C / SIGTERM)."""
    from uvicorn.supervisors import Multiprocess

    if is_sqlite(config.database_url):
        raise ServeError(
            "--workers above 1 needs PostgreSQL (set REPDESK_HUB_DATABASE_URL): "
            "a SQLite hub has one writer per file and serves from one process."
        )
    os.environ.update(config.environment())
    settings = uvicorn_config(
        WORKER_APP,
        host,
        port,
        forwarded_allow_ips=forwarded_allow_ips,
        factory=True,
        workers=workers,
        # The supervisor kills a worker whose health-check thread does not answer in
        # time; a worker busy with pushes on a loaded machine can take seconds to get
        # the GIL, and a killed worker resets every connection it held.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        **extra,
    )
    sock = settings.bind_socket()
    try:
        Multiprocess(settings, sockets=[sock]).run()
    finally:
        sock.close()


def check_port_free(host: str, port: int) -> None:
    """Bind once ourselves so a taken port is one clear sentence, not a uvicorn traceback."""
    if not 0 <= port <= 65535:
        raise ServeError(f"--port {port} is not a port number (0-65535).")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ServeError(f"Cannot serve on {host!r}: {exc.strerror}.") from exc
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ServeError(
                    f"Port {port} on {host} is already in use: stop the other program "
                    "or choose another with --port."
                ) from exc
            raise ServeError(f"Cannot serve on {host}:{port}: {exc.strerror or exc}.") from exc


__all__ = [
    "tune_gc",
    "WORKER_APP",
    "ServeError",
    "check_port_free",
    "serve_workers",
    "uvicorn_config",
    "worker_app",
]
