"""Rep accounts: add, list, disable, enable, reset password (passwords are argon2id hashes).

Every change writes its audit entry in the same transaction, in the name of `actor` (a
workspace user's email, or "cli")."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from repdesk.domain.errors import ValidationError
from repdesk.hub.admin import audit
from repdesk.hub.admin.hub import Hub
from repdesk.hub.auth import hash_password, normalize_email, revoke_rep_tokens
from repdesk.hub.db.models import Lead, Rep, Token
from repdesk.hub.importers.values import BadValue
from repdesk.hub.importers.values import email as check_email

log = logging.getLogger(__name__)

MIN_PASSWORD = 10


@dataclass(frozen=True, slots=True)
class RepInfo:
    id: str
    email: str
    name: str
    disabled: bool
    leads: int
    created_at: datetime
    last_seen: datetime | None = None
    """When the rep's app last reached the hub (sync or sign-in), to within minutes."""


def generate_password() -> str:
    """About 96 bits, URL-safe so it survives copy/paste into any sign-in box."""
    return secrets.token_urlsafe(12)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationError(f"The password must have at least {MIN_PASSWORD} characters.")


def find_rep(session: Session, email: str) -> Rep:
    rep = session.scalar(select(Rep).where(Rep.email == normalize_email(email)))
    if rep is None:
        raise ValidationError(f"There is no rep with the email {email.strip()!r}.")
    return rep


def add_rep(
    hub: Hub,
    email: str,
    name: str,
    password: str | None = None,
    *,
    actor: str = audit.CLI_ACTOR,
) -> tuple[RepInfo, str]:
    """Create a rep; returns it and the password (generated when none was given)."""
    try:
        address = check_email(normalize_email(email))
    except BadValue as exc:
        raise ValidationError(f"{email.strip()!r} is not an email address.") from exc
    if not address:
        raise ValidationError("The rep needs an email address.")
    name = " ".join(name.split())
    if not name:
        raise ValidationError("The rep needs a name.")
    if password is None:
        password = generate_password()
    check_password(password)
    with hub.db.write() as session:
        if session.scalar(select(Rep.id).where(Rep.email == address)) is not None:
            raise ValidationError(f"A rep with the email {address} already exists.")
        rep = Rep(email=address, name=name[:200], password_hash=hash_password(password))
        session.add(rep)
        session.flush()
        audit.record(session, actor, "rep.add", address, {"name": rep.name})
        info = RepInfo(rep.id, rep.email, rep.name, rep.disabled, 0, rep.created_at)
    log.info("rep %s added by %s", address, actor)
    return info, password


def _infos(session: Session, reps: list[Rep]) -> list[RepInfo]:
    ids = [r.id for r in reps]
    if not ids:
        return []
    counts = dict(
        session.execute(
            select(Lead.owner_rep_id, func.count())
            .where(Lead.deleted.is_(False), Lead.owner_rep_id.in_(ids))
            .group_by(Lead.owner_rep_id)
        )
        .tuples()
        .all()
    )
    seen = dict(
        session.execute(
            select(Token.rep_id, func.max(func.coalesce(Token.last_used_at, Token.created_at)))
            .where(Token.rep_id.in_(ids))
            .group_by(Token.rep_id)
        )
        .tuples()
        .all()
    )
    return [
        RepInfo(
            r.id,
            r.email,
            r.name,
            r.disabled,
            int(counts.get(r.id, 0)),
            r.created_at,
            seen.get(r.id),
        )
        for r in reps
    ]


def list_reps(hub: Hub) -> list[RepInfo]:
    with hub.db.read() as session:
        return _infos(session, list(session.scalars(select(Rep).order_by(Rep.email))))


def get_rep(hub: Hub, rep_id: str) -> RepInfo:
    """One rep by id (ValidationError when there is none)."""
    with hub.db.read() as session:
        rep = session.get(Rep, rep_id)
        if rep is None:
            raise ValidationError("That rep does not exist (any more).")
        return _infos(session, [rep])[0]


def disable_rep(hub: Hub, email: str, *, actor: str = audit.CLI_ACTOR) -> int:
    """Disable a rep and revoke their sign-ins; returns how many sessions were ended.

    Their leads stay assigned (reassign them with `assign --reassign`).
    """
    with hub.db.write() as session:
        rep = find_rep(session, email)
        rep.disabled = True
        ended = revoke_rep_tokens(session, rep.id)
        audit.record(session, actor, "rep.disable", rep.email, {"sessions_ended": ended})
    log.info("rep %s disabled by %s", rep.email, actor)
    return ended


def enable_rep(hub: Hub, email: str, *, actor: str = audit.CLI_ACTOR) -> bool:
    """Let a disabled rep sign in again (with their old password); False if already active.

    Their sessions were ended when they were disabled, so they sign in afresh.
    """
    with hub.db.write() as session:
        rep = find_rep(session, email)
        if not rep.disabled:
            return False
        rep.disabled = False
        audit.record(session, actor, "rep.enable", rep.email)
    log.info("rep %s enabled by %s", rep.email, actor)
    return True


def reset_password(
    hub: Hub, email: str, password: str | None = None, *, actor: str = audit.CLI_ACTOR
) -> str:
    """Set a new (generated unless given) password and end the rep's sessions."""
    if password is None:
        password = generate_password()
    check_password(password)
    with hub.db.write() as session:
        rep = find_rep(session, email)
        rep.password_hash = hash_password(password)
        ended = revoke_rep_tokens(session, rep.id)
        audit.record(session, actor, "rep.reset_password", rep.email, {"sessions_ended": ended})
    log.info("rep %s got a new password from %s", rep.email, actor)
    return password
