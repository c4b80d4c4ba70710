"""The workspace's signing key (kept in `hub_meta`, made once per hub) and HMAC helpers for
the values it hands to browsers outside a session: the sign-in form token and flash
messages."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from sqlalchemy.orm import Session

from repdesk.hub.db.models import HubMeta

SECRET_KEY = "workspace_secret"


def load_or_create_secret(session: Session) -> bytes:
    """This hub's workspace signing key (in a writing transaction: made on first use)."""
    row = session.get(HubMeta, SECRET_KEY)
    if row is None:
        row = HubMeta(key=SECRET_KEY, value=secrets.token_hex(32))
        session.add(row)
        session.flush()
    return bytes.fromhex(row.value)


def sign(secret: bytes, purpose: str, value: str) -> str:
    """A URL-safe MAC of `value` for `purpose` (a MAC for one purpose never passes another)."""
    mac = hmac.new(secret, f"{purpose}\0{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def verify(secret: bytes, purpose: str, value: str, mac: str) -> bool:
    return bool(value) and hmac.compare_digest(sign(secret, purpose, value), mac)


__all__ = ["SECRET_KEY", "load_or_create_secret", "sign", "verify"]
