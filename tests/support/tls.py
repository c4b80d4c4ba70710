"""TLS for tests (a pytest plugin, registered in tests/conftest.py).

- `untrusted_tls_server` (fixture): a real HTTPS server on loopback whose self-signed
  certificate no CA vouches for.
- `TlsFiles`: throwaway certificate authorities (trustme): a CA and a server certificate
  for 127.0.0.1 signed by it, written into a test's folder; `tls_hub` serves a real
  `EmbeddedHub` with that certificate on loopback.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import trustme

from repdesk.hub.config import HubConfig
from repdesk.hub.embedded import EmbeddedHub


class _Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def untrusted_tls_server(tmp_path: Path) -> Iterator[str]:
    """The server's https:// URL. It answers 200 to a GET, for a client that would trust
    it; a client that verifies certificates never gets that far."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@dataclass(frozen=True)
class TlsFiles:
    ca_pem: Path
    """The authority's certificate: what a client must trust."""
    server_pem: Path
    """The server's key and certificate chain, signed by the authority."""

    @classmethod
    def make(cls, folder: Path, name: str = "company-ca") -> TlsFiles:
        folder.mkdir(parents=True, exist_ok=True)
        ca = trustme.CA(organization_name=name)
        server = ca.issue_cert("127.0.0.1", "localhost")
        files = cls(folder / f"{name}.pem", folder / f"{name}-server.pem")
        ca.cert_pem.write_to_path(str(files.ca_pem))
        server.private_key_and_cert_chain_pem.write_to_path(str(files.server_pem))
        return files


@contextmanager
def tls_hub(config: HubConfig, files: TlsFiles) -> Iterator[EmbeddedHub]:
    """A real hub on https://127.0.0.1:<port> whose certificate `files.ca_pem` signed."""
    hub = EmbeddedHub(config, tls=(str(files.server_pem), str(files.server_pem)))
    hub.start()
    try:
        yield hub
    finally:
        hub.stop()
