"""Nurture-history importer: CSV or JSONL events keyed by the lead's external id or email."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from repdesk.domain.leads import NurtureEventType
from repdesk.hub.importers import values as v
from repdesk.hub.importers.limits import CAMPAIGN_LIMITS, EVENT_LIMITS, LEAD_LIMITS
from repdesk.hub.importers.reading import ImportFileError, iter_cells, jsonl_rows, read_table
from repdesk.hub.importers.result import FirstSeen, ImportResult, RowError, Sample, split_rows

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EventRecord:
    line: int
    type: NurtureEventType
    occurred_at: datetime
    lead_external_id: str = ""
    lead_email: str = ""
    campaign: str = ""
    """Campaign name as the file gives it."""
    asset: str = ""
    detail: str = ""
    score_delta: int | None = None


EVENT_COLUMNS: dict[str, str] = {
    "leadexternalid": "lead_external_id",
    "externalid": "lead_external_id",
    "leadid": "lead_external_id",
    "recordid": "lead_external_id",
    "id": "lead_external_id",
    "email": "lead_email",
    "leademail": "lead_email",
    "type": "type",
    "eventtype": "type",
    "activitytype": "type",
    "occurredat": "occurred_at",
    "timestamp": "occurred_at",
    "date": "occurred_at",
    "eventdate": "occurred_at",
    "activitydate": "occurred_at",
    "campaign": "campaign",
    "campaignname": "campaign",
    "asset": "asset",
    "content": "asset",
    "subject": "asset",
    "detail": "detail",
    "details": "detail",
    "description": "detail",
    "scoredelta": "score_delta",
    "scorechange": "score_delta",
    "points": "score_delta",
}
EXPECTED = (
    "lead_external_id and/or email, type, occurred_at, and optionally campaign, asset, "
    "detail, score_delta"
)


def _recognised(header: list[str]) -> bool:
    targets = {EVENT_COLUMNS.get(v.key(h)) for h in header}
    return {"type", "occurred_at"} <= targets and bool(targets & {"lead_external_id", "lead_email"})


class EventStream:
    """A nurture-history file opened for streaming: iterating reads it once, yielding each
    good `EventRecord` or a `RowError`, in file order."""

    def __init__(self, path: Path | str, *, encoding: str | None = None) -> None:
        self.path = path = Path(path)
        self.table = table = read_table(path, _recognised, encoding=encoding)
        if table.kind == "csv" and not _recognised(table.header):
            shown = ", ".join(table.header[:8]) + (", ..." if len(table.header) > 8 else "")
            raise ImportFileError(
                f"{path.name}: the header row ({shown}) is not a nurture history file. "
                f"Expected columns {EXPECTED}."
            )
        self.format = table.kind
        self.decoding = table.decoding
        self.sample = Sample()
        """Campaign names and assets as decoded, filled while iterating."""

    def __iter__(self) -> Iterator[EventRecord | RowError]:
        seen = FirstSeen()
        strict = self.table.kind == "jsonl"
        for line, row, problem in self._rows():
            if problem:
                yield RowError(line, problem)
                continue
            try:
                record = _build(line, row, strict=True) if strict else _record(line, row)
            except v.BadValue as exc:
                yield RowError(line, str(exc))
                continue
            identity = (
                record.lead_external_id or record.lead_email,
                record.type,
                record.occurred_at,
                record.asset,
            )
            earlier = seen.check(identity, 0, line)
            if earlier is not None:
                yield RowError(line, f"the same event as line {earlier[0]}; skipped")
                continue
            self.sample.add(record.campaign)
            self.sample.add(record.asset)
            yield record

    def _rows(self) -> Iterator[tuple[int, dict[str, Any], str]]:
        if self.table.kind == "jsonl":
            yield from jsonl_rows(self.table.objects)
            return
        # Only the known columns, by field name, mapped once: `_build` then reads fields.
        plan = [
            (i, EVENT_COLUMNS[v.key(h)])
            for i, h in enumerate(self.table.header)
            if v.key(h) in EVENT_COLUMNS
        ]
        for line, cells, problem in iter_cells(self.table):
            if problem:
                yield line, {}, problem
                continue
            out: dict[str, str] = {}
            for index, target in plan:
                if target not in out:
                    out[target] = cells[index]
            yield line, out, ""


def parse_events(path: Path | str, *, encoding: str | None = None) -> ImportResult[EventRecord]:
    """Read a whole nurture-history file into memory (imports stream with `EventStream`).
    Bad rows become RowErrors; a bad file raises ImportFileError. `encoding` forces one
    (else it is found: see `importers.encoding`)."""
    stream = EventStream(path, encoding=encoding)
    records, errors = split_rows(stream)
    log.info(
        "%s: %s, %d events, %d errors", stream.path.name, stream.format, len(records), len(errors)
    )
    decoding = stream.decoding
    return ImportResult(
        records,
        errors,
        stream.format,
        decoding.encoding,
        (),
        decoding.how,
        stream.sample.values(),
    )


def _build(line: int, row: dict[str, Any], *, strict: bool) -> EventRecord:
    m: dict[str, str] = {}
    for name, value in row.items():
        target = EVENT_COLUMNS.get(v.key(str(name)))
        if target is None:
            if strict:
                raise v.BadValue(f"unknown field {name!r}")
            continue
        if value is None or target in m:
            continue
        m[target] = str(value)
    return _record(line, m)


def _record(line: int, m: dict[str, str]) -> EventRecord:
    """An event from its fields (EVENT_COLUMNS' targets)."""
    external_id = LEAD_LIMITS["external_id"].check_text(
        v.clean(m.get("lead_external_id", "")), "lead_external_id"
    )
    email = LEAD_LIMITS["email"].check_text(v.email(m.get("lead_email", "")), "email")
    if not external_id and not email:
        raise v.BadValue("names no lead (needs the lead's id or email)")
    if not m.get("type", "").strip():
        raise v.BadValue("has no event type")
    occurred = v.timestamp(m.get("occurred_at", ""), "occurred_at")
    if occurred is None:
        raise v.BadValue("has no date (occurred_at)")
    return EventRecord(
        line=line,
        type=v.event_type(m["type"]),
        occurred_at=occurred,
        lead_external_id=external_id,
        lead_email=email,
        campaign=CAMPAIGN_LIMITS["name"].check_text(v.clean(m.get("campaign", "")), "campaign"),
        asset=EVENT_LIMITS["asset"].check_text(v.clean(m.get("asset", "")), "asset"),
        detail=EVENT_LIMITS["detail"].check_text(v.text(m.get("detail", "")), "detail"),
        score_delta=EVENT_LIMITS["score_delta"].check_number(
            v.integer(m.get("score_delta", ""), "score_delta", minimum=None), "score_delta"
        ),
    )
