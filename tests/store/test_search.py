"""FTS5 search: prefix words, bm25 ranking, hostile input, indexes in step with the tables."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repdesk.store import Store, fts
from repdesk.store.api import LeadQuery, SearchKind
from tests.store.factories import event, lead, note, rm, up


def _integrity(store: Store) -> None:
    with store._tx() as conn:  # white-box: FTS5's own integrity check against the tables
        fts.integrity_check(conn)


@pytest.fixture
def people(store: Store) -> Store:
    store.apply_pull_page(
        [
            up("lead", lead("P1", "Maria", "Smith", "Northwind", title="CFO")),
            up("lead", lead("P2", "John", "Doe", "Smithfield Foods", title="Buyer")),
            up("lead", lead("P3", "Ana", "Lopez", "Contoso", email="ana@smithmail.example")),
            up("nurture_event", event("P3", 1, "Pricing calculator", event_id="E1")),
            up(
                "nurture_event",
                event("P2", 2, "Webinar", detail="Asked about pricing tiers", event_id="E2"),
            ),
        ],
        "c1",
    )
    store.add_call_note(note("P1", "Budget approved for pricing review in Q3"))
    return store


def test_each_word_is_a_prefix_and_all_words_must_match(people: Store) -> None:
    assert people.lead_ids(LeadQuery(search="smi")) != []
    assert set(people.lead_ids(LeadQuery(search="smi"))) == {"P1", "P2", "P3"}
    assert people.lead_ids(LeadQuery(search="mar smi")) == ["P1"]
    assert people.lead_ids(LeadQuery(search="john smith")) == ["P2"]
    assert people.lead_ids(LeadQuery(search="maria doe")) == []
    assert people.lead_ids(LeadQuery(search="MARÍA")) == ["P1"]  # case and accents folded


def test_hits_are_ranked_name_before_company_before_email(people: Store) -> None:
    hits = [h for h in people.search("smith") if h.kind is SearchKind.LEAD]
    assert [h.lead_id for h in hits] == ["P1", "P2", "P3"]
    assert hits == sorted(hits, key=lambda h: h.rank)
    assert hits[0].title == "Maria Smith"


def test_search_covers_events_and_notes(people: Store) -> None:
    hits = people.search("pric")
    kinds = {(h.kind, h.lead_id) for h in hits}
    assert kinds == {
        (SearchKind.EVENT, "P3"),
        (SearchKind.EVENT, "P2"),
        (SearchKind.NOTE, "P1"),
    }
    assert all("pric" in h.snippet.lower() for h in hits)
    assert len(people.search("pric", limit=2)) == 2


HOSTILE = [
    '"',
    '""',
    "*",
    "-",
    "-smith",
    "smith*",
    "NEAR(smith maria)",
    "NEAR",
    "(",
    ")",
    "smith)",
    "AND",
    "OR NOT",
    "maria AND",
    "title:cfo",
    "^smith",
    "'; DROP TABLE leads; --",
    "{smith}",
    "\x00",
    "   ",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_never_breaks_the_query(people: Store, text: str) -> None:
    people.search(text)
    people.lead_ids(LeadQuery(search=text))
    assert people.lead_count() == 3


def test_operators_are_searched_as_words(people: Store) -> None:
    assert people.lead_ids(LeadQuery(search="-smith")) == people.lead_ids(LeadQuery(search="smith"))
    assert people.lead_ids(LeadQuery(search='(maria "smith*')) == ["P1"]
    assert people.lead_ids(LeadQuery(search="ana@smithmail")) == ["P3"]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=40))
def test_any_text_is_a_valid_query(people: Store, text: str) -> None:
    people.search(text)
    people.lead_ids(LeadQuery(search=text))


def test_index_follows_updates_and_removes(people: Store) -> None:
    people.apply_pull_page([up("lead", lead("P1", "Maria", "Garcia", "Northwind"), 2)], "c2")
    assert "P1" not in people.lead_ids(LeadQuery(search="smith"))
    assert people.lead_ids(LeadQuery(search="garcia")) == ["P1"]
    people.apply_pull_page([rm("nurture_event", "E1", 2)], "c3")
    assert {h.ref_id for h in people.search("calculator")} == set()
    people.apply_pull_page([rm("lead", "P2", 5)], "c4")
    assert people.search("john") == []
    assert people.search("tiers") == []  # its events went with it
    _integrity(people)


def test_bulk_load_rebuilds_the_index(store: Store) -> None:
    leads = [lead(f"K{i}", "Kim", f"Bulk{i}", "Loadco") for i in range(50)]
    events = [event(f"K{i}", i, f"Asset {i}", event_id=f"KE{i}") for i in range(50)]
    store.bulk_load(leads, events)
    assert len(store.lead_ids(LeadQuery(search="bulk4"))) == 11
    assert {h.ref_id for h in store.search("asset") if h.kind is SearchKind.EVENT} == {
        f"KE{i}" for i in range(50)
    }
    assert store.lead_rows(["K7"])[0].last_touch_at is not None
    _integrity(store)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ada", '"ada"*'),
        ('say "hi"', '"say"* "hi"*'),
        ('a"b', '"a"* "b"*'),
        ("NEAR(x) -y", '"NEAR"* "x"* "y"*'),
        ("*** -- ()", None),
        ("", None),
    ],
)
def test_match_expression_quotes_every_word(text: str, expected: str | None) -> None:
    got = fts.match_expression(text)
    if expected is None:
        assert got is None
    else:
        assert got == expected


def test_bulk_load_folds_the_wal_back(store: Store) -> None:
    store.bulk_load([lead(f"W{i}") for i in range(200)], [])
    wal = store.path.with_name(store.path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert store.lead_count() == 200


@pytest.mark.parametrize("big", [False, True])
def test_accents_do_not_matter_either_way(store: Store, big: bool) -> None:
    """unicode61 remove_diacritics 2, kept row by row (small page) and by the rebuild after
    a big page: "asa" finds Åsa, "Åsa" finds Asa, "francois" finds François."""
    filler = [up("lead", lead(f"F{n}", "Filler", f"N{n}", "Fill Co")) for n in range(600)]
    page = [
        up("lead", lead("A1", "Åsa", "Lindqvist", "Göteborgs Energi")),
        up("lead", lead("A2", "Asa", "Plain", "Plain Co")),
        up("lead", lead("A3", "François", "Lefèvre", "Société Générale")),
        *(filler if big else []),
    ]
    store.apply_pull_page(page, "c1")
    store.finish_sync()
    assert set(store.lead_ids(LeadQuery(search="asa"))) == {"A1", "A2"}
    assert set(store.lead_ids(LeadQuery(search="Åsa"))) == {"A1", "A2"}
    assert store.lead_ids(LeadQuery(search="goteborg")) == ["A1"]
    assert store.lead_ids(LeadQuery(search="francois lefevre")) == ["A3"]
    assert [h.lead_id for h in store.search("societe")] == ["A3"]
    _integrity(store)
