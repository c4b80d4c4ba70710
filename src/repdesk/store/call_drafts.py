"""Crash-safe drafts of a call in progress: one small file per lead, replaced atomically.

Everything else a rep enters during a call (BANT answers, objections) goes to the store the
moment it is entered; the notes are typed continuously, so they are kept here after a short
pause in typing and become a call note (queued for upload) only when the call ends.

A draft is sealed with the cache key (`store/sealed.py`) when the cache is encrypted, so
notes on a prospect are never plain on disk; a plain cache (tests, tools) keeps plain JSON.
Drafts written before encryption existed are sealed when the store opens
(`seal_plain_drafts`). Drafts live beside the database, not in it, so a damaged database
never takes the notes of a call with it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from repdesk.domain.ids import ensure_utc
from repdesk.store.atomic import write_atomically
from repdesk.store.cipher import CacheKey
from repdesk.store.sealed import SealError, is_sealed, seal, unseal

log = logging.getLogger(__name__)

_VERSION = 1
DRAFTS_FOLDER = "drafts"
"""The drafts' folder inside the data folder."""


@dataclass(frozen=True, slots=True)
class CallDraft:
    lead_id: str
    started_at: datetime
    notes: str
    saved_at: datetime


def drafts_dir(data_dir: Path) -> Path:
    return Path(data_dir) / DRAFTS_FOLDER


def draft_path(drafts_dir: Path, lead_id: str) -> Path:
    """The draft file for a lead; named by a hash so a hub-supplied id never forms a path."""
    digest = hashlib.sha256(lead_id.encode("utf-8")).hexdigest()[:32]
    return drafts_dir / f"call-{digest}.draft"


def _legacy_path(path: Path) -> Path:
    """Where releases before the sealed drafts kept the same draft (plain JSON)."""
    return path.with_suffix(".json")


def _encode(draft: CallDraft) -> bytes:
    data = {
        "version": _VERSION,
        "lead_id": draft.lead_id,
        "started_at": ensure_utc(draft.started_at).isoformat(),
        "saved_at": ensure_utc(draft.saved_at).isoformat(),
        "notes": draft.notes,
    }
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def save_draft(drafts_dir: Path, draft: CallDraft, key: CacheKey | None = None) -> Path:
    """Write the draft durably, sealed with `key` when there is one."""
    drafts_dir.mkdir(parents=True, exist_ok=True)
    target = draft_path(drafts_dir, draft.lead_id)
    payload = _encode(draft)
    if key is not None:
        payload = seal(key, payload, target.name)
    write_atomically(target, payload)
    with contextlib.suppress(FileNotFoundError):
        _legacy_path(target).unlink()
    return target


def _decode(raw_bytes: bytes, lead_id: str) -> CallDraft | None:
    raw = json.loads(raw_bytes.decode("utf-8"))
    if raw.get("lead_id") != lead_id:
        return None
    return CallDraft(
        lead_id=lead_id,
        started_at=ensure_utc(datetime.fromisoformat(raw["started_at"])),
        notes=str(raw.get("notes", "")),
        saved_at=ensure_utc(datetime.fromisoformat(raw["saved_at"])),
    )


def load_draft(drafts_dir: Path, lead_id: str, key: CacheKey | None = None) -> CallDraft | None:
    """The saved draft for `lead_id`, or None (a damaged file is logged and ignored).

    Reads a sealed draft with `key`, and a plain one (from before encryption) either way.
    """
    path = draft_path(drafts_dir, lead_id)
    if not path.exists() and _legacy_path(path).exists():
        path = _legacy_path(path)
    try:
        data = path.read_bytes()
        if is_sealed(data):
            if key is None:
                log.warning("a sealed call draft %s cannot be read without the cache key", path)
                return None
            data = unseal(key, data, path.name)
        return _decode(data, lead_id)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError, SealError):
        log.warning("ignoring an unreadable call draft %s", path, exc_info=True)
        return None


def discard_draft(drafts_dir: Path, lead_id: str) -> None:
    path = draft_path(drafts_dir, lead_id)
    for each in (path, _legacy_path(path)):
        with contextlib.suppress(FileNotFoundError):
            each.unlink()


def seal_plain_drafts(drafts_dir: Path, key: CacheKey) -> int:
    """Seal every plain draft in the folder (written before the cache was encrypted, or
    while it was plain); the number sealed. A file that cannot be read or written stays as
    it is (logged): a draft is never lost to its own conversion."""
    sealed = 0
    try:
        paths = sorted([*drafts_dir.glob("call-*.json"), *drafts_dir.glob("call-*.draft")])
    except OSError:
        return 0
    for path in paths:
        target = path.with_suffix(".draft")
        try:
            data = path.read_bytes()
            if is_sealed(data):
                continue
            json.loads(data.decode("utf-8"))  # only a readable draft is worth sealing
            if path != target and target.exists():
                path.unlink()  # superseded: the call was resumed and saved since
                continue
            write_atomically(target, seal(key, data, target.name))
            if path != target:
                path.unlink()
            sealed += 1
        except (OSError, ValueError):
            log.warning("could not seal the call draft %s", path, exc_info=True)
    return sealed


__all__ = [
    "DRAFTS_FOLDER",
    "CallDraft",
    "discard_draft",
    "draft_path",
    "drafts_dir",
    "load_draft",
    "save_draft",
    "seal_plain_drafts",
]
