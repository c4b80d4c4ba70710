"""Browser sessions of workspace users: a random cookie token of which only the sha256 is
stored (`WebSession`), a CSRF token per session, an absolute lifetime and idle expiry."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from repdesk.domain.ids import utcnow
from repdesk.hub.auth import token_hash
from repdesk.hub.db.models import User, WebSession

LIFETIME = timedelta(hours=12)
"""A session ends this long after sign-in, however busy (a working day)."""
IDLE_TIMEOUT = timedelta(hours=2)
"""... or this long after its last request."""
SEEN_PRECISION = timedelta(minutes=1)
"""`last_seen_at` is written at most this often per session (SQLite has one writer)."""
MAX_TOKEN_LENGTH = 200


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who a live session belongs to (plain values: no ORM object leaves a transaction)."""

    session_id: int
    user_id: str
    email: str
    name: str
    role: str
    csrf_token: str
    stale: bool
    """`last_seen_at` is older than SEEN_PRECISION: the caller should `mark_seen`."""

    @property
    def display_name(self) -> str:
        return self.name or self.email


def start_session(
    session: Session, user: User, *, address: str = "", now: datetime | None = None
) -> str:
    """A new session for `user`; returns the cookie token (only its hash is stored)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=token_hash(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + LIFETIME,
            last_seen_at=now,
            client_address=address[:64],
        )
    )
    session.flush()
    return token


def find_session(session: Session, token: str, now: datetime | None = None) -> SignedIn | None:
    """The live session of an enabled user for this cookie token, else None (unknown,
    revoked, expired, idle too long, or the user was disabled)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    now = now or utcnow()
    row = (
        session.execute(
            select(WebSession, User)
            .join(User, User.id == WebSession.user_id)
            .where(WebSession.token_hash == token_hash(token))
        )
        .tuples()
        .first()
    )
    if row is None:
        return None
    web, user = row
    if (
        web.revoked_at is not None
        or web.expires_at <= now
        or web.last_seen_at + IDLE_TIMEOUT <= now
        or user.disabled
    ):
        return None
    return SignedIn(
        session_id=web.id,
        user_id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        csrf_token=web.csrf_token,
        stale=now - web.last_seen_at >= SEEN_PRECISION,
    )


def mark_seen(session: Session, session_id: int, now: datetime | None = None) -> None:
    """Push the idle expiry back (unless another request just did)."""
    now = now or utcnow()
    session.execute(
        update(WebSession)
        .where(
            WebSession.id == session_id,
            WebSession.last_seen_at <= now - SEEN_PRECISION,
        )
        .values(last_seen_at=now)
    )


def end_session(session: Session, token: str, now: datetime | None = None) -> bool:
    """Revoke the session of this cookie token (sign-out); False if there was none live."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return False
    result = session.execute(
        update(WebSession)
        .where(WebSession.token_hash == token_hash(token), WebSession.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )
    return bool(getattr(result, "rowcount", 0))


__all__ = [
    "IDLE_TIMEOUT",
    "LIFETIME",
    "SEEN_PRECISION",
    "SignedIn",
    "end_session",
    "find_session",
    "mark_seen",
    "start_session",
]
