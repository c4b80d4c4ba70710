"""Identifiers and timestamps: ids are UUIDv7 strings, rising as they are made; times are
aware UTC."""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

_RAND_BITS = 74
_last = [0, 0]
"""The millisecond and random bits of the id made last in this process."""
_last_lock = threading.Lock()


def new_id() -> str:
    """A UUIDv7 (RFC 9562): 48-bit Unix milliseconds, version 7, 74 random bits, each id
    greater than the one this process made before it (within one millisecond, or when the
    clock steps back, the random bits of the last one plus one: RFC 9562's method 2).

    The hub keys the reps' notes, mutations and change-log rows by these ids: random uuid4
    ids put each of a push's 500 rows on a different page of every such index, so a push
    cost more the more the hub held (push_batch per CPU-s fell 6,330 -> 3,680 over five
    rounds of 10k, against 6,350 -> 4,820 with these). They reveal when they were made,
    which the rows they name record anyway; none is a secret. The stdlib has `uuid7`
    only from Python 3.14."""
    millis, rand = time.time_ns() // 1_000_000, secrets.randbits(_RAND_BITS)
    with _last_lock:
        if millis <= _last[0]:
            millis, rand = _last[0], _last[1] + 1
            if rand >> _RAND_BITS:  # 2**74 ids in one millisecond: borrow the next one
                millis, rand = millis + 1, 0
        _last[0], _last[1] = millis, rand
    value = (
        (millis & (2**48 - 1)) << 80
        | 7 << 76
        | (rand >> 62) << 64
        | 0b10 << 62
        | (rand & (2**62 - 1))
    )
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


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
