"""A fixed raw 256-bit cache key for tests that open encrypted stores directly.

Raw keys skip SQLCipher's KDF (as the app's keyring keys do), so an encrypted store opens
as fast as a plain one. Never a real rep's key: the app makes one per installation."""

from __future__ import annotations

from repdesk.store.cipher import KEY_BYTES, CacheKey

TEST_CACHE_KEY = CacheKey.raw(bytes(range(0x40, 0x40 + KEY_BYTES)))
