"""The pages of an encrypted cache decrypted in memory, for salvage when SQLCipher will not
open the file (its page 1 is damaged) and to tell a wrong key from such damage.

SQLCipher 4's defaults, which `store/cipher.py` keeps: 4096-byte pages, AES-256-CBC, each
page's last 80 bytes reserved for its IV (16) and HMAC-SHA512 (64); page 1's first 16
bytes are the salt and stay clear. A raw key (the keyring's) is the AES key itself, so
pages decrypt even when the salt is destroyed; a passphrase needs the salt and SQLCipher's
KDF, so it is not handled here. The HMACs are not checked: a damaged page decrypts to
garbage, which the page reader (`store/salvage.py`) skips like any unparseable page.

The plaintext exists only in memory, never in a file. Needs `cryptography` (on Linux it
comes with the keyring's SecretStorage); without it, `decrypt` returns None.
"""

from __future__ import annotations

import logging
from pathlib import Path

from repdesk.store.cipher import CacheKey
from repdesk.store.salvage import HEADER_SIZE, MAGIC, _plausible

log = logging.getLogger(__name__)

PAGE_SIZE = 4096
RESERVE = 80
IV_SIZE = 16
SALT_SIZE = 16
KEY_FITS_SHARE = 0.25
"""At least this share of pages 2… must parse as b-tree pages for the key to be the file's
(random bytes almost never do)."""


def decrypt(path: Path, key: CacheKey) -> bytes | None:
    """A plain image of the file's pages (page 1's header rewritten to SQLCipher's layout),
    or None for a passphrase or a file under one page."""
    if key.is_passphrase:
        return None
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    raw = bytes.fromhex(key.secret)
    data = path.read_bytes()
    count = len(data) // PAGE_SIZE
    if count == 0:
        return None
    out = bytearray(count * PAGE_SIZE)
    body = PAGE_SIZE - RESERVE
    for i in range(count):
        base = i * PAGE_SIZE
        start = SALT_SIZE if i == 0 else 0
        iv = data[base + body : base + body + IV_SIZE]
        decryptor = Cipher(algorithms.AES(raw), modes.CBC(iv)).decryptor()
        out[base + start : base + body] = (
            decryptor.update(data[base + start : base + body]) + decryptor.finalize()
        )
    # The header as SQLCipher keeps it: magic, page size, versions 1/1, reserved bytes,
    # payload fractions; whatever damage did to these bytes, the layout is known.
    out[:16] = MAGIC
    out[16:18] = PAGE_SIZE.to_bytes(2, "big")
    out[18:24] = bytes((1, 1, RESERVE, 64, 32, 32))
    assert len(out) >= HEADER_SIZE
    return bytes(out)


def key_fits(image: bytes) -> bool:
    """The decrypted pages look like SQLite pages: the key is the file's (page 1 may still
    be damaged); not so for a wrong key, whose "plaintext" is noise."""
    count = len(image) // PAGE_SIZE
    if count < 2:
        return False
    plausible = sum(1 for n in range(2, count + 1) if _plausible(image, n, PAGE_SIZE))
    return plausible >= max(1, KEY_FITS_SHARE * (count - 1))


__all__ = ["PAGE_SIZE", "decrypt", "key_fits"]
