"""`export_pending`: every not-yet-applied outbox item to a JSON file, written atomically."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import repdesk
from repdesk.domain.ids import utcnow
from repdesk.domain.outbox import OutboxItem, OutboxState
from repdesk.store.api import StoreApi
from repdesk.store.atomic import write_atomically

UNSENT_STATES = (OutboxState.PENDING, OutboxState.REJECTED, OutboxState.CONFLICT)
FORMAT = "repdesk-unsent-v1"


def _item(item: OutboxItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "seq": item.seq,
        "kind": item.kind.value,
        "entity_id": item.entity_id,
        "lead_id": item.lead_id,
        "recorded_at": item.recorded_at.isoformat(),
        "base_version": item.base_version,
        "payload": item.payload,
        "state": item.state.value,
        "attempts": item.attempts,
        "detail": item.detail,
        "sent_at": item.sent_at.isoformat() if item.sent_at else None,
    }


def export_pending(store: StoreApi, path: Path | str) -> int:
    """Write pending, rejected and conflicting items to `path`; returns how many.

    The file appears complete or not at all (temp file in the same folder, fsync, rename),
    so an interrupted export never leaves a half-written file that looks like a backup.
    """
    target = Path(path)
    items = sorted(store.outbox(UNSENT_STATES), key=lambda i: i.seq)
    state = store.sync_state()
    document = {
        "format": FORMAT,
        "exported_at": utcnow().isoformat(),
        "repdesk_version": repdesk.__version__,
        "client_id": state.client_id,
        "hub_url": state.session.hub_url if state.session else None,
        "rep_email": state.session.rep_email if state.session else None,
        "count": len(items),
        "items": [_item(i) for i in items],
    }
    data = json.dumps(document, indent=2, ensure_ascii=False, default=str).encode("utf-8")
    write_atomically(target, data)
    return len(items)


__all__ = ["FORMAT", "UNSENT_STATES", "export_pending"]
