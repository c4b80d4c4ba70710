"""The local SQLite cache: models, migrations, FTS5 search, the outbox."""

from __future__ import annotations

from repdesk.store.paths import AppPaths
from repdesk.store.store import Store

__all__ = ["AppPaths", "Store"]
