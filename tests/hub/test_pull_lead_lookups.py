"""A pull page looks its leads up by id, however many leads the rep owns (issue 9,
`sync.initial` at L: SQLite chose the owner index for `id IN (...) AND owner = ?` and
walked all of the rep's 100k leads, twice per page: 90 of the hub's 170 ms a page)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session
from tests.support import hub_rows as seed

from repdesk.hub.db import models as m
from repdesk.hub.db.engine import Database, sqlite_url
from repdesk.hub.db.migrate import upgrade_database
from repdesk.hub.sync import page_rows


def _steps(tmp_path: Path, owned: int, lookup: Callable[[Session, str, list[str]], Any]) -> int:
    """SQLite VM steps (thousands) for `lookup` of 20 of a rep's `owned` leads, plus a
    lead of another rep and a deleted one (both must be left out)."""
    url = sqlite_url(tmp_path / f"hub-{owned}-{lookup.__name__}.sqlite3")
    upgrade_database(url)
    db = Database(url)
    try:
        rep = seed.add_rep(db, "rep@example.test", "a long enough password", "Rep")
        other = seed.add_rep(db, "other@example.test", "a long enough password", "Other")
        with db.write() as s:
            leads = [m.Lead(first_name=f"Lead {n}", owner_rep_id=rep) for n in range(owned)]
            foreign = m.Lead(first_name="Foreign", owner_rep_id=other)
            gone = m.Lead(first_name="Deleted", owner_rep_id=rep, deleted=True)
            s.add_all([*leads, foreign, gone])
            s.flush()
            wanted = [lead.id for lead in leads[:: max(1, owned // 20)][:20]]
            asked = [*wanted, foreign.id, gone.id]
        with db.read() as s:
            steps = [0]

            def count() -> int:
                steps[0] += 1
                return 0

            raw = s.connection().connection.driver_connection
            assert raw is not None
            raw.set_progress_handler(count, 1000)
            found = lookup(s, rep, asked)
            raw.set_progress_handler(None, 0)
        assert set(found) == set(wanted)
    finally:
        db.dispose()
    return steps[0]


def test_owned_leads_are_found_by_id_not_by_walking_the_reps_leads(tmp_path: Path) -> None:
    few = _steps(tmp_path, 100, page_rows.owned_leads)
    many = _steps(tmp_path, 4_000, page_rows.owned_leads)
    assert many <= few + 1, (few, many)


def test_page_leads_are_read_by_id_not_by_walking_the_reps_leads(tmp_path: Path) -> None:
    few = _steps(tmp_path, 100, page_rows.leads)
    many = _steps(tmp_path, 4_000, page_rows.leads)
    assert many <= few + 1, (few, many)
