"""Importers for marketing's exports (Salesforce, HubSpot, repdesk CSV/JSONL): parsing only."""

from __future__ import annotations

from repdesk.hub.importers.events import EventRecord, parse_events
from repdesk.hub.importers.leads import LeadRecord, detect_format, parse_leads
from repdesk.hub.importers.reading import ImportFileError
from repdesk.hub.importers.result import ImportResult, RowError

__all__ = [
    "EventRecord",
    "ImportFileError",
    "ImportResult",
    "LeadRecord",
    "RowError",
    "detect_format",
    "parse_events",
    "parse_leads",
]
