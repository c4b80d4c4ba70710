"""A compact table of 64-bit hashes with a 64-bit value each, for the per-row memory of
a big import (which ids and emails it has seen): 16 bytes a slot in two flat arrays,
where a dict or set of Python ints costs about 100 bytes an entry. A million entries
take 32-64 MB instead of about 100 MB, which keeps a million-row import under its
300 MB budget. Open addressing, linear probing, doubled at half full.
"""

from __future__ import annotations

_MASK64 = (1 << 64) - 1


def _slots(bits: int) -> memoryview:
    return memoryview(bytearray(8 << bits)).cast("Q")


class HashTable:
    """{hash: value}: `setdefault(h, value)` gives the value stored first for `h` (None
    the first time). Hashes are Python's `hash()` of the key: equal keys collide by
    design; two different keys share a 64-bit hash about once in 10^19 pairs."""

    def __init__(self, bits: int = 16) -> None:
        self._bits = bits
        self._keys = _slots(bits)
        self._values = _slots(bits)
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def setdefault(self, h: int, value: int) -> int | None:
        key = (h & _MASK64) or 1  # 0 marks an empty slot
        keys, mask = self._keys, (1 << self._bits) - 1
        slot = key & mask
        while True:
            found = keys[slot]
            if found == key:
                stored: int = self._values[slot]
                return stored
            if not found:
                break
            slot = (slot + 1) & mask
        keys[slot] = key
        self._values[slot] = value & _MASK64
        self._count += 1
        if self._count * 2 > mask:
            self._grow()
        return None

    def __contains__(self, h: int) -> bool:
        key = (h & _MASK64) or 1
        keys, mask = self._keys, (1 << self._bits) - 1
        slot = key & mask
        while True:
            found = keys[slot]
            if found == key:
                return True
            if not found:
                return False
            slot = (slot + 1) & mask

    def _grow(self) -> None:
        old_keys, old_values = self._keys, self._values
        self._bits += 1
        self._keys, self._values = _slots(self._bits), _slots(self._bits)
        keys, values, mask = self._keys, self._values, (1 << self._bits) - 1
        for key, value in zip(old_keys, old_values, strict=True):
            if key:
                slot = key & mask
                while keys[slot]:
                    slot = (slot + 1) & mask
                keys[slot], values[slot] = key, value


__all__ = ["HashTable"]
