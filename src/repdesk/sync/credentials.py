"""The hub token in the OS keyring, or in memory for this session when there is none.

Never a plaintext file: keyring's `fail`/`null` backends and every `keyrings.alt` backend
(plaintext or home-made encryption) count as "no keyring". The password itself is never
stored anywhere; only the hub's revocable session token is.
"""

from __future__ import annotations

import logging
import threading

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.errors import KeyringError, PasswordDeleteError

from repdesk.sync.results import NO_KEYRING_MESSAGE

log = logging.getLogger(__name__)

SERVICE = "repdesk"


def keyring_username(hub_url: str, email: str) -> str:
    """The keyring entry's user name: one token per hub and rep."""
    return f"{hub_url.rstrip('/')} {email.strip().lower()}"


def usable_backend(backend: KeyringBackend) -> bool:
    """False for backends that cannot keep a secret safely across restarts."""
    if isinstance(backend, fail.Keyring | null.Keyring):
        return False
    if type(backend).__module__.startswith("keyrings.alt"):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        # The chainer writes to its highest-priority backend: that one must be safe.
        backends = list(backend.backends)
        return bool(backends) and usable_backend(backends[0])
    return True


class Credentials:
    """Saves, loads and forgets hub tokens. Thread-safe."""

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self._backend = backend
        self._memory: dict[str, str] = {}
        self._memory_only = False
        self._lock = threading.Lock()

    @property
    def backend(self) -> KeyringBackend:
        return self._backend if self._backend is not None else keyring.get_keyring()

    @property
    def persistent(self) -> bool:
        """False when tokens live in memory only (the rep signs in again after a restart)."""
        with self._lock:
            return not self._memory_only and usable_backend(self.backend)

    @property
    def message(self) -> str:
        """What to tell the rep about where the token is kept ("" when all is well)."""
        return "" if self.persistent else NO_KEYRING_MESSAGE

    def save(self, hub_url: str, email: str, token: str) -> None:
        user = keyring_username(hub_url, email)
        with self._lock:
            backend = self.backend
            if not self._memory_only and usable_backend(backend):
                try:
                    backend.set_password(SERVICE, user, token)
                except KeyringError as exc:
                    log.warning(
                        "the system keyring refused the token (%s); keeping it in memory", exc
                    )
                    self._memory_only = True
                else:
                    self._memory.pop(user, None)
                    return
            else:
                self._memory_only = True
            self._memory[user] = token

    def load(self, hub_url: str, email: str) -> str | None:
        user = keyring_username(hub_url, email)
        with self._lock:
            if user in self._memory:
                return self._memory[user]
            backend = self.backend
            if not usable_backend(backend):
                return None
            try:
                return backend.get_password(SERVICE, user)
            except KeyringError as exc:
                log.warning("could not read the token from the system keyring: %s", exc)
                return None

    def delete(self, hub_url: str, email: str) -> None:
        user = keyring_username(hub_url, email)
        with self._lock:
            self._memory.pop(user, None)
            backend = self.backend
            if not usable_backend(backend):
                return
            try:
                backend.delete_password(SERVICE, user)
            except PasswordDeleteError:
                pass  # nothing stored: already signed out
            except KeyringError as exc:
                log.warning("could not remove the token from the system keyring: %s", exc)


__all__ = ["NO_KEYRING_MESSAGE", "SERVICE", "Credentials", "keyring_username", "usable_backend"]
