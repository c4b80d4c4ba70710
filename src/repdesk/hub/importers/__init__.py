"""Importers for marketing's exports (Salesforce, HubSpot, repdesk CSV/JSONL): parsing only."""

from __future__ import annotations

from repdesk.hub.importers.encoding import Decoding, EncodingError, check_encoding_name
from repdesk.hub.importers.events import EventRecord, parse_events
from repdesk.hub.importers.lead_rows import LeadRecord
from repdesk.hub.importers.leads import detect_format, parse_leads
from repdesk.hub.importers.result import ImportFileError, ImportResult, RowError

__all__ = [
    "Decoding",
    "EncodingError",
    "EventRecord",
    "ImportFileError",
    "ImportResult",
    "LeadRecord",
    "RowError",
    "check_encoding_name",
    "detect_format",
    "parse_events",
    "parse_leads",
]
