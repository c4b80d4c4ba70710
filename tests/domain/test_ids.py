"""Client- and hub-made ids: UUIDv7 strings, each greater than the one made before it."""

from __future__ import annotations

import uuid

from repdesk.domain.ids import new_id


def test_new_ids_are_uuid7_strings_that_rise_in_the_order_they_are_made() -> None:
    """Made in order, they sort in order (also within one millisecond), so a batch of a
    rep's new notes and mutations lands at the end of the hub's id indexes instead of on
    500 random pages of each; uuid4 ids fail this."""
    ids = [new_id() for _ in range(20_000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    parsed = uuid.UUID(ids[0])
    assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
    assert str(parsed) == ids[0] and len(ids[0]) == 36
