"""The fast row checks (`RowChecker.record`) give what the plain per-field checks
(`lead_rows.reference`) give, record or message, for every format and for cells at and
past each limit: the fast path is only a shortcut (issue 10, defect 4: import speed)."""

from __future__ import annotations

import random

import pytest

from repdesk.hub.importers import values as v
from repdesk.hub.importers.lead_rows import SOURCE_FIELDS, LeadRecord, RowChecker, reference

_CELLS: dict[str, list[str]] = {
    "external_id": ["", "00Q1", " 00Q2 ", "x" * 200, "x" * 201, "a\x00b", "\ud800"],
    "first_name": ["", "Ann", " Núñez ", "n" * 200, "n" * 201, "Zoë\x00"],
    "last_name": ["", "Lee", "O'Brien", "l" * 201, "\udcff"],
    "company": ["", "Acme", "Société Générale", "c" * 300, "c" * 301],
    "title": ["", "CEO", "t" * 301],
    "industry": ["", "Retail", "i" * 201],
    "email": [
        "",
        "ann@example.com",
        " MAILTO:Bob@Example.COM ",
        "josé.garcía@example.es",
        "not-an-email",
        "a" * 308 + "@example.com",  # 320
        "a" * 309 + "@example.com",  # 321
        "\u0130" * 300 + "@example.com",  # lower() makes it 612 characters long
        "a\x00@example.com",
    ],
    "company_size": ["", "250", " 1,200 ", "0012", "2147483647", "2147483648", "-3", "1.5", "x"],
    "phone": ["", "+34 600", "p" * 101],
    "mobile": ["", "+49 151"],
    "country": ["", "Spain", "c" * 101],
    "marketing_notes": ["", "Met at booth.\nAsked about SSO", "n\x00"],
    "created_at": ["", "2024-03-01T10:00:05Z", "03/01/2024", "yesterday", " "],
    "owner": ["", "rep@example.com", "o" * 400],
    "source": ["", "Web", "s" * 400],
    "score": ["", "42", "3000000000", "x"],
    "rating": ["", "Hot", "cold"],
    "sf_status": ["", "Open - Not Contacted", "Nurturing", "Closed - Converted"],
    "stage": ["", "salesqualifiedlead", "Custom"],
    "status": ["", "IN_PROGRESS", "Attempted"],
    "lifecycle_stage": ["", "mql", "opportunity"],
    "lead_status": ["", "new", "bad timing"],
}


def _outcome(build: object, *args: object) -> LeadRecord | str:
    try:
        return build(*args)  # type: ignore[operator, no-any-return]
    except v.BadValue as exc:
        return f"BadValue: {exc}"


@pytest.mark.parametrize("kind", ["salesforce", "hubspot", "repdesk-csv", "repdesk-jsonl"])
def test_fast_checks_agree_with_the_reference(kind: str) -> None:
    rng = random.Random(20240301)
    checker = RowChecker(kind)
    # Mostly good rows (the fast path), with one or two odd cells in many of them.
    good = {name: next((c for c in cells if c), "") for name, cells in _CELLS.items()}
    for line in range(2, 4002):
        cells = dict(good)
        for name in rng.sample(SOURCE_FIELDS, rng.choice([0, 1, 1, 2, 3])):
            cells[name] = rng.choice(_CELLS[name])
        raw = tuple(cells[name] for name in SOURCE_FIELDS)
        fast = _outcome(checker.record, line, raw)
        assert fast == _outcome(reference, kind, line, raw), raw
    # the memoised picklists were read once each, not once per row
    assert len(checker._statuses) < 40  # noqa: SLF001
