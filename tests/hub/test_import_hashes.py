"""The compact hash table behind an import's memory of ids and emails (`FirstSeen`, a
fresh load's emails) keeps what a dict would, through its growth."""

from __future__ import annotations

from repdesk.hub.importers.hashes import HashTable


def test_the_table_keeps_the_first_value_of_every_hash_as_it_grows() -> None:
    table = HashTable(bits=4)
    hashes = [hash(f"lead{i}@example.com") for i in range(5000)] + [0, -1, 2**63, -(2**63)]
    reference: dict[int, int] = {}
    for i, h in enumerate(hashes):
        assert table.setdefault(h, i) == reference.get(h & (2**64 - 1) or 1)
        reference.setdefault(h & (2**64 - 1) or 1, i)
    assert len(table) == len(reference)
    for h in hashes:
        assert h in table
        assert table.setdefault(h, -5) == reference[h & (2**64 - 1) or 1]
    assert hash("nobody@example.com") not in table
