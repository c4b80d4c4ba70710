"""Pull pages: one transaction with the cursor, version-gated, replay-safe; removes; resync."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from repdesk.domain.leads import Campaign, Collateral
from repdesk.domain.outbox import OutboxState
from repdesk.domain.qualification import Bant, BantAnswer, BantDimension
from repdesk.store import Store
from repdesk.store.api import (
    FieldConflict,
    LeadQuery,
    MutationOutcome,
    RemoteChange,
    RemoteEvents,
    RemoteLeads,
)
from repdesk.store.bulk import BULK_THRESHOLD
from repdesk.store.convert import event_row, lead_row
from tests.store.factories import at, event, lead, note, rm, up

N = BantDimension.NEED


def _snapshot(store: Store) -> dict[str, Any]:
    ids = store.lead_ids(LeadQuery(sort="name", descending=False))  # type: ignore[arg-type]
    return {
        "leads": [store.lead(i) for i in ids],
        "events": {i: store.events(i) for i in ids},
        "rows": store.lead_rows(ids),
        "search": store.search("pri"),
    }


def test_page_and_cursor_land_together_and_replay_is_harmless(seeded: Store) -> None:
    page: list[RemoteChange] = [
        up("lead", lead("L3", "Alan", "Turing", "Bletchley"), 2),
        up("nurture_event", event("L3", 5, "Pricing page", event_id="E1"), 1),
        up("nurture_event", event("L3", 9, "Webinar", event_id="E2"), 1),
        rm("nurture_event", "E2", 2),
    ]
    seeded.apply_pull_page(page, "c1")
    assert seeded.sync_state().cursor == "c1"
    first = _snapshot(seeded)
    seeded.apply_pull_page(page, "c1")
    assert _snapshot(seeded) == first
    assert [e.id for e in seeded.events("L3")] == ["E1"]
    last_touch = seeded.lead_rows(["L3"])[0].last_touch_at
    assert last_touch == at(5)


def test_older_versions_never_overwrite_newer_ones(seeded: Store) -> None:
    seeded.apply_pull_page([up("lead", lead("L9", "New", "Name", "Newco"), 5)], "c1")
    seeded.apply_pull_page([up("lead", lead("L9", "Old", "Name", "Oldco"), 4)], "c2")
    found = seeded.lead("L9")
    assert found is not None and (found.first_name, found.version) == ("New", 5)
    seeded.apply_pull_page([up("lead", lead("L9", "Same", "Name", "Newco"), 5)], "c3")
    found = seeded.lead("L9")
    assert found is not None and found.first_name == "Same"  # equal version applies
    assert [h.title for h in seeded.search("same")] == ["Same Name"]
    assert seeded.search("new") == [] or all(h.title != "New Name" for h in seeded.search("new"))
    # A remove older than the row is ignored too.
    seeded.apply_pull_page([rm("lead", "L9", 3)], "c4")
    assert seeded.lead("L9") is not None


def test_a_replayed_upsert_older_than_a_remove_does_not_resurrect(seeded: Store) -> None:
    seeded.apply_pull_page([up("lead", lead("L9"), 1)], "c1")
    seeded.apply_pull_page([rm("lead", "L9", 2)], "c2")
    seeded.apply_pull_page([up("lead", lead("L9"), 1)], "c1")
    assert seeded.lead("L9") is None
    seeded.apply_pull_page([up("lead", lead("L9", "Back"), 3)], "c3")  # reassigned back
    assert seeded.lead("L9") is not None


def test_lead_remove_drops_history_but_keeps_the_reps_unsent_writes(seeded: Store) -> None:
    seeded.apply_pull_page(
        [up("nurture_event", event("L1", 1, "Pricing page", event_id="E1"), 1)], "c1"
    )
    sent, unsent = note("L1", "sent earlier"), note("L1", "still queued")
    seeded.add_call_note(sent)
    seeded.add_call_note(unsent)
    [sent_item, _unsent_item] = seeded.pending_mutations(10)
    seeded.apply_outcomes([MutationOutcome(sent_item.id, OutboxState.APPLIED, server_version=1)])
    seeded.update_bant("L1", {N: BantAnswer(N, "critical")})

    changes = seeded.apply_pull_page([rm("lead", "L1", 9), rm("nurture_event", "E1", 2)], "c2")
    assert "L1" in changes.lead_ids
    assert seeded.lead("L1") is None and seeded.events("L1") == []
    assert "L1" not in seeded.lead_ids(LeadQuery())
    assert [n.body for n in seeded.notes("L1")] == ["still queued"]
    assert [i.entity_id for i in seeded.pending_mutations(10)][0] == unsent.id
    assert len(seeded.pending_mutations(10)) == 2  # the note and the BANT update
    assert seeded.search("Lovelace") == [] and seeded.search("pricing") == []
    assert [h.ref_id for h in seeded.search("queued")] == [unsent.id]
    _fts_ok(seeded)


def test_full_resync_clears_hub_data_but_keeps_outbox_and_conflicts(seeded: Store) -> None:
    seeded.apply_pull_page(
        [
            up("campaign", Campaign(id="C1", name="Spring"), 1),
            up("nurture_event", event("L1", 1, event_id="E1"), 1),
        ],
        "c1",
    )
    seeded.add_call_note(note("L1", "queued"))
    seeded.update_bant("L1", {N: BantAnswer(N, "critical")})
    qual = seeded.pending_mutations(10)[1]
    seeded.apply_outcomes(
        [
            MutationOutcome(
                qual.id,
                OutboxState.CONFLICT,
                server_version=4,
                conflicts=(FieldConflict("need", "critical", "clear"),),
            )
        ]
    )
    outbox_before, conflicts_before = seeded.outbox(), seeded.conflicts()

    seeded.begin_full_resync()
    state = seeded.sync_state()
    assert state.cursor is None and state.full_resync_needed
    assert seeded.lead_count() == 0 and seeded.campaigns() == [] and seeded.rubric() is None
    assert seeded.objection_categories() == []
    assert seeded.outbox() == outbox_before and seeded.conflicts() == conflicts_before
    assert [n.body for n in seeded.notes("L1")] == ["queued"]
    _fts_ok(seeded)
    seeded.apply_pull_page([up("lead", lead("L1"), 1)], "c9")
    seeded.finish_sync()
    assert not seeded.sync_state().full_resync_needed
    assert seeded.lead_rows(["L1"])[0].unsent == 2


def _autocheckpoint(store: Store) -> int:
    with store._tx() as conn:  # white-box: the connection's own setting
        return int(conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())


def test_big_pages_skip_fts_upkeep_and_finish_sync_rebuilds(store: Store) -> None:
    size = BULK_THRESHOLD + 10
    page: list[RemoteChange] = [
        up("lead", lead(f"B{i}", "Bulk", f"Person{i}", "Bulkco"), 1) for i in range(size)
    ]
    store.apply_pull_page(page, "c1")
    assert store.lead_count() == size
    assert _autocheckpoint(store) == 0  # paused for bulk pages...
    store.finish_sync()
    assert _autocheckpoint(store) == 1000  # ...and back to SQLite's default after them
    assert len(store.lead_ids(LeadQuery(search="person1"))) == 1 + 10 + 100
    assert store.sync_state().last_sync_at is not None
    _fts_ok(store)
    # Small writes after the rebuild are indexed in code again.
    store.apply_pull_page([up("lead", lead("B0", "Renamed", "Zed", "Bulkco"), 2)], "c2")
    assert store.lead_ids(LeadQuery(search="renamed")) == ["B0"]
    _fts_ok(store)


def test_finish_sync_records_errors_without_moving_the_last_sync(store: Store) -> None:
    store.finish_sync()
    ok = store.sync_state().last_sync_at
    store.finish_sync("The hub could not be reached")
    state = store.sync_state()
    assert state.last_error == "The hub could not be reached" and state.last_sync_at == ok


def test_pulled_qualification_keeps_unsent_local_answers(seeded: Store) -> None:
    seeded.update_bant("L1", {N: BantAnswer(N, "critical")})
    hub = Bant(
        lead_id="L1",
        budget=BantAnswer(BantDimension.BUDGET, "approved"),
        need=BantAnswer(N, "nice_to_have"),
        version=2,
    )
    from repdesk.store.api import RemoteUpsert

    seeded.apply_pull_page([RemoteUpsert("qualification", "L1", 2, hub)], "c1")
    bant = seeded.bant("L1")
    assert bant.need is not None and bant.need.value == "critical"
    assert bant.budget is not None and bant.budget.value == "approved"
    assert bant.version == 2


def test_wanted_collateral_follows_the_campaigns_of_current_leads(seeded: Store) -> None:
    def doc(cid: str, campaign: str | None) -> Collateral:
        return Collateral(cid, f"Doc {cid}", "0" * 64, 10, "application/pdf", campaign)

    seeded.apply_pull_page(
        [
            up("collateral", doc("D1", "C1"), 1),
            up("collateral", doc("D2", "C2"), 1),
            up("collateral", doc("D3", "C3"), 1),
            up("collateral", doc("G1", None), 1),
            up("lead", lead("L5", source_campaign_id="C1"), 1),
            up("nurture_event", event("L2", 1, campaign_id="C2"), 1),
        ],
        "c1",
    )
    # General collateral (no campaign) is always kept; D3's campaign reaches no lead of ours.
    assert [c.id for c in seeded.wanted_collateral()] == ["D1", "D2", "G1"]
    assert [c.id for c in seeded.collateral_for_lead("L5")] == ["D1"]
    seeded.apply_pull_page([rm("lead", "L5", 5)], "c2")
    assert [c.id for c in seeded.wanted_collateral()] == ["D2", "G1"]


def test_an_answer_to_an_open_objection_is_offered_whatever_its_campaign(seeded: Store) -> None:
    """Marketing answers an objection category, not a campaign: a piece tagged with the
    code of one of the lead's open objections is the lead's collateral too."""
    from repdesk.domain.feedback import Objection
    from repdesk.domain.ids import utcnow

    answer = Collateral("A1", "Security overview", "1" * 64, 10, "application/pdf", "C9")
    other = Collateral("A2", "Pricing FAQ", "2" * 64, 10, "application/pdf", None, ("price",))
    seeded.apply_pull_page(
        [
            up("collateral", Collateral("D1", "Doc", "0" * 64, 10, "x", "C1"), 1),
            up("collateral", answer, 1),
            up("collateral", other, 1),
            up("lead", lead("L5", source_campaign_id="C1"), 1),
        ],
        "c1",
    )
    assert [c.id for c in seeded.collateral_for_lead("L5")] == ["D1"]
    seeded.add_objection(Objection("o1", "L5", "security", "Where is it hosted?", utcnow()))
    tagged = Collateral("A1", "Security overview", "1" * 64, 10, "x", "C9", ("Security",))
    seeded.apply_pull_page([up("collateral", tagged, 2)], "c2")
    assert [c.id for c in seeded.collateral_for_lead("L5")] == ["D1", "A1"]


def _fts_ok(store: Store) -> None:
    from repdesk.store import fts

    with store._tx() as conn:  # white-box: FTS5's own integrity check against the tables
        fts.integrity_check(conn)


_ids = st.sampled_from(["a", "b", "c"])
_ops = st.lists(
    st.tuples(
        st.sampled_from(["lead", "event", "rm_lead", "rm_event"]), _ids, st.text("xyz", max_size=3)
    ),
    max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=_ops, split=st.integers(min_value=1, max_value=5))
def test_replaying_any_pages_gives_the_same_state(
    ops: list[tuple[str, str, str]], split: int
) -> None:
    changes: list[RemoteChange] = []
    for version, (op, ident, word) in enumerate(ops, start=1):
        if op == "lead":
            changes.append(up("lead", lead(ident, "P" + word, "Q", "Co"), version))
        elif op == "event":
            changes.append(
                up(
                    "nurture_event",
                    event(ident, version, "A" + word, event_id="e" + ident),
                    version,
                )
            )
        elif op == "rm_lead":
            # PROTOCOL.md: a lead's remove comes together with removes of its events.
            changes.append(rm("lead", ident, version))
            changes.append(rm("nurture_event", "e" + ident, version))
        else:
            changes.append(rm("nurture_event", "e" + ident, version))
    pages = [changes[i : i + split] for i in range(0, len(changes), split)]
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp)) as store:
        for n, page in enumerate(pages):
            store.apply_pull_page(page, f"c{n}")
        once = _snapshot(store)
        for n, page in enumerate(pages):
            store.apply_pull_page(page, f"c{n}")
        assert _snapshot(store) == once
        _fts_ok(store)


def test_a_big_page_left_without_finish_sync_is_indexed_at_next_open(data_dir: Path) -> None:
    page: list[RemoteChange] = [
        up("lead", lead(f"B{i}", "Crash", f"Test{i}", "Co"), 1) for i in range(BULK_THRESHOLD + 1)
    ]
    with Store.open(data_dir) as store:
        store.apply_pull_page(page, "c1")
    with Store.open(data_dir) as store:
        assert len(store.lead_ids(LeadQuery(search="crash"))) == BULK_THRESHOLD + 1
        _fts_ok(store)


@given(value=st.datetimes(min_value=datetime(1000, 1, 1)))
def test_bulk_datetime_text_is_exactly_sqlalchemys(value: datetime) -> None:
    """The bulk path's fast DATETIME formatter must write what SQLAlchemy itself writes."""
    from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect

    from repdesk.store.bulk import _datetime_text
    from repdesk.store.models import EVENTS

    d = sqlite_dialect()
    reference = EVENTS.c.occurred_at.type.dialect_impl(d).bind_processor(d)
    assert reference is not None
    assert _datetime_text(value) == reference(value)


@given(
    value=st.datetimes(
        min_value=datetime(1000, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.one_of(st.none(), st.just(UTC), st.timezones()),
    )
)
@example(value=datetime(2025, 1, 1, 5, tzinfo=UTC))
@example(value=datetime(2025, 1, 1, 5, 0, 0, 5, tzinfo=UTC))
def test_event_times_are_stored_as_sqlalchemy_stores_them(value: datetime) -> None:
    """A pulled event's time (`db_time`, cut from msgspec's RFC 3339 text) is the text
    SQLAlchemy writes for the same time made naive UTC (`to_db`): aware or naive, with or
    without a fraction of a second."""
    from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect

    from repdesk.store.convert import db_time, to_db
    from repdesk.store.models import EVENTS

    d = sqlite_dialect()
    reference = EVENTS.c.occurred_at.type.dialect_impl(d).bind_processor(d)
    assert reference is not None
    assert db_time(value) == reference(to_db(value))


def test_a_territory_change_removes_many_leads_in_one_page(store: Store) -> None:
    size = BULK_THRESHOLD + 5
    store.apply_pull_page(
        [up("lead", lead(f"T{i}", "Terr", f"N{i}", "Co"), 1) for i in range(size)], "c1"
    )
    store.apply_pull_page([up("nurture_event", event("T0", 1, event_id="TE0"))], "c2")
    store.add_call_note(note("T3", "queued about T3"))
    store.apply_pull_page(
        [rm("lead", f"T{i}", 2) for i in range(size - 1)] + [rm("lead", f"T{size - 1}", 0)], "c3"
    )
    store.finish_sync()
    assert store.lead_ids(LeadQuery()) == [f"T{size - 1}"]  # its remove was older: kept
    assert store.events("T0") == []
    assert [n.body for n in store.notes("T3")] == ["queued about T3"]
    assert len(store.pending_mutations(10)) == 1
    _fts_ok(store)


def test_a_big_page_over_a_bigger_database_keeps_the_index_live(store: Store) -> None:
    """After the first sync, a page that is small next to the indexed data is indexed row by
    row (searchable at once), not left for a full rebuild."""
    store.bulk_load([lead(f"H{i}", "Hub", f"Row{i}") for i in range(6000)], [])
    store.apply_pull_page([], "c1")
    store.finish_sync()
    page: list[RemoteChange] = [
        up("lead", lead(f"N{i}", "Fresh", f"Name{i}"), 1) for i in range(BULK_THRESHOLD + 1)
    ]
    store.apply_pull_page(page, "c2")
    assert len(store.lead_ids(LeadQuery(search="fresh"))) == BULK_THRESHOLD + 1
    _fts_ok(store)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=_ops, versions=st.lists(st.integers(min_value=1, max_value=4), min_size=12))
# Found by this property: an event re-sent under another lead left the first lead's last
# touch pointing at it when applied page by page.
@example(ops=[("lead", "a", ""), ("event", "a", ""), ("event", "b", "")], versions=[1] * 12)
# And: two removes of one lead in a row kept only the last one's version, so a newer remove
# followed by an older one left the lead in place.
@example(
    ops=[("lead", "a", "y"), ("rm_lead", "a", ""), ("rm_lead", "a", "")],
    versions=[3, 4, 2] + [1] * 9,
)
def test_one_page_ends_like_the_same_changes_one_page_each(
    ops: list[tuple[str, str, str]], versions: list[int]
) -> None:
    """A page's upserts are batched per entity between removes: the end state must equal
    applying every change on its own page, whatever the mix and version order."""
    changes: list[RemoteChange] = []
    for (op, ident, word), version in zip(ops, versions, strict=False):
        if op == "lead":
            changes.append(up("lead", lead(ident, "P" + word, "Q", "Co"), version))
        elif op == "event":
            ev = event(ident, version, "A" + word, event_id="e" + word)
            changes.append(up("nurture_event", ev, version))
        elif op == "rm_lead":
            changes.append(rm("lead", ident, version))
        else:
            changes.append(rm("nurture_event", "e" + word, version))
    with tempfile.TemporaryDirectory() as tmp:
        with Store.open(Path(tmp) / "one") as whole:
            whole.apply_pull_page(changes, "c")
            whole.finish_sync()
            together = _snapshot(whole)
            _fts_ok(whole)
        with Store.open(Path(tmp) / "each") as single:
            for n, change in enumerate(changes):
                single.apply_pull_page([change], f"c{n}")
            single.finish_sync()
            assert _snapshot(single) == together


def _wanted_by_full_union(store: Store) -> list[str]:
    """The computation `wanted_collateral` replaced: the union of every lead's and every
    event's campaign, then the collateral of those campaigns and the general collateral."""
    from sqlalchemy import text

    sql = text(
        "SELECT id FROM collateral WHERE campaign_id IS NULL OR campaign_id IN ("
        " SELECT source_campaign_id FROM leads WHERE source_campaign_id IS NOT NULL"
        " UNION SELECT campaign_id FROM nurture_events WHERE campaign_id IS NOT NULL)"
        " ORDER BY title, id"
    )
    return store._run(lambda c: [r[0] for r in c.execute(sql)])  # noqa: SLF001


def test_wanted_collateral_stays_right_as_pages_add_and_remove_leads_and_events(
    seeded: Store,
) -> None:
    """Pages that add, move and remove leads, events and collateral: after each one the
    indexed query answers exactly what the old full union of campaigns did."""
    import random

    rng = random.Random(9)
    campaigns = [f"C{i}" for i in range(6)]
    docs = [
        Collateral(f"D{i}", f"Doc {i}", f"{i:064x}", 10, "application/pdf", campaign)
        for i, campaign in enumerate([*campaigns, None, "C-none"])
    ]
    seeded.apply_pull_page([up("collateral", d, 1) for d in docs], "c0")
    version = 1
    live_leads: set[str] = {"L1", "L2"}
    live_events: dict[str, str] = {}
    seen_sets = set()
    for page in range(40):
        version += 1
        changes: list[Any] = []
        for _ in range(rng.randint(1, 6)):
            roll = rng.random()
            if roll < 0.3:
                lead_id = f"N{rng.randint(0, 12)}"
                campaign = rng.choice([*campaigns, None])
                changes.append(up("lead", lead(lead_id, source_campaign_id=campaign), version))
                live_leads.add(lead_id)
            elif roll < 0.45 and live_leads - {"L1", "L2"}:
                lead_id = rng.choice(sorted(live_leads - {"L1", "L2"}))
                changes.append(rm("lead", lead_id, version))
                live_leads.discard(lead_id)
            elif roll < 0.75:
                owner = rng.choice(sorted(live_leads))
                event_id = f"E{rng.randint(0, 20)}"
                campaign = rng.choice([*campaigns, None])
                changes.append(
                    up(
                        "nurture_event",
                        event(owner, page, event_id=event_id, campaign_id=campaign),
                        version,
                    )
                )
                live_events[event_id] = owner
            elif roll < 0.9 and live_events:
                event_id = rng.choice(sorted(live_events))
                changes.append(rm("nurture_event", event_id, version))
                live_events.pop(event_id)
            else:
                doc = rng.choice(docs)
                moved = Collateral(
                    doc.id, doc.title, doc.sha256, 10, "application/pdf", rng.choice(campaigns)
                )
                changes.append(up("collateral", moved, version))
        seeded.apply_pull_page(changes, f"c{page + 1}")
        wanted = [c.id for c in seeded.wanted_collateral()]
        assert wanted == _wanted_by_full_union(seeded), f"after page {page}"
        seen_sets.add(tuple(wanted))
    assert len(seen_sets) > 3  # the pages really changed what is wanted


def test_event_rows_end_like_the_same_events_as_upserts(data_dir: Path) -> None:
    """`RemoteEvents` (how pull pages hand events over: rows, no object per event) against
    a `RemoteUpsert` of each event. A page of more rows than BULK_THRESHOLD takes the bulk
    path, as that many upserts do: the rows count, not the number of runs."""
    events = [
        event(
            "L1" if i % 3 else "L2", i, "Pricing page" if i % 2 else f"Asset {i}", event_id=f"E{i}"
        )
        for i in range(BULK_THRESHOLD + 10)
    ]
    leads = [
        up("lead", lead("L1", "Ada", "Lovelace", "Analytical Engines")),
        up("lead", lead("L2", "Grace", "Hopper", "Cobol Systems")),
    ]
    replaced = event("L2", 1, "Pricing page", event_id="E1")  # an older version, left alone
    with Store.open(data_dir / "rows") as rows:
        rows.apply_pull_page(
            [*leads, RemoteEvents([event_row(e, 3) for e in events[:7]]), leads[0],
             RemoteEvents([event_row(e, 3) for e in events[7:]]), up("nurture_event", replaced, 2)],
            "c1",
        )  # fmt: skip
        assert _autocheckpoint(rows) == 0  # the bulk path
        rows.finish_sync()
        _fts_ok(rows)
        got = _snapshot(rows)
    with Store.open(data_dir / "upserts") as upserts:
        upserts.apply_pull_page(
            [
                *leads,
                *(up("nurture_event", e, 3) for e in events),
                up("nurture_event", replaced, 2),
            ],
            "c1",
        )
        assert _autocheckpoint(upserts) == 0
        upserts.finish_sync()
        assert _snapshot(upserts) == got
    assert len(got["events"]["L2"]) == len([e for e in events if e.lead_id == "L2"])
    # A small page of rows later keeps the index in step row by row.
    with Store.open(data_dir / "rows") as rows:
        moved = event("L1", 99, "Roadmap webinar", event_id="E2")
        rows.apply_pull_page([RemoteEvents([event_row(moved, 4)])], "c2")
        assert [e.id for e in rows.events("L1") if e.asset == "Roadmap webinar"] == ["E2"]
        assert "E2" not in [e.id for e in rows.events("L2")]
        assert rows.search("roadmap")
        _fts_ok(rows)


def test_lead_rows_end_like_the_same_leads_as_upserts(data_dir: Path) -> None:
    """`RemoteLeads` (how pull pages hand leads over: rows, no `Lead` per lead) against a
    `RemoteUpsert` of each lead, on the bulk path and on a small page later: times in
    any zone stored as UTC, and an update keeps the derived columns (last touch)."""
    berlin = timezone(timedelta(hours=1))
    leads = [
        lead(
            f"L{i}", f"First{i}", "Last", f"Company {i % 7}",
            created_at=datetime(2026, 3, 1, 9, 30, tzinfo=berlin) if i % 2 else None,
            assigned_at=at(i), company_size=None if i % 3 else i,
        )
        for i in range(BULK_THRESHOLD + 10)
    ]  # fmt: skip
    touched = event("L1", 42, "Pricing page", event_id="E1")
    later = lead("L1", "Renamed", "Later", "Newco", updated_at=at(50))

    def apply(store: Store, as_rows: bool) -> dict[str, Any]:
        first: list[RemoteChange] = (
            [RemoteLeads([lead_row(x, 2) for x in leads])]
            if as_rows
            else [up("lead", x, 2) for x in leads]
        )
        store.apply_pull_page([*first, up("nurture_event", touched, 1)], "c1")
        assert _autocheckpoint(store) == 0  # the bulk path
        store.finish_sync()
        update: RemoteChange = (
            RemoteLeads([lead_row(later, 3)]) if as_rows else up("lead", later, 3)
        )
        store.apply_pull_page([update], "c2")
        _fts_ok(store)
        return _snapshot(store) | {"search": store.search("renamed")}

    with Store.open(data_dir / "rows") as rows:
        got = apply(rows, as_rows=True)
    with Store.open(data_dir / "upserts") as upserts:
        assert apply(upserts, as_rows=False) == got
    l1 = next(x for x in got["rows"] if x.id == "L1")
    assert (l1.name, l1.last_touch_at) == ("Renamed Later", at(42))
    l3 = next(x for x in got["leads"] if x is not None and x.id == "L3")
    assert l3.created_at == datetime(2026, 3, 1, 8, 30, tzinfo=UTC)


def test_a_bulk_load_ends_like_the_same_rows_pulled(data_dir: Path) -> None:
    """`Store.bulk_load` (demo data: rows, indexes built after, a rollback journal into an
    empty cache) against the same leads and events as one bulk pull page."""
    leads = [lead(f"L{i}", f"First{i}", "Last", f"Co {i % 5}") for i in range(40)]
    events = [
        event(f"L{i % 40}", i, "Pricing page" if i % 2 else f"Asset {i}", event_id=f"E{i}")
        for i in range(BULK_THRESHOLD + 10)
    ]
    with Store.open(data_dir / "loaded") as loaded:
        loaded.bulk_load(leads, events)
        _fts_ok(loaded)
        with loaded._tx() as conn:  # white-box: back to WAL after the load
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        got = _snapshot(loaded)
    with Store.open(data_dir / "pulled") as pulled:
        page: list[RemoteChange] = [
            *(up("lead", x, x.version) for x in leads),
            *(up("nurture_event", e, e.version) for e in events),
        ]
        pulled.apply_pull_page(page, "c1")
        pulled.finish_sync()
        assert _snapshot(pulled) == got
    assert len(got["events"]["L1"]) == len([e for e in events if e.lead_id == "L1"])
