"""Rep accounts: add, list, disable, enable, reset password (passwords are argon2id hashes)."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from repdesk.domain.errors import ValidationError
from repdesk.hub.admin.hub import Hub
from repdesk.hub.auth import hash_password, normalize_email, revoke_rep_tokens
from repdesk.hub.db.models import Lead, Rep
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


def add_rep(hub: Hub, email: str, name: str, password: str | None = None) -> tuple[RepInfo, str]:
    """Create a rep; returns it and the password (generated when none was given)."""
    try:
        address = check_email(normalize_email(email))
    except BadValue as exc:
        raise ValidationError(f"{email.strip()!r} is not an email address.") from exc
    if not address:
        raise ValidationError("The rep needs an email address.")
    name = " ".join(name.split())
    if not name:
        raise ValidationError("The rep needs a name (--name).")
    if password is None:
        password = generate_password()
    check_password(password)
    with hub.db.write() as session:
        if session.scalar(select(Rep.id).where(Rep.email == address)) is not None:
            raise ValidationError(f"A rep with the email {address} already exists.")
        rep = Rep(email=address, name=name[:200], password_hash=hash_password(password))
        session.add(rep)
        session.flush()
        info = RepInfo(rep.id, rep.email, rep.name, rep.disabled, 0, rep.created_at)
    log.info("rep %s added", address)
    return info, password


def list_reps(hub: Hub) -> list[RepInfo]:
    with hub.db.read() as session:
        rows = session.execute(
            select(Lead.owner_rep_id, func.count())
            .where(Lead.deleted.is_(False), Lead.owner_rep_id.is_not(None))
            .group_by(Lead.owner_rep_id)
        ).all()
        counts: dict[str | None, int] = {owner: int(n) for owner, n in rows}
        reps = session.scalars(select(Rep).order_by(Rep.email)).all()
        return [
            RepInfo(r.id, r.email, r.name, r.disabled, int(counts.get(r.id, 0)), r.created_at)
            for r in reps
        ]


def disable_rep(hub: Hub, email: str) -> int:
    """Disable a rep and revoke their sign-ins; returns how many sessions were ended.

    Their leads stay assigned (reassign them with `assign --reassign`).
    """
    with hub.db.write() as session:
        rep = find_rep(session, email)
        rep.disabled = True
        return revoke_rep_tokens(session, rep.id)


def enable_rep(hub: Hub, email: str) -> bool:
    """Let a disabled rep sign in again (with their old password); False if already active.

    Their sessions were ended when they were disabled, so they sign in afresh.
    """
    with hub.db.write() as session:
        rep = find_rep(session, email)
        if not rep.disabled:
            return False
        rep.disabled = False
    log.info("rep %s enabled", rep.email)
    return True


def reset_password(hub: Hub, email: str, password: str | None = None) -> str:
    """Set a new (generated unless given) password and end the rep's sessions."""
    if password is None:
        password = generate_password()
    check_password(password)
    with hub.db.write() as session:
        rep = find_rep(session, email)
        rep.password_hash = hash_password(password)
        revoke_rep_tokens(session, rep.id)
    return password
