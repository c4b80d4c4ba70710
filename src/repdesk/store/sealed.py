"""Small files sealed with the cache key: what the rep types outside the database stays
encrypted at rest too (call drafts, `store/call_drafts.py`).

AES-256-GCM (`cryptography`) under a key derived from the cache key: HKDF-SHA256 from a
raw keyring key, scrypt from a typed passphrase, each with a random salt kept in the file.
The file's own name is authenticated with it, so a sealed file copied under another
name does not open. Format: ``MAGIC | salt (16) | nonce (12) | ciphertext+tag``.
"""

from __future__ import annotations

import os
import threading

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from repdesk.store.cipher import CacheKey

MAGIC = b"repdesk-sealed-1\n"
SALT_BYTES = 16
NONCE_BYTES = 12
_INFO = b"repdesk sealed file"
_SCRYPT_N = 2**15  # ~50 ms once per salt; a process reuses its salt, so once per run


class SealError(Exception):
    """The file is not sealed, damaged, or sealed with another key."""


def is_sealed(data: bytes) -> bool:
    return data.startswith(MAGIC)


class _Keys:
    """Derived keys, cached per (cache key, salt): a process seals with one salt."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._derived: dict[tuple[str, bool, bytes], bytes] = {}
        self._salts: dict[tuple[str, bool], bytes] = {}

    def salt_for(self, key: CacheKey) -> bytes:
        with self._lock:
            return self._salts.setdefault((key.secret, key.is_passphrase), os.urandom(SALT_BYTES))

    def derive(self, key: CacheKey, salt: bytes) -> bytes:
        ident = (key.secret, key.is_passphrase, salt)
        with self._lock:
            found = self._derived.get(ident)
        if found is not None:
            return found
        if key.is_passphrase:
            derived = Scrypt(salt=salt, length=32, n=_SCRYPT_N, r=8, p=1).derive(
                key.secret.encode("utf-8")
            )
        else:
            derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_INFO).derive(
                bytes.fromhex(key.secret)
            )
        with self._lock:
            self._derived[ident] = derived
        return derived


_KEYS = _Keys()


def seal(key: CacheKey, plaintext: bytes, name: str) -> bytes:
    """`plaintext` encrypted and authenticated under `key`, bound to the file `name`."""
    salt = _KEYS.salt_for(key)
    nonce = os.urandom(NONCE_BYTES)
    body = AESGCM(_KEYS.derive(key, salt)).encrypt(nonce, plaintext, name.encode("utf-8"))
    return MAGIC + salt + nonce + body


def unseal(key: CacheKey, data: bytes, name: str) -> bytes:
    """The plaintext of a sealed file; SealError when it is not one of ours or was altered."""
    if not is_sealed(data):
        raise SealError("not a sealed file")
    start = len(MAGIC)
    salt = data[start : start + SALT_BYTES]
    nonce = data[start + SALT_BYTES : start + SALT_BYTES + NONCE_BYTES]
    body = data[start + SALT_BYTES + NONCE_BYTES :]
    if len(salt) != SALT_BYTES or len(nonce) != NONCE_BYTES or not body:
        raise SealError("the sealed file is truncated")
    try:
        return AESGCM(_KEYS.derive(key, salt)).decrypt(nonce, body, name.encode("utf-8"))
    except InvalidTag as exc:
        raise SealError("the sealed file was altered or belongs to another key") from exc


__all__ = ["MAGIC", "SealError", "is_sealed", "seal", "unseal"]
