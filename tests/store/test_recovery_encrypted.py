"""A damaged, unreadable, empty or missing ENCRYPTED cache at start (issue 10, §2 and
defect 5 together).

The damage variants of `test_recovery.py` done to a cache encrypted with a keyring-style
raw key: the start-up check reads it through the store's own keyed engine (never stdlib
`sqlite3`), the damage is reported, the file kept aside, and the readable unsent items
salvaged through SQL with the key or from the pages decrypted in memory. A key that does
not open the file is not damage: a keyring key's file is kept aside byte for byte; a
mistyped passphrase moves nothing.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from repdesk.domain.errors import CacheKeyError
from repdesk.store import Store
from repdesk.store.cipher import CacheKey, FileState, connect, file_state
from repdesk.store.recovery import Recovery
from tests.support.cache_keys import TEST_CACHE_KEY
from tests.support.damage import (
    CIPHER_PAGE_SIZE,
    REP,
    damage_header,
    db_path,
    encrypt_rep_data,
    encrypted_table_pages,
    flip_page,
    make_empty,
    seed_notes,
    truncate,
)

KEY = TEST_CACHE_KEY
OTHER_KEY = CacheKey.raw(bytes(range(0x80, 0xA0)))
MARKER_NAME = "signed-in.json"
SALVAGE_FILE = "unsent-items.json"


def _reopen(data_dir: Path, key: CacheKey = KEY) -> tuple[Recovery, list[str], Store]:
    store = Store.open(data_dir, key=key)
    assert store.sync_state().session == REP, "the rep must still be signed in"
    assert store.recovery is not None, "the damage must be reported, not hidden"
    assert file_state(db_path(data_dir)) is FileState.ENCRYPTED, "the fresh copy is encrypted"
    return store.recovery, [i.id for i in sorted(store.outbox(), key=lambda i: i.seq)], store


def _kept(found: Recovery, data_dir: Path) -> Path:
    assert found.set_aside is not None and found.set_aside.is_dir()
    return found.set_aside / db_path(data_dir).name


def test_a_healthy_encrypted_cache_is_not_taken_for_damage(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Full check and every-start check alike; and no stdlib sqlite3 on the store file."""
    encrypt_rep_data(data_dir, KEY, leads=5, notes=3)
    real = sqlite3.connect

    def guarded(database: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        assert "repdesk.sqlite3" not in str(database), "stdlib sqlite3 opened the store file"
        return real(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", guarded)
    for _ in range(2):  # the day's full check, then the quick one
        with Store.open(data_dir, key=KEY) as store:
            assert store.recovery is None and len(store.outbox()) == 3
    assert not list(data_dir.glob("damaged-*"))


def test_a_keyring_key_that_does_not_open_the_cache_keeps_it_aside_untouched(
    data_dir: Path,
) -> None:
    ids = encrypt_rep_data(data_dir, KEY, leads=5, notes=3)
    before = db_path(data_dir).read_bytes()
    found, outbox, store = _reopen(data_dir, OTHER_KEY)
    store.close()
    assert found.problem == "unreadable" and outbox == []
    assert "this computer's key" in found.message() and "Nothing was deleted" in found.message()
    kept = _kept(found, data_dir)
    assert kept.read_bytes() == before
    conn = connect(kept, KEY)  # still readable with the right key
    try:
        assert conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == len(ids)
    finally:
        conn.close()


def test_a_mistyped_passphrase_moves_nothing(data_dir: Path) -> None:
    right = CacheKey.passphrase("correct horse battery")
    encrypt_rep_data(data_dir, right, leads=5, notes=3)
    before = db_path(data_dir).read_bytes()
    with pytest.raises(CacheKeyError, match="passphrase"):
        Store.open(data_dir, key=CacheKey.passphrase("correct horse batterY"))
    assert db_path(data_dir).read_bytes() == before
    assert not list(data_dir.glob("damaged-*"))
    with Store.open(data_dir, key=right) as store:
        assert store.recovery is None and len(store.outbox()) == 3


def test_damaged_header_of_an_encrypted_cache_salvages_every_unsent_item(
    data_dir: Path,
) -> None:
    """Page 1 no longer decrypts (SQLCipher says "not a database", as for a wrong key); the
    other pages do with the key, so it is damage, and the outbox is read from them."""
    ids = encrypt_rep_data(data_dir, KEY)
    damage_header(db_path(data_dir))
    found, outbox, store = _reopen(data_dir)
    with store:
        assert found.problem == "damaged" and outbox == ids
        assert store.outbox()[0].payload["body"].startswith("Call 0:")
    kept = _kept(found, data_dir)
    assert kept.read_bytes()[:5] == bytes(range(100, 105))
    exported = json.loads((kept.parent / SALVAGE_FILE).read_text())
    assert [i["id"] for i in exported["items"]] == ids


def test_flipped_outbox_page_of_an_encrypted_cache_loses_only_that_pages_rows(
    data_dir: Path,
) -> None:
    ids = encrypt_rep_data(data_dir, KEY)
    path = db_path(data_dir)
    leaves = encrypted_table_pages(path, KEY, "outbox")
    assert len(leaves) > 1
    page, lost = min(leaves.items(), key=lambda item: item[1])  # a leaf: fewest rows
    flip_page(path, page, CIPHER_PAGE_SIZE)
    found, outbox, store = _reopen(data_dir)
    store.close()
    assert found.problem == "damaged" and found.damaged_pages >= 1
    # SQL by rowid range loses the page's rows; its neighbours' pages give back any a range
    # query could not reach.
    assert len(ids) - lost <= len(outbox) < len(ids)
    assert outbox == [i for i in ids if i in set(outbox)]  # order kept
    assert "could not be read" in found.message()


def test_flipped_lead_page_of_an_encrypted_cache_is_found_at_start(data_dir: Path) -> None:
    ids = encrypt_rep_data(data_dir, KEY)
    path = db_path(data_dir)
    leaves = encrypted_table_pages(path, KEY, "leads")
    flip_page(path, sorted(leaves)[1], CIPHER_PAGE_SIZE)
    found, outbox, store = _reopen(data_dir)
    with store:
        assert found.problem == "damaged" and outbox == ids
        assert store.lead_count() == 0  # downloaded again by the next sync


def test_truncated_encrypted_cache_salvages_the_rows_on_the_pages_left(data_dir: Path) -> None:
    ids = encrypt_rep_data(data_dir, KEY)
    path = db_path(data_dir)
    leaves = sorted(encrypted_table_pages(path, KEY, "outbox"))
    cut = leaves[len(leaves) // 2]
    truncate(path, (cut - 1) * CIPHER_PAGE_SIZE / path.stat().st_size)
    found, outbox, store = _reopen(data_dir)
    store.close()
    assert found.problem == "damaged"
    assert 0 < len(outbox) < len(ids) and set(outbox) <= set(ids)


def test_unsent_items_only_in_the_encrypted_wal_are_salvaged(
    tmp_path: Path, data_dir: Path
) -> None:
    """A crash leaves the last writes in the (encrypted) `-wal`; a lead page is damaged."""
    encrypt_rep_data(data_dir, KEY, notes=2)
    lead_pages = sorted(encrypted_table_pages(db_path(data_dir), KEY, "leads"))
    crashed = tmp_path / "crashed"
    with Store.open(data_dir, key=KEY) as store:
        seed_notes(store, 5, first=2)
        ids = [i.id for i in sorted(store.outbox(), key=lambda i: i.seq)]
        assert Path(f"{db_path(data_dir)}-wal").stat().st_size > 0
        shutil.copytree(data_dir, crashed, ignore=shutil.ignore_patterns(".lock"))
    (crashed / "last-check.json").unlink(missing_ok=True)  # a day later: the whole file
    flip_page(db_path(crashed), lead_pages[-1], CIPHER_PAGE_SIZE)
    found, outbox, store = _reopen(crashed)
    store.close()
    assert found.problem == "damaged" and outbox == ids
    assert (_kept(found, crashed).parent / f"{db_path(crashed).name}-wal").exists()


@pytest.mark.parametrize("damage", ["empty", "missing"])
def test_empty_or_missing_encrypted_cache_is_reported(data_dir: Path, damage: str) -> None:
    encrypt_rep_data(data_dir, KEY, leads=5, notes=3)
    if damage == "empty":
        make_empty(db_path(data_dir))
    else:
        db_path(data_dir).unlink()
    found, outbox, store = _reopen(data_dir)
    store.close()
    assert found.problem == damage and outbox == []
    with Store.open(data_dir, key=KEY) as store:
        assert store.recovery is None  # the next start is quiet
