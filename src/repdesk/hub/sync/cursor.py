"""Opaque pull cursors, bound to one hub database: base64url of "<hub epoch>:<position>".

A position is (xid, seq), the last change-log row a device has (see
`repdesk.hub.sync.changes` for why pulls read in that order). It is written "<seq>" when
xid is 0 (every SQLite row, and PostgreSQL rows from before migration 0009), else
"<xid>.<seq>". So a cursor from before the upgrade, a bare seq, still means exactly what
it meant: every row it had seen has xid 0.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import NamedTuple

from sqlalchemy.orm import Session

from repdesk.domain.ids import new_id
from repdesk.hub.db.models import HubMeta

MAX_CURSOR_CHARS = 200
_POSITION = re.compile(r"^(?:([0-9]{1,19})\.)?([0-9]{1,19})$")


class Position(NamedTuple):
    """Where a device is in the change log: after the row (xid, seq)."""

    xid: int
    seq: int


START = Position(0, 0)


class CursorExpired(Exception):  # noqa: N818 - names the protocol's `cursor_expired`
    """The cursor is malformed, from another hub database, or ahead of this one."""


def encode_cursor(epoch: str, position: Position | int) -> str:
    xid, seq = position if isinstance(position, Position) else (0, position)
    text = f"{epoch}:{seq}" if xid == 0 else f"{epoch}:{xid}.{seq}"
    return base64.urlsafe_b64encode(text.encode()).decode("ascii").rstrip("=")


def decode_cursor(cursor: str | None, epoch: str) -> Position:
    """The position a cursor stands for (START for none); CursorExpired if unusable here."""
    if cursor is None or cursor == "":
        return START
    if len(cursor) > MAX_CURSOR_CHARS:
        raise CursorExpired("cursor too long")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise CursorExpired("cursor is not ours") from exc
    cursor_epoch, sep, position = raw.rpartition(":")
    found = _POSITION.match(position)
    if not sep or cursor_epoch != epoch or found is None:
        raise CursorExpired("cursor from another hub database")
    return Position(int(found.group(1) or 0), int(found.group(2)))


def rotate_epoch(session: Session) -> str:
    """Give the database a new epoch, so every device's cursor answers 410 and each does a
    full resync. Run it after restoring a backup: a restored hub may reuse change numbers
    a device already moved past. (A running hub reads the epoch at start: restart it.)"""
    epoch = new_id()
    row = session.get(HubMeta, "epoch")
    if row is None:
        session.add(HubMeta(key="epoch", value=epoch))
    else:
        row.value = epoch
    return epoch


__all__ = [
    "START",
    "CursorExpired",
    "Position",
    "decode_cursor",
    "encode_cursor",
    "rotate_epoch",
]
