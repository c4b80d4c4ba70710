"""A rep marketing disabled: their cached lead data is erased at the next contact with the hub.

The hub answers `account_disabled` (`AccountDisabledError`, from `sync/http.py`) to a sync or
a sign-in. Unsent work is first exported to a file (`sync/export.py`), then every lead,
note and outbox row is erased from the local cache, the token forgotten.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from repdesk.domain.errors import AccountDisabledError
from repdesk.domain.ids import utcnow
from repdesk.store.api import StoreApi
from repdesk.sync.credentials import Credentials
from repdesk.sync.export import UNSENT_STATES, export_pending

log = logging.getLogger(__name__)

ERASED = (
    "Your account on this hub is disabled: ask marketing operations. The leads kept on this "
    "computer have been erased."
)
EXPORTED = "Your {count} change(s) not yet sent are saved in {path}: give that file to marketing."


def unsent_file(store: StoreApi, who: str) -> Path:
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    safe = re.sub(r"[^A-Za-z0-9_-]", "", who)[:40] or "previous-user"
    return store.path.parent / "set-aside" / f"unsent-{safe}-{stamp}.json"


def erase_for_disabled_rep(
    store: StoreApi, credentials: Credentials, cause: AccountDisabledError
) -> AccountDisabledError:
    """Export the unsent work, erase the cache and the token; returns the error to raise,
    its text saying what happened and where the unsent work went."""
    state = store.sync_state()
    session = state.session
    unsent = store.outbox(UNSENT_STATES)
    words = [ERASED]
    if unsent:
        path = unsent_file(store, state.last_rep_id or (session.rep_id if session else ""))
        count = export_pending(store, path)
        words.append(EXPORTED.format(count=count, path=path))
        log.warning("account disabled: %d unsent item(s) exported to %s", count, path)
    store.erase_lead_data()
    log.warning("account disabled (%s): local lead data erased", cause)
    if session is not None:
        credentials.delete(session.hub_url, session.rep_email)
    return AccountDisabledError(" ".join(words))


__all__ = ["ERASED", "EXPORTED", "erase_for_disabled_rep", "unsent_file"]
