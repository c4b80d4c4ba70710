"""TLS for the hub connection: the operating system's trust store, plus the hub's own CA.

Certificates are verified against the trust store of the operating system (through
`truststore`: Keychain on macOS, the Windows certificate store, the system OpenSSL
locations on Linux, which honour `SSL_CERT_FILE` / `SSL_CERT_DIR`), so a hub whose
certificate comes from the company's own authority works wherever IT made the computer
trust it. A per-hub CA file (setting `hub_ca_file`) is trusted on top of that, never
instead of it. There is deliberately no way to turn verification off.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import truststore

from repdesk.domain.errors import ValidationError
from repdesk.store.settings import ca_file_problem


def client_context(ca_file: str | Path | None = None) -> ssl.SSLContext:
    """A client context that verifies the hub against the OS trust store (+ `ca_file`).

    Raises ValidationError, in words, when the CA file cannot be used.
    """
    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca_file:
        problem = ca_file_problem(str(ca_file))
        if problem:
            raise ValidationError(problem)
        context.load_verify_locations(cafile=str(ca_file))
    return context


__all__ = ["client_context"]
