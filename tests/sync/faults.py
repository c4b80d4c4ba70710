"""Precise fault injection between the client and the REAL hub: an httpx transport that
forwards every request over a real socket and then, for one chosen exchange, breaks the
answer (lost after the hub applied it, or cut mid-body)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

Fault = Callable[[httpx.Request, httpx.Response], httpx.Response]


@dataclass
class Exchange:
    method: str
    path: str
    headers: dict[str, str]
    status: int
    params: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None


@dataclass
class Tap(httpx.BaseTransport):
    """Forwards to the hub; `faults[(method, path_prefix)]` fire once each, in order."""

    inner: httpx.HTTPTransport = field(default_factory=httpx.HTTPTransport)
    faults: dict[tuple[str, str], list[Fault]] = field(default_factory=dict)
    exchanges: list[Exchange] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, method: str, path_prefix: str, fault: Fault) -> None:
        with self._lock:
            self.faults.setdefault((method, path_prefix), []).append(fault)

    def _fault_for(self, request: httpx.Request) -> Fault | None:
        with self._lock:
            for (method, prefix), queue in self.faults.items():
                if request.method == method and request.url.path.startswith(prefix) and queue:
                    return queue.pop(0)
        return None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        exchange = Exchange(
            request.method,
            request.url.path,
            {k.lower(): v for k, v in request.headers.items()},
            response.status_code,
            dict(request.url.params),
        )
        with self._lock:
            self.exchanges.append(exchange)
        fault = self._fault_for(request)
        if request.method == "POST":
            # Small JSON answers are read here so tests can see what the hub said.
            exchange.body = response.read()
            response = httpx.Response(
                response.status_code, headers=response.headers, content=exchange.body
            )
        if fault is not None:
            return fault(request, response)
        return response

    def close(self) -> None:
        self.inner.close()

    def json_bodies(self, method: str, path: str) -> list[Any]:
        return [
            json.loads(e.body or b"null")
            for e in self.exchanges
            if (e.method, e.path) == (method, path)
        ]

    def requests_to(self, method: str, prefix: str) -> list[Exchange]:
        return [e for e in self.exchanges if e.method == method and e.path.startswith(prefix)]


def lose_response(request: httpx.Request, response: httpx.Response) -> httpx.Response:
    """The hub answered (and committed); the connection drops before the client reads it."""
    response.read()
    response.close()
    raise httpx.ReadError("connection lost after the hub answered", request=request)


class _CutStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, keep: int, request: httpx.Request) -> None:
        self.inner, self.keep, self.request = inner, keep, request

    def __iter__(self) -> Iterator[bytes]:
        sent = 0
        for chunk in self.inner:
            room = self.keep - sent
            if room <= 0:
                break
            yield chunk[:room]
            sent += min(len(chunk), room)
        raise httpx.ReadError("connection dropped mid-download", request=self.request)

    def close(self) -> None:
        self.inner.close()


def cut_body_after(keep: int) -> Fault:
    """The body stops after `keep` bytes with a broken connection."""

    def fault(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        stream = response.stream
        assert isinstance(stream, httpx.SyncByteStream)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_CutStream(stream, keep, request),
            request=request,
        )

    return fault


def replace_with(status: int, body: bytes, headers: dict[str, str] | None = None) -> Fault:
    """The hub's real answer is dropped and this one given instead (a proxy's 503, say)."""

    def fault(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        response.read()
        response.close()
        return httpx.Response(status, headers=headers or {}, content=body, request=request)

    return fault
