"""Tokens go to the OS keyring; with no usable keyring they stay in memory, never on disk."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.errors import KeyringLocked

from repdesk.sync.credentials import (
    NO_KEYRING_MESSAGE,
    SERVICE,
    Credentials,
    keyring_username,
    usable_backend,
)
from tests.memory_keyring import MemoryKeyring

HUB = "https://hub.example.com"


def test_round_trip_through_the_keyring() -> None:
    creds = Credentials()
    creds.save(HUB, "Ada@Example.com", "tok-1")
    assert keyring.get_password(SERVICE, keyring_username(HUB, "ada@example.com")) == "tok-1"
    # A new instance (the next start of the app) finds it.
    assert Credentials().load(HUB, "ada@example.com") == "tok-1"
    assert Credentials().load("https://other.example.com", "ada@example.com") is None
    assert creds.persistent and creds.message == ""
    creds.delete(HUB, "ada@example.com")
    assert Credentials().load(HUB, "ada@example.com") is None
    creds.delete(HUB, "ada@example.com")  # twice is fine


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()])
def test_no_keyring_keeps_the_token_in_memory_only(
    backend: KeyringBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    keyring.set_keyring(backend)  # the conftest fixture restores the previous backend
    creds = Credentials()
    assert not creds.persistent
    assert creds.message == NO_KEYRING_MESSAGE
    creds.save(HUB, "ada@example.com", "tok-secret")
    assert creds.load(HUB, "ada@example.com") == "tok-secret"
    assert Credentials().load(HUB, "ada@example.com") is None  # gone after a restart
    assert list(tmp_path.iterdir()) == []
    creds.delete(HUB, "ada@example.com")
    assert creds.load(HUB, "ada@example.com") is None


def test_plaintext_backends_do_not_count() -> None:
    plaintext = type("PlaintextKeyring", (MemoryKeyring,), {"__module__": "keyrings.alt.file"})
    assert not usable_backend(plaintext())
    assert usable_backend(MemoryKeyring())


class LockedKeyring(MemoryKeyring):
    """A Secret Service that exists but refuses (locked collection, dialog dismissed)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("the collection is locked")


def test_a_keyring_that_refuses_falls_back_to_memory() -> None:
    """Fault injected precisely: a backend whose set_password raises KeyringLocked."""
    creds = Credentials(backend=LockedKeyring())
    creds.save(HUB, "ada@example.com", "tok-1")
    assert creds.load(HUB, "ada@example.com") == "tok-1"
    assert not creds.persistent
    assert creds.message == NO_KEYRING_MESSAGE


def test_a_chainer_is_usable_only_if_the_backend_it_writes_to_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The chainer's backend list is replaced (a precise stand-in: keyrings.alt is not
    installed here); a plaintext backend that wins the priority makes the chain unsafe."""
    from keyring.backends import chainer

    from repdesk.sync.credentials import usable_backend
    from tests.memory_keyring import MemoryKeyring

    class Plaintext(MemoryKeyring):
        pass

    Plaintext.__module__ = "keyrings.alt.file"
    order: list[object] = []
    monkeypatch.setattr(chainer.ChainerBackend, "backends", property(lambda _self: order))
    order[:] = [Plaintext(), MemoryKeyring()]
    assert not usable_backend(chainer.ChainerBackend())
    order[:] = [MemoryKeyring(), Plaintext()]
    assert usable_backend(chainer.ChainerBackend())
