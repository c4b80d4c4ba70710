"""The rep's cache encrypted at rest (SQLCipher): no plaintext on disk, wrong keys refused
with nothing destroyed, plain caches converted with their unsent work.

Keys here are raw 256-bit keys (no KDF), as the app's keyring keys are; one test uses a
passphrase (SQLCipher's PBKDF2)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from repdesk.domain.errors import CacheKeyError
from repdesk.domain.outbox import OutboxState
from repdesk.store import Store
from repdesk.store.cipher import CONVERTING_SUFFIX, CacheKey, FileState, file_state
from repdesk.store.db import DB_NAME
from tests.store.factories import lead, note, up

NAME = "Zebulon Quixotic"
EMAIL = "zebulon.quixotic@secret-lead.example"
NOTE = "Budget approved by the CFO, wants a pilot in Marrakesh"
KEY = CacheKey.raw(bytes(range(32)))
OTHER_KEY = CacheKey.raw(bytes(range(1, 33)))


def _fill(store: Store) -> str:
    """A lead with a known name and email, and an unsent call note about it."""
    first, last = NAME.split()
    store.apply_pull_page(
        [up("lead", lead("L1", first, last, "Quixotic Mills", email=EMAIL))], "c1"
    )
    n = note("L1", NOTE)
    store.add_call_note(n)
    return n.id


def _disk_bytes(data_dir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(data_dir.iterdir()) if p.is_file())


def _secrets_in(raw: bytes) -> list[str]:
    return [s for s in (NAME.split()[1], EMAIL, "Marrakesh") if s.encode() in raw]


def _digest(data_dir: Path) -> str:
    return hashlib.sha256(_disk_bytes(data_dir)).hexdigest()


def test_the_files_on_disk_hold_no_plaintext(tmp_path: Path) -> None:
    plain_dir, secret_dir = tmp_path / "plain", tmp_path / "secret"
    with Store.open(plain_dir) as plain, Store.open(secret_dir, key=KEY) as secret:
        _fill(plain)
        _fill(secret)
        # While open: the database and its WAL (where the last writes are).
        assert _secrets_in(_disk_bytes(plain_dir)), "the probe must find plain text"
        assert (secret_dir / f"{DB_NAME}-wal").exists()
        assert _secrets_in(_disk_bytes(secret_dir)) == []
        assert secret.search("Quixotic")[0].lead_id == "L1"
    assert _secrets_in(_disk_bytes(secret_dir)) == []
    assert file_state(secret_dir / DB_NAME) is FileState.ENCRYPTED


def test_a_wrong_key_is_refused_clearly_and_nothing_is_destroyed(data_dir: Path) -> None:
    with Store.open(data_dir, key=KEY) as store:
        note_id = _fill(store)
    before = _digest(data_dir)
    with pytest.raises(CacheKeyError, match="passphrase"):
        Store.open(data_dir, key=CacheKey.passphrase("not the key"))
    assert _digest(data_dir) == before
    with Store.open(data_dir, key=KEY) as store:  # the lock was released each time
        assert [i.entity_id for i in store.outbox([OutboxState.PENDING])] == [note_id]
    kept = (data_dir / DB_NAME).read_bytes()
    # A keyring key that does not open it (the keyring was reset): the file is kept aside
    # byte for byte, still readable with its key, and a fresh cache starts.
    with Store.open(data_dir, key=OTHER_KEY) as store:
        assert store.recovery is not None and store.recovery.problem == "unreadable"
        assert "this computer's key" in store.recovery.message()
        assert store.recovery.set_aside is not None
        aside = store.recovery.set_aside / DB_NAME
    assert aside.read_bytes() == kept
    with Store.open(aside.parent, key=KEY) as store:
        assert [i.entity_id for i in store.outbox([OutboxState.PENDING])] == [note_id]


def test_a_plain_cache_is_converted_keeping_unsent_work(data_dir: Path) -> None:
    with Store.open(data_dir) as plain:
        note_id = _fill(plain)
        pending = plain.outbox([OutboxState.PENDING])
    with Store.open(data_dir, key=KEY) as store:
        assert store.outbox([OutboxState.PENDING]) == pending
        assert [i.entity_id for i in pending] == [note_id]
        assert store.lead("L1") is not None
        assert [h.lead_id for h in store.search("Marrakesh")] == ["L1"]
    assert file_state(data_dir / DB_NAME) is FileState.ENCRYPTED
    assert _secrets_in(_disk_bytes(data_dir)) == []
    assert sorted(p.name for p in data_dir.iterdir() if "sqlite3" in p.name) == [DB_NAME]


def test_a_cache_copied_mid_write_converts_with_its_wal(tmp_path: Path) -> None:
    """A plain cache whose last writes are still in its -wal (the app was killed): the
    conversion folds them in, and leaves no plain -wal beside the encrypted file."""
    live, snapshot = tmp_path / "live", tmp_path / "snapshot"
    with Store.open(live) as plain:
        plain.checkpoint()
        note_id = _fill(plain)
        assert (live / f"{DB_NAME}-wal").stat().st_size > 0
        snapshot.mkdir()
        for p in live.iterdir():
            if p.name.startswith(DB_NAME):
                shutil.copy2(p, snapshot / p.name)
    with Store.open(snapshot, key=KEY) as store:
        assert [i.entity_id for i in store.outbox([OutboxState.PENDING])] == [note_id]
    assert _secrets_in(_disk_bytes(snapshot)) == []


def test_an_interrupted_conversion_leaves_the_plain_cache_usable(data_dir: Path) -> None:
    """A conversion that died before its swap left a half-made file: it is removed, the
    plain cache (the database until the swap) is converted again."""
    with Store.open(data_dir) as plain:
        note_id = _fill(plain)
    (data_dir / f"{DB_NAME}{CONVERTING_SUFFIX}").write_bytes(b"half an encrypted file")
    with Store.open(data_dir, key=KEY) as store:
        assert [i.entity_id for i in store.outbox([OutboxState.PENDING])] == [note_id]
    assert not (data_dir / f"{DB_NAME}{CONVERTING_SUFFIX}").exists()


def test_a_passphrase_opens_what_it_encrypted_and_nothing_else(data_dir: Path) -> None:
    phrase = CacheKey.passphrase("it's a long 'quoted' phrase")
    with Store.open(data_dir, key=phrase) as store:
        note_id = _fill(store)
    with pytest.raises(CacheKeyError):
        Store.open(data_dir, key=CacheKey.passphrase("It's a long 'quoted' phrase"))
    with Store.open(data_dir, key=phrase) as store:
        assert [i.entity_id for i in store.outbox([OutboxState.PENDING])] == [note_id]
    assert _secrets_in(_disk_bytes(data_dir)) == []


def test_the_key_is_never_in_its_repr() -> None:
    assert KEY.secret not in repr(KEY)
    assert "s3cret words" not in repr(CacheKey.passphrase("s3cret words"))
