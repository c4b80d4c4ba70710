"""Where the cache key comes from: the OS keyring (one random key per data folder), else a
passphrase the rep types (GUI dialog / getpass), never a file.

Keyrings here are the in-memory one (tests/memory_keyring.py) and keyring's own `fail`
backend (a machine with no keyring); one subclass refuses writes, to inject that fault."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from keyring.backends import fail
from keyring.errors import PasswordSetError

from repdesk.app.services import PASSPHRASE_ATTEMPTS, open_rep_store
from repdesk.domain.errors import CacheKeyError, WrongCacheKeyError
from repdesk.store import Store
from repdesk.store.cipher import KEY_BYTES, CacheKey, FileState, file_state
from repdesk.store.db import DB_NAME
from repdesk.sync.cache_key import (
    CacheKeys,
    cache_key,
    keyring_username,
    legacy_keyring_username,
)
from repdesk.sync.credentials import SERVICE
from tests.memory_keyring import MemoryKeyring

PHRASE = "correct horse battery staple"


class Asked:
    """Stands for the rep at the passphrase prompt: answers, and records what was asked."""

    def __init__(self, *answers: str | None) -> None:
        self.answers = list(answers)
        self.asked: list[bool] = []

    def __call__(self, choosing: bool) -> str | None:
        self.asked.append(choosing)
        return self.answers.pop(0)


class RefusingKeyring(MemoryKeyring):
    """A keyring that is there but refuses to store (locked, full): fault injected."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError("the keyring is locked")


def test_the_keyring_holds_one_random_key_per_data_folder(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    keys = CacheKeys(backend)
    never = Asked()
    first = cache_key(tmp_path / "a", never, keys)
    assert not first.is_passphrase and len(bytes.fromhex(first.secret)) == KEY_BYTES
    assert backend.get_password(SERVICE, keyring_username(tmp_path / "a")) == first.secret
    assert cache_key(tmp_path / "a", never, keys) == first
    assert cache_key(tmp_path / "b", never, keys) != first
    assert never.asked == []


def test_with_no_keyring_a_passphrase_is_chosen_then_asked(data_dir: Path) -> None:
    keys = CacheKeys(fail.Keyring())
    choose = Asked(PHRASE)
    with Store.open(data_dir, key=cache_key(data_dir, choose, keys)) as store:
        assert store.encrypted
    assert choose.asked == [True]
    assert file_state(data_dir / DB_NAME) is FileState.ENCRYPTED

    wrong, right = Asked("Correct horse battery staple"), Asked(PHRASE)
    with pytest.raises(CacheKeyError, match="could not be unlocked with the passphrase"):
        Store.open(data_dir, key=cache_key(data_dir, wrong, keys))
    Store.open(data_dir, key=cache_key(data_dir, right, keys)).close()
    assert wrong.asked == right.asked == [False]


def test_a_keyring_found_later_still_asks_for_the_passphrase_it_was_encrypted_with(
    data_dir: Path,
) -> None:
    Store.open(data_dir, key=cache_key(data_dir, Asked(PHRASE), CacheKeys(fail.Keyring()))).close()
    later = Asked(PHRASE)
    Store.open(data_dir, key=cache_key(data_dir, later, CacheKeys(MemoryKeyring()))).close()
    assert later.asked == [False]


@pytest.mark.parametrize(
    ("answer", "words"),
    [(None, "needs your passphrase"), ("", "needs your passphrase"), ("short", "at least 8")],
)
def test_no_or_a_too_short_passphrase_opens_nothing(
    data_dir: Path, answer: str | None, words: str
) -> None:
    with pytest.raises(CacheKeyError, match=words):
        cache_key(data_dir, Asked(answer), CacheKeys(fail.Keyring()))
    assert not (data_dir / DB_NAME).exists()


def test_a_keyring_that_refuses_the_key_falls_back_to_a_passphrase(data_dir: Path) -> None:
    asked = Asked(PHRASE)
    key = cache_key(data_dir, asked, CacheKeys(RefusingKeyring()))
    assert key.is_passphrase and asked.asked == [True]


def test_the_app_opens_an_encrypted_store_with_the_keyring_key(tmp_path: Path) -> None:
    """Through the composition root, with the tests' in-memory keyring as the OS keyring."""
    data = tmp_path / "data"
    with open_rep_store(data, Asked()) as store:
        assert store.encrypted
    with open_rep_store(data, Asked()) as store:
        assert store.lead_count() == 0
    assert file_state(data / DB_NAME) is FileState.ENCRYPTED


def test_the_cli_asks_for_the_passphrase_when_there_is_no_keyring(tmp_path: Path) -> None:
    """A real `repdesk status` process on a machine with no keyring (keyring's fail
    backend), the passphrase typed on its standard input (no terminal: getpass reads it)."""
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    args = [sys.executable, "-m", "repdesk.cli.main", "status", "--data-dir", str(tmp_path)]

    def run(typed: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args,
            check=False,
            input=typed,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            start_new_session=True,
        )

    first = run(f"{PHRASE}\n{PHRASE}\n")
    assert first.returncode == 0, first.stderr
    assert "Not signed in" in first.stdout
    db = tmp_path / "data" / DB_NAME
    assert file_state(db) is FileState.ENCRYPTED
    before = db.read_bytes()

    wrong = run("not the passphrase\n")
    assert wrong.returncode == 1
    assert "could not be unlocked with the passphrase" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    assert db.read_bytes() == before
    assert run(f"{PHRASE}\n").returncode == 0


def test_a_wrong_passphrase_is_asked_again_a_few_times_changing_nothing(data_dir: Path) -> None:
    keys = CacheKeys(fail.Keyring())
    Store.open(data_dir, key=cache_key(data_dir, Asked(PHRASE), keys)).close()
    refusals: list[str] = []

    typo_then_right = Asked("Correct horse battery staple", PHRASE)
    with open_rep_store(data_dir, typo_then_right, refused=refusals.append, keys=keys) as store:
        assert store.encrypted
    assert typo_then_right.asked == [False, False] and len(refusals) == 1
    assert "could not be unlocked with the passphrase" in refusals[0]

    three_wrong = Asked("one wrong try", "two wrong tries", "three wrong tries")
    with pytest.raises(WrongCacheKeyError, match="could not be unlocked with the passphrase"):
        open_rep_store(data_dir, three_wrong, refused=refusals.append, keys=keys)
    assert len(three_wrong.asked) == PASSPHRASE_ATTEMPTS

    gave_up = Asked("a wrong try", None)
    with pytest.raises(WrongCacheKeyError, match="could not be unlocked with the passphrase"):
        open_rep_store(data_dir, gave_up, refused=refusals.append, keys=keys)

    once = Asked("a wrong try")
    with pytest.raises(WrongCacheKeyError):
        open_rep_store(data_dir, once, keys=keys)  # no `refused`: one try, as before
    assert once.asked == [False]
    Store.open(data_dir, key=cache_key(data_dir, Asked(PHRASE), keys)).close()
    assert file_state(data_dir / DB_NAME) is FileState.ENCRYPTED


def test_a_moved_data_folder_keeps_its_key(tmp_path: Path) -> None:
    """The keyring entry is named by an id kept in the folder, not by the folder's path:
    a rep who moves their data (a new disk, a renamed home) still opens it, with no
    passphrase they never chose."""
    keys = CacheKeys(MemoryKeyring())
    before = tmp_path / "old-home" / "data"
    key = cache_key(before, Asked(), keys)
    Store.open(before, key=key).close()
    after = tmp_path / "new-home" / "data"
    after.parent.mkdir()
    before.rename(after)
    never = Asked()
    assert cache_key(after, never, keys) == key and never.asked == []
    Store.open(after, key=key).close()


def test_a_key_kept_by_an_earlier_release_under_the_path_is_adopted(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    data = tmp_path / "data"
    old = Store.open(data, key=(key := CacheKey.generate()))
    old.close()
    backend.set_password(SERVICE, legacy_keyring_username(data), key.secret)  # as 0.1 did

    assert cache_key(data, Asked(), CacheKeys(backend)) == key
    assert backend.get_password(SERVICE, keyring_username(data)) == key.secret
    assert keyring_username(data) != legacy_keyring_username(data)
    assert backend.get_password(SERVICE, legacy_keyring_username(data)) is None
    moved = tmp_path / "moved"
    data.rename(moved)
    assert cache_key(moved, Asked(), CacheKeys(backend)) == key
