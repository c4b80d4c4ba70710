"""Call drafts: atomic, durable files whose names never come from a hub-supplied id."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from repdesk.gui.call_draft import CallDraft, discard_draft, draft_path, load_draft, save_draft

T0 = datetime(2026, 3, 18, 14, 5, tzinfo=UTC)


@settings(max_examples=50, deadline=None)
@given(lead_id=st.text(min_size=1, max_size=60), notes=st.text(max_size=300))
def test_drafts_round_trip_for_any_id_and_text(lead_id: str, notes: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _round_trip(Path(tmp) / "drafts", lead_id, notes)


def _round_trip(drafts: Path, lead_id: str, notes: str) -> None:
    path = save_draft(drafts, CallDraft(lead_id, T0, notes, T0))
    assert path.parent == drafts, "an id like '../../x' must not escape the drafts folder"
    loaded = load_draft(drafts, lead_id)
    assert loaded == CallDraft(lead_id, T0, notes, T0)
    discard_draft(drafts, lead_id)
    assert load_draft(drafts, lead_id) is None


def test_a_damaged_draft_is_ignored_and_no_temp_files_linger(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    save_draft(drafts, CallDraft("L1", T0, "first", T0))
    save_draft(drafts, CallDraft("L1", T0, "second", T0))
    assert [p.name for p in drafts.iterdir()] == [draft_path(drafts, "L1").name]
    assert load_draft(drafts, "L1") is not None
    draft_path(drafts, "L1").write_text("{not json")
    assert load_draft(drafts, "L1") is None
    draft_path(drafts, "L1").write_text('{"lead_id": "someone-else", "started_at": "x"}')
    assert load_draft(drafts, "L1") is None
    discard_draft(drafts, "never-saved")  # no error
