"""The client sync engine: push the outbox, pull changes, fetch collateral.

Import the engine from `repdesk.sync.engine` (the composition root does); this package
itself only re-exports `export_pending`, so the GUI can use it without reaching the wire
schema (an import-linter contract forbids that).
"""

from __future__ import annotations

from repdesk.sync.export import export_pending

__all__ = ["export_pending"]
