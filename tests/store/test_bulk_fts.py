"""A first sync into an empty cache indexes its leads and events for search page by page
(`bulk.keep_fts`), and falls back to finish_sync's rebuild whenever a page updates or
removes a row the index already holds: search ends the same either way."""

from __future__ import annotations

from pathlib import Path

import pytest

from repdesk.store import Store, bulk, fts, pull
from repdesk.store.api import LeadQuery, RemoteChange, RemoteEvents, RemoteLeads
from repdesk.store.bulk import BULK_THRESHOLD
from repdesk.store.convert import event_row, lead_row
from tests.store.factories import event, lead, rm

N = BULK_THRESHOLD + 20


def _leads(prefix: str, word: str, version: int = 1) -> RemoteLeads:
    return RemoteLeads([lead_row(lead(f"{prefix}{i}", word, f"N{i}"), version) for i in range(N)])


def _events(prefix: str, asset: str) -> RemoteEvents:
    return RemoteEvents(
        [event_row(event(f"{prefix}{i % N}", i, asset, event_id=f"E{prefix}{i}"), 1)
         for i in range(N)]
    )  # fmt: skip


def _fts_ok(store: Store) -> None:
    with store._tx() as conn:  # white-box: FTS5's own integrity check against the tables
        fts.integrity_check(conn)


def _kept(store: Store) -> bool:
    return bulk.FTS_KEPT in store._conn.info  # white-box: indexed page by page


def test_pages_that_only_add_rows_are_searchable_without_a_rebuild(data_dir: Path) -> None:
    with Store.open(data_dir) as store:
        store.apply_pull_page([_leads("A", "Ada"), _events("A", "Pricing page")], "c1")
        store.apply_pull_page([_leads("B", "Grace"), _events("B", "Roadmap webinar")], "c2")
        assert _kept(store)
        store.finish_sync()
        assert len(store.lead_ids(LeadQuery(search="grace"))) == N
        assert len(store.search("roadmap")) > 0
        _fts_ok(store)


@pytest.mark.parametrize("second", ["update", "remove_lead", "remove_event"])
def test_a_page_that_changes_an_indexed_row_falls_back_to_the_rebuild(
    data_dir: Path, second: str
) -> None:
    with Store.open(data_dir) as store:
        store.apply_pull_page([_leads("A", "Ada"), _events("A", "Pricing page")], "c1")
        page: list[RemoteChange] = [_leads("B", "Grace")]
        if second == "update":  # A1 again, renamed, newer: its old words must leave
            page.append(RemoteLeads([lead_row(lead("A1", "Renamed", "N1"), 2)]))
        elif second == "remove_lead":
            page += [rm("lead", "A1", 2), rm("nurture_event", "EA1", 2)]
        else:
            page.append(rm("nurture_event", "EA1", 2))
        store.apply_pull_page(page, "c2")
        assert not _kept(store)
        store.finish_sync()
        _fts_ok(store)
        ada = store.lead_ids(LeadQuery(search="ada"))
        assert len(ada) == (N if second == "remove_event" else N - 1)
        if second == "update":
            assert store.lead_ids(LeadQuery(search="renamed")) == ["A1"]


def test_a_page_rolled_back_is_indexed_when_it_comes_again(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fault is injected precisely (the page's rows and their index entries written,
    then its transaction fails), which is why `pull.keep_fts` is wrapped here."""
    with Store.open(data_dir) as store:
        store.apply_pull_page([_leads("A", "Ada")], "c1")
        original = pull.keep_fts

        def fails_after(conn: object, in_step: bool) -> None:
            original(conn, in_step)  # type: ignore[arg-type]
            raise OSError("injected")

        monkeypatch.setattr(pull, "keep_fts", fails_after)
        with pytest.raises(OSError):
            store.apply_pull_page([_leads("B", "Grace")], "c2")
        monkeypatch.setattr(pull, "keep_fts", original)
        assert store.sync_state().cursor == "c1"
        store.apply_pull_page([_leads("B", "Grace")], "c2")
        assert _kept(store)
        store.finish_sync()
        _fts_ok(store)
        assert len(store.lead_ids(LeadQuery(search="grace"))) == N
