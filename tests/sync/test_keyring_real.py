"""Round-trips a token through the REAL Secret Service: `.ci/run` runs it with
REPDESK_TEST_REAL_KEYRING=1 under the shared scripts' with-secret-service.sh (a real,
unlocked gnome-keyring); elsewhere it is skipped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from keyring.backends.SecretService import Keyring as SecretServiceKeyring

from repdesk.domain.ids import new_id
from repdesk.store import Store
from repdesk.sync.cache_key import CacheKeys, cache_key
from repdesk.sync.cache_key import keyring_username as cache_keyring_username
from repdesk.sync.credentials import SERVICE, Credentials, keyring_username

pytestmark = [
    pytest.mark.keyring,
    pytest.mark.skipif(
        os.environ.get("REPDESK_TEST_REAL_KEYRING") != "1",
        reason="needs a real Secret Service: set REPDESK_TEST_REAL_KEYRING=1 and run under "
        "with-secret-service.sh",
    ),
]


def test_token_round_trip_through_secret_service() -> None:
    secret_service = SecretServiceKeyring()
    assert secret_service.priority > 0, "no Secret Service on this session bus"
    hub = f"https://hub-{new_id()}.example.com"
    token = new_id()
    creds = Credentials()
    assert creds.persistent
    creds.save(hub, "ada@example.com", token)
    try:
        # Read straight from the Secret Service, bypassing keyring's backend choice: the
        # token really is stored there.
        assert secret_service.get_password(SERVICE, keyring_username(hub, "ada@example.com")) == (
            token
        )
        assert Credentials().load(hub, "ada@example.com") == token
    finally:
        creds.delete(hub, "ada@example.com")
    assert secret_service.get_password(SERVICE, keyring_username(hub, "ada@example.com")) is None
    assert Credentials().load(hub, "ada@example.com") is None


def test_cache_key_round_trip_through_secret_service(tmp_path: Path) -> None:
    """The local cache's key is made once, kept in the real keyring, and opens the cache."""
    secret_service = SecretServiceKeyring()
    data = tmp_path / f"data-{new_id()}"
    keys = CacheKeys()
    assert keys.persistent

    def never(_choosing: bool) -> str | None:
        raise AssertionError("a real keyring holds the key: no passphrase is asked")

    key = cache_key(data, never, keys)
    try:
        assert secret_service.get_password(SERVICE, cache_keyring_username(data)) == key.secret
        with Store.open(data, key=key) as store:
            assert store.encrypted
        again = cache_key(data, never, CacheKeys())
        assert again == key
        Store.open(data, key=again).close()
    finally:
        keys.delete(data)
    assert secret_service.get_password(SERVICE, cache_keyring_username(data)) is None
