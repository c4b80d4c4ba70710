"""How the hub is put on the network: uvicorn's settings (proxy headers off unless the
operator names the proxy) and a clear message for a port that is taken."""

from __future__ import annotations

import errno
import socket
from typing import Any

import uvicorn

from repdesk.domain.errors import RepdeskError


class ServeError(RepdeskError):
    """The hub cannot listen where the operator asked."""


def uvicorn_config(
    app: Any, host: str, port: int, *, forwarded_allow_ips: str | None = None, **extra: Any
) -> uvicorn.Config:
    """uvicorn's config for the hub.

    `X-Forwarded-For` / `X-Forwarded-Proto` are honoured only from the addresses in
    `forwarded_allow_ips` (comma-separated IPs or networks, `*` for any); by default no
    proxy is trusted, so the client address (what sign-in throttling counts) is the TCP
    peer and cannot be chosen by whoever sends the request.
    """
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


__all__ = ["ServeError", "check_port_free", "uvicorn_config"]
