"""Files marketing uploads, kept server-side only as long as an operation needs them.

Uploads are written under the hub home, in `workspace-uploads/` (owner-only
permissions), to names the server makes: the uploaded file's name is never used as a
path (it is kept only as text, for messages and `original_name`).

- `temporary_upload(hub, upload, limit)`: a private temp file for one request (adding
  collateral); deleted when the block ends.
- `stash` / `stashed` / `discard`: a file kept between two requests (a leads file, from
  its dry-run preview to the confirmed import) in a folder named by a random id and bound
  to the signed-in session that uploaded it; discarded on import or cancel, and swept
  after `STASH_TTL`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import BinaryIO

from fastapi import UploadFile

from repdesk.domain.errors import ValidationError
from repdesk.hub.admin.hub import Hub
from repdesk.hub.workspace.sessions import SignedIn

log = logging.getLogger(__name__)

UPLOADS_DIR = "workspace-uploads"
STASH_TTL = 60 * 60
"""Seconds a stashed upload waits for its confirmation."""
_CHUNK = 1024 * 1024
_ID = re.compile(r"^[A-Za-z0-9_-]{32}$")
_FILE = "file.upload"
_OWNER = "owner.json"


def uploads_root(hub: Hub) -> Path:
    root = hub.config.home / UPLOADS_DIR
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


def display_name(upload: UploadFile) -> str:
    """The uploaded file's own name, as text: its last part, control characters removed."""
    raw = upload.filename or ""
    name = PurePath(raw.replace("\\", "/")).name
    return "".join(ch for ch in name if ch.isprintable())[:200]


def _copy(source: BinaryIO, target: BinaryIO, limit: int, name: str) -> int:
    size = 0
    while chunk := source.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise ValidationError(f"{name} is larger than {limit // 2**20} MB.")
        target.write(chunk)
    return size


def _require_file(upload: UploadFile | None) -> UploadFile:
    if upload is None or not (upload.filename or "").strip():
        raise ValidationError("Choose a file to upload.")
    return upload


@contextmanager
def temporary_upload(hub: Hub, upload: UploadFile | None, limit: int) -> Iterator[Path]:
    """The upload's bytes in a private temp file (0600, a name the server made)."""
    upload = _require_file(upload)
    fd, name = tempfile.mkstemp(dir=uploads_root(hub), prefix="upload-", suffix=".tmp")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            _copy(upload.file, out, limit, display_name(upload) or "The file")
        yield path
    finally:
        path.unlink(missing_ok=True)


@dataclass(frozen=True, slots=True)
class Stashed:
    id: str
    path: Path
    name: str
    """The uploaded file's name (text only)."""


def _folder(hub: Hub, stash_id: str) -> Path:
    if not _ID.match(stash_id):
        raise ValidationError("That upload is not known; upload the file again.")
    return uploads_root(hub) / stash_id


def sweep(hub: Hub, *, max_age: float = STASH_TTL, now: float | None = None) -> int:
    """Remove stashed uploads older than `max_age` seconds; returns how many."""
    cutoff = (now if now is not None else time.time()) - max_age
    removed = 0
    for entry in uploads_root(hub).iterdir():
        try:
            if entry.stat().st_mtime >= cutoff:
                continue
            if entry.is_dir() and _ID.match(entry.name):
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed += 1
        except OSError:
            continue
    return removed


def stash(hub: Hub, upload: UploadFile | None, user: SignedIn, limit: int) -> Stashed:
    """Keep the upload for a later request of the same session; returns its id."""
    upload = _require_file(upload)
    sweep(hub)
    stash_id = secrets.token_urlsafe(24)
    folder = uploads_root(hub) / stash_id
    folder.mkdir(mode=0o700)
    name = display_name(upload)
    try:
        fd = os.open(folder / _FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            _copy(upload.file, out, limit, name or "The file")
        owner = {"session": user.session_id, "user": user.user_id, "name": name}
        (folder / _OWNER).write_text(json.dumps(owner), encoding="utf-8")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Stashed(stash_id, folder / _FILE, name)


def stashed(hub: Hub, stash_id: str, user: SignedIn) -> Stashed:
    """The upload `stash_id` of this session (ValidationError when gone or not theirs)."""
    folder = _folder(hub, stash_id)
    gone = ValidationError(
        "That upload has expired or belongs to another session; upload the file again."
    )
    try:
        owner = json.loads((folder / _OWNER).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise gone from exc
    if owner.get("session") != user.session_id or owner.get("user") != user.user_id:
        log.warning("upload %s asked for by another session", stash_id)
        raise gone
    if time.time() - (folder / _OWNER).stat().st_mtime > STASH_TTL:
        shutil.rmtree(folder, ignore_errors=True)
        raise gone
    return Stashed(stash_id, folder / _FILE, str(owner.get("name", "")))


def discard(hub: Hub, stash_id: str, user: SignedIn) -> None:
    """Delete the upload `stash_id` of this session (nothing if it is gone)."""
    try:
        found = stashed(hub, stash_id, user)
    except ValidationError:
        return
    shutil.rmtree(found.path.parent, ignore_errors=True)


def named_message(message: str, path: Path, name: str) -> str:
    """An operation's message about the server's copy at `path`, naming the user's file."""
    shown = repr(name) if name else "the uploaded file"
    return message.replace(str(path), shown).replace(path.name, shown)


__all__ = [
    "STASH_TTL",
    "UPLOADS_DIR",
    "Stashed",
    "discard",
    "display_name",
    "named_message",
    "stash",
    "stashed",
    "sweep",
    "temporary_upload",
]
