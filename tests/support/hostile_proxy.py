"""A hostile HTTP proxy on loopback, between a real client and the real hub.

Each request is read whole, then `decide()` picks what happens to it:

- `pass`: forwarded; the hub's answer relayed unchanged.
- `reset_before`: the connection is reset (RST) before the hub sees the request.
- `reset_after`: forwarded (the hub applies it), then the connection is reset: the answer
  is lost.
- `truncate`: forwarded, then only the first half of the hub's answer is relayed.
- `429` / `503`: answered by the proxy with `Retry-After` (a rate limiter, a restarting
  upstream).
- `html`: a 502 HTML error page, as a reverse proxy shows; `html200`: a 200 HTML page, as
  a captive portal does.
- `silent`: the request is read and never answered (until the client gives up).

`served` counts what was done. One connection per request (`Connection: close` upstream).
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
from collections import Counter
from collections.abc import Callable

FAULTS = ("reset_before", "reset_after", "truncate", "429", "503", "html", "html200", "silent")

RETRY_AFTER = {"429": 7.0, "503": 3.0}
_PAGES = {
    "429": ("429 Too Many Requests", "text/plain", b"slow down"),
    "503": ("503 Service Unavailable", "text/plain", b"maintenance"),
    "html": ("502 Bad Gateway", "text/html", b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
    "html200": ("200 OK", "text/html", b"<html><body>Sign in to the guest Wi-Fi</body></html>"),
}


def _canned(action: str) -> bytes:
    status, media_type, body = _PAGES[action]
    head = [f"HTTP/1.1 {status}", f"Content-Type: {media_type}", f"Content-Length: {len(body)}"]
    if action in RETRY_AFTER:
        head.append(f"Retry-After: {RETRY_AFTER[action]:.0f}")
    return ("\r\n".join([*head, "Connection: close"]) + "\r\n\r\n").encode() + body


def _read_request(conn: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    lines = [
        line
        for line in head.split(b"\r\n")
        if line.split(b":", 1)[0].strip().lower() not in (b"connection", b"keep-alive")
    ]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body


def _reset(conn: socket.socket) -> None:
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


class HostileProxy:
    def __init__(self, upstream_port: int, decide: Callable[[bytes], str]) -> None:
        self.upstream_port = upstream_port
        self.decide = decide
        self.served: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._silenced: list[socket.socket] = []
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._handle(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _forward(self, request: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=60) as up:
            up.sendall(request)
            answer = b""
            while chunk := up.recv(65536):
                answer += chunk
        return answer

    def _handle(self, conn: socket.socket) -> None:
        request = _read_request(conn)
        if request is None:
            return
        action = self.decide(request)
        with self._lock:
            self.served[action] += 1
        if action == "reset_before":
            _reset(conn)
        elif action in _PAGES:
            conn.sendall(_canned(action))
        elif action == "silent":
            with self._lock:
                self._silenced.append(conn)
            conn.recv(1)  # held until the client gives up (or the proxy stops)
        else:
            answer = self._forward(request)
            if action == "reset_after":
                _reset(conn)
            elif action == "truncate":
                conn.sendall(answer[: max(1, len(answer) // 2)])
            else:
                conn.sendall(answer)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            for conn in self._silenced:
                conn.close()
