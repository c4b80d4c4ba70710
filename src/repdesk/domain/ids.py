"""Identifiers and timestamps: client-made ids are uuid4 strings, times are aware UTC."""

from __future__ import annotations

import itertools
import secrets
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime


def new_id() -> str:
    return str(uuid.uuid4())


def ordered_ids() -> Iterator[str]:
    """Ids for a bulk write, each greater than the one before: UUIDv7-shaped (48-bit
    millisecond time, version 7, 42 random bits drawn once, variant, a 32-bit counter).
    Random uuid4 keys land all over every index that leads with the id (the primary key,
    `lead_facts`' and the report indexes); ascending ones append, which keeps a
    million-row import's index writes in the page cache. Unique like uuid4 for all
    practical purposes (a collision needs the same millisecond and the same 42 bits)."""
    millis = time.time_ns() // 1_000_000 & (2**48 - 1)
    rand_a, rand_b = secrets.randbits(12), secrets.randbits(30)
    head = (millis << 80) | (7 << 76) | (rand_a << 64) | (0b10 << 62) | (rand_b << 32)
    for counter in itertools.count():
        h = f"{head | (counter & 0xFFFFFFFF):032x}"
        yield f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def utcnow() -> datetime:
    return datetime.now(UTC)


def ensure_utc(value: datetime) -> datetime:
    """Naive datetimes (SQLite hands them back) are taken as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
