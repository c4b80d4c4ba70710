"""Qualification on the hand-built world (SQLite and PostgreSQL), and the rubric in SQL
held to `domain.rubric.evaluate` by a property test (random rubrics, random answers)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from tests.support.report_world import RUBRIC, WORLD, T

from repdesk.domain.qualification import BANT_ORDER, Bant, BantAnswer, BantDimension, Confidence
from repdesk.domain.rubric import evaluate
from repdesk.hub.db import models as m
from repdesk.hub.db.engine import Database, sqlite_url
from repdesk.hub.db.migrate import upgrade_database
from repdesk.hub.reports import ReportFilter, count_ready, qualification
from repdesk.hub.reports.rubric_sql import readiness, unanswered
from repdesk.protocol.convert import rubric_from_data
from repdesk.protocol.schema import RubricData

BLOCKS = ("blocks_budget", "blocks_authority", "blocks_need", "blocks_timeframe")


def test_readiness_and_blockers_by_campaign(report_session: Session) -> None:
    table = qualification(report_session).table("readiness_by_campaign")
    got = {
        r["campaign"]: (r["leads"], r["ready"], r["not_ready"], *(r[b] for b in BLOCKS))
        for r in table.as_dicts()
    }
    assert got == {
        "Autumn webinar": (1, 0, 1, 1, 1, 1, 1),
        "Search ads": (3, 1, 2, 1, 1, 2, 2),
        "Spring webinar": (5, 1, 4, 3, 2, 2, 2),
        "(no campaign)": (1, 1, 0, 0, 0, 0, 0),
    }
    top = {r["campaign"]: r["top_blocker"] for r in table.as_dicts()}
    # Search ads: Need and Timeframe tie at 2; BANT order breaks the tie.
    assert top == {
        "Autumn webinar": "Budget",
        "Search ads": "Need",
        "Spring webinar": "Budget",
        "(no campaign)": None,
    }
    shares = {r["campaign"]: r["ready_share"] for r in table.as_dicts()}
    assert shares["Search ads"] == pytest.approx(1 / 3)


def test_answer_distribution(report_session: Session) -> None:
    rows = {
        (r["dimension"], r["answer"]): (r["verdict"], r["leads"])
        for r in qualification(report_session).table("answers").as_dicts()
    }
    # L9 (never assigned) answered everything and is out; L6's budget was cleared.
    assert rows == {
        ("Budget", "Approved"): ("qualifies", 4),
        ("Budget", "No budget"): ("does not qualify", 1),
        ("Budget", "(not answered)"): ("", 5),
        ("Authority", "Decision maker"): ("qualifies", 6),
        ("Authority", "Influencer"): ("does not qualify", 1),
        ("Authority", "(not answered)"): ("", 3),
        ("Need", "Confirmed"): ("qualifies", 6),
        ("Need", "weird"): ("not on the scale", 1),
        ("Need", "(not answered)"): ("", 3),
        ("Timeframe", "This quarter"): ("qualifies", 4),
        ("Timeframe", "Later"): ("does not qualify", 1),
        ("Timeframe", "(not answered)"): ("", 5),
    }


def _variant(**changes: object) -> RubricData:
    data = RUBRIC.model_dump(mode="json")
    data.update(changes)
    return RubricData.model_validate(data)


def test_count_ready_previews_unpublished_rubrics(report_session: Session) -> None:
    assert count_ready(report_session, RUBRIC) == 3  # L1, L5, L8
    assert count_ready(report_session, _variant(min_confidence=3)) == 0
    need_only = RUBRIC.model_dump(mode="json")
    need_only["min_qualifying"] = 1
    for dim in need_only["dimensions"]:
        dim["required"] = dim["dimension"] == "need"
    # need confirmed with medium confidence or better: L1, L3, L5, L8, L11.
    assert count_ready(report_session, RubricData.model_validate(need_only)) == 5
    assert count_ready(report_session, RUBRIC, ReportFilter(rep_ids=frozenset({WORLD.ben}))) == 0
    monday = date(2026, 3, 2)
    assert count_ready(report_session, RUBRIC, ReportFilter(start=monday, end=monday)) == 1


def test_filters_narrow_qualification(report_session: Session) -> None:
    paid = qualification(report_session, ReportFilter(sources=frozenset({"Paid search"})))
    assert [r["campaign"] for r in paid.table("readiness_by_campaign").as_dicts()] == ["Search ads"]
    budget = {
        r["answer"]: r["leads"]
        for r in paid.table("answers").as_dicts()
        if r["dimension"] == "Budget"
    }
    assert budget == {"Approved": 2, "(not answered)": 1}  # L5, L7; L6's was cleared


def test_no_published_rubric_gives_a_note(empty_report_session: Session) -> None:
    section = qualification(empty_report_session)
    assert section.tables == () and section.notes


def test_an_empty_hub_with_a_rubric(hub_database: Database) -> None:
    with hub_database.write() as s:
        s.add(m.RubricRow(name=RUBRIC.name, data=RUBRIC.model_dump(mode="json")))
    with hub_database.read() as s:
        section = qualification(s)
        assert section.table("readiness_by_campaign").rows == ()
        assert {r[-1] for r in section.table("answers").rows} == {0}
        assert count_ready(s, RUBRIC) == 0


# --- the SQL agrees with domain.rubric.evaluate ----------------------------------------

CODES = ("a", "b", "c", "")

options = st.lists(
    st.fixed_dictionaries(
        {"code": st.sampled_from(CODES), "label": st.just("x"), "qualifies": st.booleans()}
    ),
    min_size=1,
    max_size=4,
)
dimension = st.fixed_dictionaries(
    {
        "dimension": st.sampled_from([d.value for d in BANT_ORDER]),
        "title": st.just(""),
        "required": st.booleans(),
        "options": options,
    }
)
rubrics = st.builds(
    lambda dims, min_conf, min_q: RubricData.model_validate(
        {"name": "r", "dimensions": dims, "min_confidence": min_conf, "min_qualifying": min_q}
    ),
    st.lists(dimension, max_size=5),  # a dimension may be listed twice: the first counts
    st.integers(1, 3),
    st.integers(0, 4),
)
answer = st.tuples(st.sampled_from((*CODES, "zz", None)), st.integers(1, 3))
leads = st.lists(
    st.dictionaries(st.sampled_from([d.value for d in BANT_ORDER]), answer),
    min_size=1,
    max_size=6,
)


@pytest.fixture(scope="module")
def property_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    url = sqlite_url(Path(tmp_path_factory.mktemp("rubric")) / "hub.db")
    upgrade_database(url)
    db = Database(url)
    yield db
    db.dispose()


def _bant(lead_id: str, fields: dict[str, tuple[str | None, int]]) -> Bant:
    answers = {
        dim: BantAnswer(BantDimension(dim), value, confidence=Confidence(conf))
        for dim, (value, conf) in fields.items()
        if value is not None
    }
    return Bant(lead_id=lead_id, **answers)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rubric=rubrics, answers=leads)
def test_sql_readiness_agrees_with_evaluate(
    property_db: Database, rubric: RubricData, answers: list[dict[str, tuple[str | None, int]]]
) -> None:
    domain_rubric = rubric_from_data(0, rubric)
    with property_db.session() as s, s.begin():
        s.execute(delete(m.QualificationField))
        s.execute(delete(m.Qualification))
        s.execute(delete(m.Lead))
        for i, fields in enumerate(answers):
            lead_id = f"lead-{i}"
            s.add(m.Lead(id=lead_id, assigned_at=T))
            s.flush()
            s.add(m.Qualification(lead_id=lead_id))
            s.flush()
            for dim, (value, conf) in fields.items():
                s.add(
                    m.QualificationField(
                        lead_id=lead_id, dimension=dim, value=value, confidence=conf
                    )
                )
        s.flush()
        expected = {
            f"lead-{i}": evaluate(domain_rubric, _bant(f"lead-{i}", fields))
            for i, fields in enumerate(answers)
        }
        ready = readiness(rubric, ReportFilter())
        rows = {r.lead_id: r for r in s.execute(select(ready))}
        silent_ready, silent_blocks = unanswered(rubric)
        for lead_id, result in expected.items():
            gaps = {g.dimension.value for g in result.gaps} if not result.ready else set()
            row = rows.get(lead_id)
            if row is None:  # no BANT field at all: the sections use `unanswered`
                assert silent_ready == result.ready and not result.met
                assert {d for d, blocks in silent_blocks.items() if blocks} == gaps
                continue
            assert bool(row.ready) == result.ready, (lead_id, result)
            met = {d.value for d in result.met}
            assert {d.value for d in BANT_ORDER if getattr(row, f"met_{d.value}")} == met
            assert {d.value for d in BANT_ORDER if getattr(row, f"blocks_{d.value}")} == gaps
        assert count_ready(s, rubric) == sum(r.ready for r in expected.values())
        s.rollback()
