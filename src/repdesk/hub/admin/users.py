"""Workspace users (marketing's team and admins; never reps): add, list, disable, enable,
reset password. Every change writes an audit entry in the same transaction, in the name of
`actor` (a user's email, or "cli")."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from repdesk.domain.errors import ValidationError
from repdesk.domain.ids import utcnow
from repdesk.hub.admin import audit
from repdesk.hub.admin.hub import Hub
from repdesk.hub.admin.reps import check_password, generate_password
from repdesk.hub.auth import hash_password, normalize_email
from repdesk.hub.db.models import User, WebSession
from repdesk.hub.importers.values import BadValue
from repdesk.hub.importers.values import email as check_email
from repdesk.hub.sync.storable import text_problem

log = logging.getLogger(__name__)

MARKETING = "marketing"
ADMIN = "admin"
ROLES = (MARKETING, ADMIN)


@dataclass(frozen=True, slots=True)
class UserInfo:
    id: str
    email: str
    name: str
    role: str
    disabled: bool
    created_at: datetime

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


def _info(user: User) -> UserInfo:
    return UserInfo(user.id, user.email, user.name, user.role, user.disabled, user.created_at)


def check_role(role: str) -> str:
    cleaned = role.strip().lower()
    if cleaned not in ROLES:
        raise ValidationError(f"The role must be one of: {', '.join(ROLES)} (got {role!r}).")
    return cleaned


def find_user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise ValidationError(f"There is no workspace user with the email {email.strip()!r}.")
    return user


def get_user(hub: Hub, user_id: str) -> UserInfo:
    with hub.db.read() as session:
        user = session.get(User, user_id)
        if user is None:
            raise ValidationError("That workspace user does not exist (any more).")
        return _info(user)


def add_user(
    hub: Hub,
    email: str,
    role: str,
    name: str = "",
    password: str | None = None,
    *,
    actor: str = audit.CLI_ACTOR,
) -> tuple[UserInfo, str]:
    """Create a workspace user; returns it and the password (generated when none given)."""
    try:
        address = check_email(normalize_email(email))
    except BadValue as exc:
        raise ValidationError(f"{email.strip()!r} is not an email address.") from exc
    if not address:
        raise ValidationError("The user needs an email address.")
    role = check_role(role)
    name = " ".join(name.split())[:200]
    if text_problem(name):
        raise ValidationError(f"The name cannot be stored: {text_problem(name)}.")
    if password is None:
        password = generate_password()
    check_password(password)
    with hub.db.write() as session:
        if session.scalar(select(User.id).where(User.email == address)) is not None:
            raise ValidationError(f"A workspace user with the email {address} already exists.")
        user = User(email=address, name=name, role=role, password_hash=hash_password(password))
        session.add(user)
        session.flush()
        audit.record(session, actor, "user.add", address, {"role": role, "name": name})
        info = _info(user)
    log.info("workspace user %s added (%s) by %s", address, role, actor)
    return info, password


def list_users(hub: Hub) -> list[UserInfo]:
    with hub.db.read() as session:
        return [_info(u) for u in session.scalars(select(User).order_by(User.email))]


def revoke_user_sessions(session: Session, user_id: str, now: datetime | None = None) -> int:
    """End every live workspace session of a user; returns how many."""
    result = session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _other_active_admins(session: Session, user: User) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == ADMIN, User.disabled.is_(False), User.id != user.id)
        )
        or 0
    )


def disable_user(hub: Hub, email: str, *, actor: str = audit.CLI_ACTOR) -> int:
    """Disable a user and end their sessions; returns how many sessions were ended.

    The last active admin cannot be disabled (nobody could manage people any more).
    """
    with hub.db.write() as session:
        user = find_user(session, email)
        if user.disabled:
            return 0
        if user.role == ADMIN and _other_active_admins(session, user) == 0:
            raise ValidationError(
                f"{user.email} is the only active admin; add or enable another admin first."
            )
        user.disabled = True
        ended = revoke_user_sessions(session, user.id)
        audit.record(session, actor, "user.disable", user.email, {"sessions_ended": ended})
    log.info("workspace user %s disabled by %s", user.email, actor)
    return ended


def enable_user(hub: Hub, email: str, *, actor: str = audit.CLI_ACTOR) -> bool:
    """Let a disabled user sign in again; False when they were already active."""
    with hub.db.write() as session:
        user = find_user(session, email)
        if not user.disabled:
            return False
        user.disabled = False
        audit.record(session, actor, "user.enable", user.email)
    log.info("workspace user %s enabled by %s", user.email, actor)
    return True


def reset_user_password(
    hub: Hub, email: str, password: str | None = None, *, actor: str = audit.CLI_ACTOR
) -> str:
    """Set a new (generated unless given) password and end the user's sessions."""
    if password is None:
        password = generate_password()
    check_password(password)
    with hub.db.write() as session:
        user = find_user(session, email)
        user.password_hash = hash_password(password)
        ended = revoke_user_sessions(session, user.id)
        audit.record(session, actor, "user.reset_password", user.email, {"sessions_ended": ended})
    log.info("workspace user %s got a new password from %s", email, actor)
    return password


__all__ = [
    "ADMIN",
    "MARKETING",
    "ROLES",
    "UserInfo",
    "add_user",
    "check_role",
    "disable_user",
    "enable_user",
    "find_user",
    "get_user",
    "list_users",
    "reset_user_password",
    "revoke_user_sessions",
]
