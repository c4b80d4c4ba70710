"""Passwords, bearer tokens and sign-in throttling (used by the API and the admin CLI).

Passwords are argon2id hashes (argon2-cffi); tokens are 256-bit random strings of which
only the sha256 is stored. Throttling counts failed sign-ins per account and per address
within a sliding window; each attempt is counted (as a failure until it succeeds) in the
same writing transaction as the check.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from repdesk.domain.ids import utcnow
from repdesk.hub.config import LoginThrottle
from repdesk.hub.db.models import LoginAttempt, Rep, Token

log = logging.getLogger(__name__)

_hasher = PasswordHasher()
# Verified against when the account does not exist, so timing does not reveal which
# emails have an account.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def normalize_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(
    session: Session, rep: Rep, ttl: timedelta, *, address: str = "", now: datetime | None = None
) -> str:
    """Create a bearer token for `rep`; returns the token (only its hash is stored).

    The sign-in is the token's first use (`last_used_at`): the requests that follow it
    within TOKEN_USE_PRECISION write nothing, where fifty reps signing in at once and
    pulling made fifty more writes queued with their pushes for SQLite's one writer."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    session.add(
        Token(
            token_hash=token_hash(token),
            rep_id=rep.id,
            created_at=now,
            expires_at=now + ttl,
            last_used_at=now,
            client_address=address[:64],
        )
    )
    session.flush()
    return token


TOKEN_USE_PRECISION = timedelta(minutes=1)
"""`tokens.last_used_at` is refreshed at most this often per token (a write per request
would compete with pushes for the single writer)."""


@dataclass(frozen=True, slots=True)
class TokenCheck:
    rep: Rep | None
    why: str
    token_id: int | None = None
    stale_use: bool = False
    """True when `last_used_at` is unset or older than TOKEN_USE_PRECISION."""


def inspect_token(session: Session, token: str, now: datetime | None = None) -> TokenCheck:
    """`check_token`, plus what is needed to record the token's use cheaply."""
    now = now or utcnow()
    row = session.scalar(select(Token).where(Token.token_hash == token_hash(token)))
    if row is None:
        return TokenCheck(None, "invalid_token")
    rep = session.get(Rep, row.rep_id)
    if rep is None:
        return TokenCheck(None, "invalid_token")
    # Disabling a rep also revokes their tokens: say why, so the client tells the rep to
    # ask marketing rather than to sign in again (docs/protocol.md, Errors).
    if rep.disabled:
        return TokenCheck(None, "account_disabled")
    if row.revoked_at is not None:
        return TokenCheck(None, "token_revoked")
    if row.expires_at <= now:
        return TokenCheck(None, "token_expired")
    stale = row.last_used_at is None or now - row.last_used_at >= TOKEN_USE_PRECISION
    return TokenCheck(rep, "", row.id, stale)


def check_token(
    session: Session, token: str, now: datetime | None = None
) -> tuple[Rep | None, str]:
    """(rep, "") for a live token of an enabled rep, else (None, why): one of
    "invalid_token" (unknown), "token_revoked", "token_expired", "account_disabled"."""
    checked = inspect_token(session, token, now)
    return checked.rep, checked.why


def mark_token_used(session: Session, token_id: int, now: datetime | None = None) -> bool:
    """Set `last_used_at` unless another request did within TOKEN_USE_PRECISION."""
    now = now or utcnow()
    result = session.execute(
        update(Token)
        .where(
            Token.id == token_id,
            or_(Token.last_used_at.is_(None), Token.last_used_at <= now - TOKEN_USE_PRECISION),
        )
        .values(last_used_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


def rep_for_token(session: Session, token: str, now: datetime | None = None) -> Rep | None:
    """The enabled rep a live token belongs to, else None (unknown, revoked, expired)."""
    return check_token(session, token, now)[0]


def revoke_token(session: Session, token: str, now: datetime | None = None) -> bool:
    row = session.scalar(select(Token).where(Token.token_hash == token_hash(token)))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = now or utcnow()
    return True


def revoke_rep_tokens(session: Session, rep_id: str, now: datetime | None = None) -> int:
    """Revoke every live token of a rep (on disable or password reset); returns how many."""
    rows = session.scalars(
        select(Token).where(Token.rep_id == rep_id, Token.revoked_at.is_(None))
    ).all()
    for row in rows:
        row.revoked_at = now or utcnow()
    return len(rows)


class Account(Protocol):
    """What a password check needs of an account: a rep or a workspace user."""

    @property
    def password_hash(self) -> str: ...
    @property
    def disabled(self) -> bool: ...


def judge_credentials(rep: Account | None, password: str) -> str:
    """ "" when `password` is right for an enabled account (a rep, or a workspace user),
    else "invalid_credentials" or "account_disabled" (told only to who knows the password).
    Needs no database session, so the slow hash check can run outside any transaction. A
    missing account costs the same work as a real one."""
    if rep is None:
        verify_password(_DUMMY_HASH, password)
        return "invalid_credentials"
    if not verify_password(rep.password_hash, password):
        return "invalid_credentials"
    if rep.disabled:
        return "account_disabled"
    return ""


def find_rep(session: Session, email: str) -> Rep | None:
    return session.scalar(select(Rep).where(Rep.email == normalize_email(email)))


def sign_in(session: Session, email: str, password: str) -> tuple[Rep | None, str]:
    """(rep, "") for right credentials of an enabled rep, else (None, why) as in
    `judge_credentials`; upgrades an outdated password hash on success."""
    rep = find_rep(session, email)
    why = judge_credentials(rep, password)
    if why or rep is None:
        return None, why
    if needs_rehash(rep.password_hash):
        rep.password_hash = hash_password(password)
    return rep, ""


def authenticate(session: Session, email: str, password: str) -> Rep | None:
    """The enabled rep with these credentials, else None."""
    return sign_in(session, email, password)[0]


REP_REALM = "rep"
"""Sign-ins of the reps' desktop app (`POST /v1/auth/login`)."""
WORKSPACE_REALM = "workspace"
"""Sign-ins of marketing's web workspace; throttled apart from reps'."""


@dataclass(frozen=True, slots=True)
class ThrottleVerdict:
    allowed: bool
    retry_after: int = 0
    """Seconds until a new attempt is allowed (>= 1 when not allowed)."""
    attempt_id: int | None = None
    """The reserved attempt (`reserve_attempt`), to settle with its outcome."""


def check_throttle(
    session: Session,
    email: str,
    address: str,
    policy: LoginThrottle,
    now: datetime | None = None,
    *,
    realm: str = REP_REALM,
) -> ThrottleVerdict:
    """Whether a sign-in may be attempted now from `address` for `email` in `realm`.

    Only failures count, three ways, each within `policy.window`:
    - this account from this address, attempts still being checked included (a parallel
      burst of guesses cannot overshoot `per_account`);
    - this address, any account, settled failures only (`per_address`): the reps behind
      one proxy signing in at once never count against each other;
    - this account from every address (`per_account_anywhere`), applied only where this
      address has failures of its own: a correct password from an address with no
      failures is never refused, whatever strangers tried elsewhere.
    Reps' and workspace sign-ins are counted apart (`realm`).
    """
    now = now or utcnow()
    since = now - policy.window
    normalized = normalize_email(email)
    recent = (
        LoginAttempt.realm == realm,
        LoginAttempt.at > since,
        LoginAttempt.success.is_(False),
    )
    settled = LoginAttempt.settled.is_(True)

    def latest(limit: int, *where: Any) -> list[datetime]:
        return list(
            session.scalars(
                select(LoginAttempt.at)
                .where(*recent, *where)
                .order_by(LoginAttempt.at.desc())
                .limit(limit)
            ).all()
        )

    from_here = latest(policy.per_address, LoginAttempt.address == address, settled)
    checks = [
        (
            latest(
                policy.per_account,
                LoginAttempt.email == normalized,
                LoginAttempt.address == address,
            ),
            policy.per_account,
        ),
        (from_here, policy.per_address),
    ]
    if from_here:
        everywhere = latest(policy.per_account_anywhere, LoginAttempt.email == normalized, settled)
        checks.append((everywhere, policy.per_account_anywhere))
    waits = [
        # Allowed again once the oldest of the last `limit` failures leaves the window.
        (failures[-1] + policy.window - now).total_seconds()
        for failures, limit in checks
        if len(failures) >= limit
    ]
    if not waits:
        return ThrottleVerdict(True)
    return ThrottleVerdict(False, max(1, int(max(waits)) + 1))


def reserve_attempt(
    session: Session,
    email: str,
    address: str,
    policy: LoginThrottle,
    now: datetime | None = None,
    *,
    realm: str = REP_REALM,
) -> ThrottleVerdict:
    """Check the throttle and, if allowed, reserve this attempt (`settled=False`).

    Run in a writing transaction (writers are serialised), so the check and the
    reservation are one step. Call `settle_attempt` with the outcome once the password
    has been checked: a success removes the reservation and forgets the account's
    failures; a failure becomes a counted failure.
    """
    verdict = check_throttle(session, email, address, policy, now, realm=realm)
    if not verdict.allowed:
        return verdict
    attempt = LoginAttempt(
        at=now or utcnow(),
        address=address[:64],
        email=normalize_email(email)[:320],
        success=False,
        settled=False,
        realm=realm,
    )
    session.add(attempt)
    session.flush()
    return ThrottleVerdict(True, attempt_id=attempt.id)


def settle_attempt(
    session: Session,
    verdict: ThrottleVerdict,
    email: str,
    success: bool,
    *,
    realm: str = REP_REALM,
) -> None:
    """The outcome of an attempt `reserve_attempt` allowed."""
    if verdict.attempt_id is None:
        return
    if success:
        session.execute(delete(LoginAttempt).where(LoginAttempt.id == verdict.attempt_id))
        session.execute(
            delete(LoginAttempt).where(
                LoginAttempt.email == normalize_email(email),
                LoginAttempt.realm == realm,
                LoginAttempt.success.is_(False),
            )
        )
        return
    session.execute(
        update(LoginAttempt).where(LoginAttempt.id == verdict.attempt_id).values(settled=True)
    )


def record_attempt(
    session: Session,
    email: str,
    address: str,
    success: bool,
    now: datetime | None = None,
    *,
    realm: str = REP_REALM,
) -> None:
    """Log a finished sign-in attempt; a success forgets the account's earlier failures
    (in its realm only)."""
    now = now or utcnow()
    normalized = normalize_email(email)
    if success:
        session.execute(
            delete(LoginAttempt).where(
                LoginAttempt.email == normalized,
                LoginAttempt.realm == realm,
                LoginAttempt.success.is_(False),
            )
        )
    session.add(
        LoginAttempt(
            at=now, address=address[:64], email=normalized[:320], success=success, realm=realm
        )
    )


def prune_attempts(session: Session, older_than: datetime) -> int:
    """Drop attempts older than `older_than` (housekeeping); returns how many."""
    count = session.scalar(
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.at < older_than)
    )
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < older_than))
    return int(count or 0)


__all__ = [
    "REP_REALM",
    "TOKEN_USE_PRECISION",
    "WORKSPACE_REALM",
    "Account",
    "ThrottleVerdict",
    "TokenCheck",
    "authenticate",
    "check_token",
    "find_rep",
    "check_throttle",
    "hash_password",
    "inspect_token",
    "issue_token",
    "judge_credentials",
    "mark_token_used",
    "needs_rehash",
    "normalize_email",
    "prune_attempts",
    "record_attempt",
    "rep_for_token",
    "reserve_attempt",
    "settle_attempt",
    "revoke_rep_tokens",
    "revoke_token",
    "sign_in",
    "token_hash",
    "verify_password",
]
