"""Crash-safe drafts of a call in progress: one small JSON file per lead, replaced atomically.

Everything else a rep enters during a call (BANT answers, objections) goes to the store the
moment it is entered; the notes are typed continuously, so they are kept here after a short
pause in typing and become a call note (queued for upload) only when the call ends.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from repdesk.domain.ids import ensure_utc

log = logging.getLogger(__name__)

_VERSION = 1


@dataclass(frozen=True, slots=True)
class CallDraft:
    lead_id: str
    started_at: datetime
    notes: str
    saved_at: datetime


def draft_path(drafts_dir: Path, lead_id: str) -> Path:
    """The draft file for a lead; named by a hash so a hub-supplied id never forms a path."""
    digest = hashlib.sha256(lead_id.encode("utf-8")).hexdigest()[:32]
    return drafts_dir / f"call-{digest}.json"


def save_draft(drafts_dir: Path, draft: CallDraft) -> Path:
    """Write the draft durably: temp file in the same directory, fsync, atomic rename."""
    drafts_dir.mkdir(parents=True, exist_ok=True)
    target = draft_path(drafts_dir, draft.lead_id)
    data = {
        "version": _VERSION,
        "lead_id": draft.lead_id,
        "started_at": ensure_utc(draft.started_at).isoformat(),
        "saved_at": ensure_utc(draft.saved_at).isoformat(),
        "notes": draft.notes,
    }
    fd, tmp = tempfile.mkstemp(prefix=".call-", suffix=".tmp", dir=drafts_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


def load_draft(drafts_dir: Path, lead_id: str) -> CallDraft | None:
    """The saved draft for `lead_id`, or None (a damaged file is logged and ignored)."""
    path = draft_path(drafts_dir, lead_id)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("lead_id") != lead_id:
            return None
        return CallDraft(
            lead_id=lead_id,
            started_at=ensure_utc(datetime.fromisoformat(raw["started_at"])),
            notes=str(raw.get("notes", "")),
            saved_at=ensure_utc(datetime.fromisoformat(raw["saved_at"])),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        log.warning("ignoring an unreadable call draft %s", path, exc_info=True)
        return None


def discard_draft(drafts_dir: Path, lead_id: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        draft_path(drafts_dir, lead_id).unlink()
