"""Pull cursors carry a change-log position (xid, seq); a cursor from before migration
0009 (a bare seq) still means the same rows."""

from __future__ import annotations

import base64

import pytest

from repdesk.hub.sync.cursor import START, CursorExpired, Position, decode_cursor, encode_cursor

EPOCH = "4b2a77d0c1a94e6f9d0f8a1f3b7e2c55"


def test_positions_round_trip_and_xid_zero_keeps_the_old_format() -> None:
    for position in (START, Position(0, 41), Position(987_654_321, 12)):
        assert decode_cursor(encode_cursor(EPOCH, position), EPOCH) == position
    old = base64.urlsafe_b64encode(f"{EPOCH}:41".encode()).decode().rstrip("=")
    assert encode_cursor(EPOCH, Position(0, 41)) == old
    assert decode_cursor(old, EPOCH) == Position(0, 41)
    assert decode_cursor(None, EPOCH) == START


@pytest.mark.parametrize(
    "raw",
    [f"{EPOCH}:1.2.3", f"{EPOCH}:.5", f"{EPOCH}:5.", f"{EPOCH}:-1", "other-epoch:5", f"{EPOCH}:"],
)
def test_a_position_that_is_not_ours_is_an_expired_cursor(raw: str) -> None:
    cursor = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    with pytest.raises(CursorExpired):
        decode_cursor(cursor, EPOCH)
