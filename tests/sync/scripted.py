"""A tiny real HTTP server on loopback that answers from a script (junk, 5xx, 429, ranges).

Used where the test needs the hub to misbehave in one precise way; everything else runs
against the real hub (EmbeddedHub).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    cut_after: int | None = None
    """Close the connection after this many body bytes (a truncated transfer)."""


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    """Lower-cased names."""
    body: bytes


Handler = Callable[[Seen], Reply]


class ScriptedServer:
    def __init__(self) -> None:
        self.replies: dict[tuple[str, str], deque[Reply | Handler]] = {}
        self.default: Reply | Handler = Reply(404, b'{"error":{"code":"not_found","message":"no"}}')
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        # A client that gave up (a timeout test) makes writes fail; that is expected here.
        self._httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, method: str, path: str, *replies: Reply | Handler) -> None:
        with self._lock:
            self.replies.setdefault((method, path), deque()).extend(replies)

    def requests(self, method: str, path: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.method == method and s.path == path]

    def _next(self, seen: Seen) -> Reply:
        with self._lock:
            self.seen.append(seen)
            queue = self.replies.get((seen.method, seen.path))
            reply = queue.popleft() if queue else self.default
        return reply(seen) if callable(reply) else reply

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?", 1)[0]
                lowered = {k.lower(): v for k, v in self.headers.items()}
                seen = Seen(self.command, path, lowered, body)
                reply = server._next(seen)
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json", **reply.headers}
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(reply.body)))
                if reply.cut_after is not None:
                    self.send_header("Connection", "close")
                self.end_headers()
                if self.command == "HEAD":
                    return
                if reply.cut_after is not None:
                    self.wfile.write(reply.body[: reply.cut_after])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(reply.body)

            do_GET = do_POST = do_HEAD = _serve  # noqa: N815

        return _Handler

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


@contextmanager
def scripted_server() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def ranged_file(data: bytes, etag: str, media_type: str = "application/pdf") -> Handler:
    """Serves `data` like the hub's collateral endpoint: Range + If-Range (206) or 200."""

    def handle(seen: Seen) -> Reply:
        base = {"ETag": etag, "Content-Type": media_type, "Accept-Ranges": "bytes"}
        rng = seen.headers.get("range")
        if_range = seen.headers.get("if-range")
        if rng and (if_range is None or if_range == etag):
            start = int(rng.split("=", 1)[1].split("-", 1)[0])
            if start >= len(data):
                return Reply(416, b"", {"Content-Range": f"bytes */{len(data)}"})
            content_range = f"bytes {start}-{len(data) - 1}/{len(data)}"
            return Reply(206, data[start:], {**base, "Content-Range": content_range})
        return Reply(200, data, base)

    return handle
