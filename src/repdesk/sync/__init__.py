"""The client sync engine: push the outbox, pull changes, fetch collateral."""

from __future__ import annotations

from repdesk.sync.export import export_pending

__all__ = ["export_pending"]
