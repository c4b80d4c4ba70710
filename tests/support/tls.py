"""Throwaway certificate authorities for TLS tests (trustme), and a hub served over https.

`TlsFiles` writes a CA and a server certificate for 127.0.0.1 signed by it into a test's
folder; `tls_hub` serves a real `EmbeddedHub` with that certificate on loopback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import trustme

from repdesk.hub.config import HubConfig
from repdesk.hub.embedded import EmbeddedHub


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
