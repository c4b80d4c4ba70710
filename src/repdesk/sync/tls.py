"""TLS for the hub connection: the operating system's trust store, plus the hub's own CA.

Certificates are verified against the trust store of the operating system (through
`truststore`: Keychain on macOS, the Windows certificate store, the system OpenSSL
locations on Linux, which honour `SSL_CERT_FILE` / `SSL_CERT_DIR`), so a hub whose
certificate comes from the company's own authority works wherever IT made the computer
trust it. A per-hub CA file (setting `hub_ca_file`) is trusted on top of that, never
instead of it. There is deliberately no way to turn verification off.
"""

from __future__ import annotations

import os
import ssl
import threading
from pathlib import Path

import truststore

from repdesk.domain.errors import ValidationError
from repdesk.store.settings import ca_file_problem

CaKey = tuple[str, int, int] | None
"""A CA file as (path, mtime_ns, size), or None for none: a changed file is a new key."""

_contexts: dict[CaKey, ssl.SSLContext] = {}
_contexts_lock = threading.Lock()


def ca_key(ca_file: str | Path | None) -> CaKey:
    """What identifies the CA file's current contents; a file that cannot be read gets a
    key of its own (so `client_context` reports the problem instead of a cached context)."""
    if not ca_file:
        return None
    try:
        st = os.stat(ca_file)
    except OSError:
        return (str(ca_file), -1, -1)
    return (str(ca_file), st.st_mtime_ns, st.st_size)


def client_context(ca_file: str | Path | None = None) -> ssl.SSLContext:
    """A client context that verifies the hub against the OS trust store (+ `ca_file`).

    Built once per CA file version (path, modification time, size) and then shared: a new
    context per connection re-read the CA file every sync. Raises ValidationError, in
    words, when the CA file cannot be used (never cached).
    """
    key = ca_key(ca_file)
    with _contexts_lock:
        cached = _contexts.get(key)
        if cached is not None:
            return cached
        context = _new_context(ca_file)
        if len(_contexts) >= 8:  # a rep who keeps choosing files: never grows without bound
            _contexts.clear()
        _contexts[key] = context
        return context


def _new_context(ca_file: str | Path | None) -> ssl.SSLContext:
    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca_file:
        problem = ca_file_problem(str(ca_file))
        if problem:
            raise ValidationError(problem)
        context.load_verify_locations(cafile=str(ca_file))
    return context


__all__ = ["CaKey", "ca_key", "client_context"]
