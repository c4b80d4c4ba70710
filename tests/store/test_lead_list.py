"""The lead list in SQL: filters, sorts, lazy rows, derived readiness kept current."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from repdesk.domain.defaults import DEFAULT_RUBRIC
from repdesk.domain.leads import LifecycleStage
from repdesk.domain.qualification import BantAnswer, BantDimension
from repdesk.store import Store, reads
from repdesk.store.api import LeadQuery, LeadSort
from tests.store.factories import event, lead, note, rm, up

B, A, N, T = (
    BantDimension.BUDGET,
    BantDimension.AUTHORITY,
    BantDimension.NEED,
    BantDimension.TIMEFRAME,
)


def _fill(store: Store) -> None:
    store.apply_pull_page(
        [
            up("rubric", DEFAULT_RUBRIC, 1, "rubric-hub-id"),
            up("lead", lead("A", "Zoe", "Adams", "Beta", score=10, source_campaign_id="C1")),
            up("lead", lead("B", "amy", "Baker", "alpha", score=90, stage=LifecycleStage.SQL)),
            up("lead", lead("C", "Carl", "Cole", "Gamma", score=50)),
            up("nurture_event", event("A", 10, campaign_id="C2")),
            up("nurture_event", event("C", 30)),
        ],
        "c1",
    )
    store.update_bant(
        "B",
        {
            A: BantAnswer(A, "decision_maker"),
            N: BantAnswer(N, "critical"),
            T: BantAnswer(T, "this_month"),
        },
    )


def test_sorts(store: Store) -> None:
    _fill(store)

    def ids(sort: LeadSort, descending: bool = False) -> list[str]:
        return store.lead_ids(LeadQuery(sort=sort, descending=descending))

    assert ids(LeadSort.NAME) == ["B", "C", "A"]  # amy, carl, zoe: case-insensitive
    assert ids(LeadSort.SCORE, descending=True) == ["B", "C", "A"]
    assert ids(LeadSort.SCORE) == ["A", "C", "B"]
    assert ids(LeadSort.STAGE, descending=True) == ["B", "C", "A"]  # SQL after MQL
    assert ids(LeadSort.READY, descending=True)[0] == "B"
    # Last touch: B was just qualified (now), C had an event at +30, A at +10.
    assert ids(LeadSort.LAST_TOUCH, descending=True) == ["B", "C", "A"]


def test_filters(store: Store) -> None:
    _fill(store)
    assert store.lead_ids(LeadQuery(ready=True)) == ["B"]
    assert set(store.lead_ids(LeadQuery(ready=False))) == {"A", "C"}
    assert store.lead_ids(LeadQuery(stage=LifecycleStage.SQL)) == ["B"]
    assert store.lead_ids(LeadQuery(campaign_id="C1")) == ["A"]
    assert store.lead_ids(LeadQuery(campaign_id="C2")) == ["A"]
    assert store.lead_ids(LeadQuery(has_unsent=True)) == ["B"]
    store.add_call_note(note("C"))
    assert store.lead_ids(LeadQuery(has_unsent=True, sort=LeadSort.NAME, descending=False)) == [
        "B",
        "C",
    ]
    assert store.lead_ids(LeadQuery(has_unsent=False)) == ["A"]
    assert store.lead_ids(LeadQuery(search="carl", has_unsent=True)) == ["C"]
    assert store.lead_ids(LeadQuery(search="carl", ready=True)) == []


def test_lead_rows_keep_the_requested_order_and_skip_unknown_ids(store: Store) -> None:
    _fill(store)
    rows = store.lead_rows(["C", "missing", "A"])
    assert [r.id for r in rows] == ["C", "A"]
    assert rows[0].name == "Carl Cole" and rows[0].unsent == 0
    assert store.lead_rows(["B"])[0].unsent == 1
    assert store.lead_count() == 3


def test_rubric_change_recomputes_readiness_for_all_leads(store: Store) -> None:
    _fill(store)
    [b, c] = store.lead_rows(["B", "C"])
    assert (
        b.ready
        and not c.ready
        and c.missing == "Authority, Need, Budget, Timeframe"
        or (not c.ready and "Authority" in c.missing)
    )
    strict = dataclasses.replace(
        DEFAULT_RUBRIC,
        min_qualifying=4,
        dimensions=tuple(dataclasses.replace(d, required=True) for d in DEFAULT_RUBRIC.dimensions),
    )
    changes = store.apply_pull_page([up("rubric", strict, 2, "rubric-hub-id")], "c2")
    assert changes.leads and changes.reference
    [b, c] = store.lead_rows(["B", "C"])
    assert not b.ready and b.missing == "Budget"
    assert c.missing == "Budget, Authority, Need, Timeframe"
    assert store.lead_ids(LeadQuery(ready=True)) == []
    rubric = store.rubric()
    assert rubric is not None and rubric.version == 2 and rubric.min_qualifying == 4
    store.update_bant("B", {B: BantAnswer(B, "approved")})
    assert store.lead_ids(LeadQuery(ready=True)) == ["B"]


_leads = st.lists(
    st.tuples(st.text("abcXYZ ", min_size=1, max_size=5), st.integers(0, 5)),
    min_size=1,
    max_size=15,
)


@settings(max_examples=20, deadline=None)
@given(specs=_leads, descending=st.booleans())
def test_score_and_name_sorts_match_python(specs: list[tuple[str, int]], descending: bool) -> None:
    made = [
        lead(f"id{i:02d}", name, "", "Co", score=score) for i, (name, score) in enumerate(specs)
    ]
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp)) as store:
        store.apply_pull_page([up("lead", x) for x in made], "c")
        by_score = sorted(made, key=lambda x: (x.score, x.id), reverse=descending)
        got = store.lead_ids(LeadQuery(sort=LeadSort.SCORE, descending=descending))
        assert got == [x.id for x in by_score]
        by_name = sorted(made, key=lambda x: (x.full_name.casefold(), x.id), reverse=descending)
        got = store.lead_ids(LeadQuery(sort=LeadSort.NAME, descending=descending))
        assert got == [x.id for x in by_name]


def test_removing_the_rubric_makes_nobody_ready(store: Store) -> None:
    _fill(store)
    assert store.lead_ids(LeadQuery(ready=True)) == ["B"]
    store.apply_pull_page([rm("rubric", "rubric-hub-id", 3)], "c2")
    assert store.rubric() is None
    assert store.lead_ids(LeadQuery(ready=True)) == []
    assert {r.missing for r in store.lead_rows(["A", "B", "C"])} == {""}


def test_next_step_is_derived_locally_when_marketing_sets_none(seeded: Store) -> None:
    from repdesk.domain.feedback import Disposition, DispositionKind, Objection
    from repdesk.domain.ids import new_id, utcnow
    from repdesk.domain.qualification import Confidence

    def steps() -> dict[str, str]:
        return {r.id: r.next_step for r in seeded.lead_rows(["L1", "L2"])}

    assert steps() == {"L1": "Ask about budget", "L2": "Ask about budget"}  # first gap
    seeded.update_bant("L1", {B: BantAnswer(B, "approved"), A: BantAnswer(A, "influencer")})
    assert steps()["L1"] == "Recheck authority"  # answered, but not a qualifying answer
    seeded.update_bant("L1", {A: BantAnswer(A, "champion", confidence=Confidence.LOW)})
    assert steps()["L1"] == "Confirm authority"
    seeded.update_bant("L1", {A: BantAnswer(A, "champion"), N: BantAnswer(N, "critical")})
    assert steps()["L1"] == "Book a meeting"  # sales-ready

    price = Objection(
        id=new_id(), lead_id="L1", category_code="price", verbatim="Too dear", created_at=utcnow()
    )
    seeded.add_objection(price)
    assert steps()["L1"] == "Answer the price objection"
    seeded.set_disposition(
        Disposition(new_id(), "L1", DispositionKind.RETURN_TO_NURTURE, utcnow(), "next year")
    )
    assert steps()["L1"] == "Back to nurture"

    # Marketing's own next step wins, and the list sorts on what it shows, in SQL.
    seeded.apply_pull_page(
        [up("lead", lead("L2", "Grace", next_step="Send the contract"), 2)], "c1"
    )
    assert steps() == {"L1": "Back to nurture", "L2": "Send the contract"}
    by_step = seeded.lead_ids(LeadQuery(sort=LeadSort.NEXT_STEP, descending=False))
    assert by_step == ["L1", "L2"]
    # A rubric change re-derives every lead and keeps marketing's step.
    seeded.apply_pull_page([up("rubric", DEFAULT_RUBRIC, 2, "rubric-hub-id")], "c2")
    assert steps() == {"L1": "Back to nurture", "L2": "Send the contract"}


def test_pulled_objections_and_dispositions_move_the_next_step(seeded: Store) -> None:
    from repdesk.domain.feedback import Disposition, DispositionKind, Objection
    from repdesk.domain.ids import utcnow

    objection = Objection(
        id="O1", lead_id="L2", category_code="timing", verbatim="Not now", created_at=utcnow()
    )
    seeded.apply_pull_page([up("objection", objection, 1)], "c1")
    assert seeded.lead_rows(["L2"])[0].next_step == "Answer the timing objection"
    resolved = dataclasses.replace(objection, resolved=True)
    seeded.apply_pull_page([up("objection", resolved, 2)], "c2")
    assert seeded.lead_rows(["L2"])[0].next_step == "Ask about budget"
    gone = Disposition("D1", "L2", DispositionKind.DISQUALIFY, utcnow(), "no budget")
    seeded.apply_pull_page([up("disposition", gone, 1)], "c3")
    assert seeded.lead_rows(["L2"])[0].next_step == "Disqualified: no action"
    seeded.apply_pull_page([rm("disposition", "D1", 2)], "c4")
    assert seeded.lead_rows(["L2"])[0].next_step == "Ask about budget"


@pytest.mark.parametrize("broad", [0, 2000])
def test_a_page_is_the_head_of_the_whole_list_with_its_count(
    store: Store, broad: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`lead_page` (the first screenful of a search; with more matches than `_BROAD` read
    by walking the sort index) is exactly the start of `lead_ids` for the same query, and
    counts all of it. `_BROAD` is lowered to take the walking path on a small list."""
    monkeypatch.setattr(reads, "_BROAD", broad)
    _fill(store)
    queries = [
        LeadQuery(),
        LeadQuery(sort=LeadSort.NAME),
        LeadQuery(sort=LeadSort.SCORE, descending=True),
        LeadQuery(search="a"),
        LeadQuery(search="a", descending=False),
        LeadQuery(search="a", sort=LeadSort.NAME, stage=LifecycleStage.SQL),
        LeadQuery(search="zzz"),
        LeadQuery(stage=LifecycleStage.SQL),
        LeadQuery(campaign_id="C2"),
        LeadQuery(ready=False, sort=LeadSort.NAME),
    ]
    for query in queries:
        every = store.lead_ids(query)
        for limit in (1, 2, 120):
            page = store.lead_page(query, limit)
            assert (page.ids, page.total) == (every[:limit], len(every)), (query, limit)
