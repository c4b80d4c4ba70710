"""Call drafts: atomic, durable files whose names never come from a hub-supplied id,
sealed with the cache key when the cache is encrypted."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from repdesk.store.call_drafts import (
    CallDraft,
    discard_draft,
    draft_path,
    drafts_dir,
    load_draft,
    save_draft,
    seal_plain_drafts,
)
from repdesk.store.cipher import CacheKey

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


KEY = CacheKey.generate()


def test_a_draft_of_an_encrypted_cache_is_sealed_on_disk(tmp_path: Path) -> None:
    """Notes on a prospect typed during a call are never plain on disk (issue 10 part 2)."""
    drafts = tmp_path / "drafts"
    path = save_draft(drafts, CallDraft("L1", T0, "budget: ~40k, CFO Ñúñez signs", T0), KEY)
    data = path.read_bytes()
    assert "Ñúñez".encode() not in data and b"budget: ~40k" not in data
    loaded = load_draft(drafts, "L1", KEY)
    assert loaded is not None and loaded.notes == "budget: ~40k, CFO Ñúñez signs"
    assert load_draft(drafts, "L1", CacheKey.generate()) is None, "another key reads nothing"
    assert load_draft(drafts, "L1") is None, "no key, no notes"


def test_a_passphrase_cache_seals_its_drafts_too(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    key = CacheKey.passphrase("correct horse battery")
    path = save_draft(drafts, CallDraft("L1", T0, "secret notes", T0), key)
    assert b"secret" not in path.read_bytes()
    loaded = load_draft(drafts, "L1", CacheKey.passphrase("correct horse battery"))
    assert loaded is not None and loaded.notes == "secret notes"
    assert load_draft(drafts, "L1", CacheKey.passphrase("wrong horse battery")) is None


def test_a_sealed_draft_moved_to_another_leads_name_does_not_open(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    save_draft(drafts, CallDraft("L1", T0, "for L1", T0), KEY)
    draft_path(drafts, "L1").rename(draft_path(drafts, "L2"))
    assert load_draft(drafts, "L2", KEY) is None


def test_plain_drafts_from_before_encryption_are_sealed_and_still_read(tmp_path: Path) -> None:
    """An upgrade: drafts written as plain JSON (`call-<digest>.json`) by older releases."""
    drafts = tmp_path / "drafts"
    legacy = draft_path(drafts, "L1").with_suffix(".json")
    drafts.mkdir()
    legacy.write_text(
        '{"version": 1, "lead_id": "L1", "started_at": "2026-03-18T14:05:00+00:00",'
        ' "saved_at": "2026-03-18T14:05:00+00:00", "notes": "from the old release"}',
        encoding="utf-8",
    )
    damaged = draft_path(drafts, "L9").with_suffix(".json")
    damaged.write_text("{half a dra", encoding="utf-8")
    loaded = load_draft(drafts, "L1", KEY)
    assert loaded is not None and loaded.notes == "from the old release", "read before sealing"

    assert seal_plain_drafts(drafts, KEY) == 1
    assert not legacy.exists()
    assert b"old release" not in draft_path(drafts, "L1").read_bytes()
    loaded = load_draft(drafts, "L1", KEY)
    assert loaded is not None and loaded.notes == "from the old release"
    assert damaged.exists(), "a file that cannot be read is left as it is, never deleted"
    assert seal_plain_drafts(drafts, KEY) == 0, "sealing twice changes nothing"


def test_a_plain_cache_keeps_plain_drafts(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    path = save_draft(drafts, CallDraft("L1", T0, "notes", T0))
    assert b"notes" in path.read_bytes()


def test_the_upgrade_that_encrypts_the_cache_seals_its_drafts(tmp_path: Path) -> None:
    """Through the app's own open path (the keyring holds the new key): a plain cache and a
    plain draft from an older release become an encrypted cache and a sealed draft."""
    from repdesk.app.services import open_rep_store
    from repdesk.store import Store

    data = tmp_path / "data"
    Store.open(data).close()  # the plain cache an older release left
    save_draft(drafts_dir(data), CallDraft("L1", T0, "from the old release", T0))

    def no_passphrase(_choosing: bool) -> str | None:
        raise AssertionError("the keyring holds the key")

    with open_rep_store(data, no_passphrase) as store:
        assert store.key is not None
        assert b"old release" not in draft_path(drafts_dir(data), "L1").read_bytes()
        loaded = load_draft(drafts_dir(data), "L1", store.key)
        assert loaded is not None and loaded.notes == "from the old release"
