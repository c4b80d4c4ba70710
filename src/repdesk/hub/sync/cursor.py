"""Opaque pull cursors: base64url of "<hub epoch>:<change seq>", bound to one hub database."""

from __future__ import annotations

import base64
import binascii

from sqlalchemy.orm import Session

from repdesk.domain.ids import new_id
from repdesk.hub.db.models import HubMeta

MAX_CURSOR_CHARS = 200


class CursorExpired(Exception):  # noqa: N818 - names the protocol's `cursor_expired`
    """The cursor is malformed, from another hub database, or ahead of this one."""


def encode_cursor(epoch: str, seq: int) -> str:
    return base64.urlsafe_b64encode(f"{epoch}:{seq}".encode()).decode("ascii").rstrip("=")


def decode_cursor(cursor: str | None, epoch: str) -> int:
    """The change seq a cursor stands for (0 for none); CursorExpired if unusable here."""
    if cursor is None or cursor == "":
        return 0
    if len(cursor) > MAX_CURSOR_CHARS:
        raise CursorExpired("cursor too long")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise CursorExpired("cursor is not ours") from exc
    cursor_epoch, sep, seq_text = raw.rpartition(":")
    if not sep or cursor_epoch != epoch or not seq_text.isdigit():
        raise CursorExpired("cursor from another hub database")
    return int(seq_text)


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


__all__ = ["CursorExpired", "decode_cursor", "encode_cursor", "rotate_epoch"]
