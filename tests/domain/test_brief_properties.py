"""Property tests: the brief's invariants hold over generated histories and collateral."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from repdesk.domain.brief import build_call_brief, render_brief_text
from repdesk.domain.defaults import DEFAULT_RUBRIC
from repdesk.domain.feedback import CollateralUse, Objection, Severity, UseKind
from repdesk.domain.leads import ENGAGEMENT_TYPES, Collateral, Lead, NurtureEvent, NurtureEventType
from repdesk.domain.qualification import Bant

NOW = datetime(2026, 11, 24, tzinfo=UTC)
LEAD = Lead(id="L", first_name="A", last_name="B", company="C", score=50)
CAMPAIGNS = st.sampled_from([None, "c1", "c2"])
TAGS = st.sampled_from(["price", "security", "timing", "misc"])

events = st.lists(
    st.builds(
        NurtureEvent,
        id=st.uuids().map(str),
        lead_id=st.sampled_from(["L", "L", "L", "X"]),
        type=st.sampled_from(list(NurtureEventType)),
        occurred_at=st.integers(-400, 5).map(lambda d: NOW - timedelta(days=d)),
        campaign_id=CAMPAIGNS,
        asset=st.sampled_from(["", "Deck", "Webinar", "k1", "k2"]),
        score_delta=st.none() | st.integers(-20, 20),
    ),
    max_size=30,
)
collateral = st.lists(
    st.builds(
        Collateral,
        id=st.sampled_from(["k1", "k2", "k3", "k4", "k5"]),
        title=st.sampled_from(["Deck", "Sheet", "Case study"]),
        sha256=st.just("0" * 64),
        size=st.just(1),
        media_type=st.just("application/pdf"),
        campaign_id=CAMPAIGNS,
        tags=st.lists(TAGS, max_size=2).map(tuple),
        problem=st.sampled_from(["", "", "encrypted"]),
    ),
    max_size=8,
)
objections = st.lists(
    st.builds(
        Objection,
        id=st.uuids().map(str),
        lead_id=st.just("L"),
        category_code=TAGS,
        verbatim=st.text(max_size=20),
        created_at=st.just(NOW),
        severity=st.sampled_from(list(Severity)),
        resolved=st.booleans(),
    ),
    max_size=5,
)
used_ids = st.lists(st.sampled_from(["k1", "k2", "k3"]), max_size=3)


@settings(max_examples=150)
@given(events, collateral, objections, used_ids)
def test_brief_invariants(
    evs: list[NurtureEvent], items: list[Collateral], objs: list[Objection], used: list[str]
) -> None:
    uses = [CollateralUse(f"u{i}", "L", cid, UseKind.SHOWN, NOW) for i, cid in enumerate(used)]
    b = build_call_brief(
        LEAD, evs, Bant("L"), DEFAULT_RUBRIC, objs, [], items, NOW, uses=uses, max_touches=4
    )
    own = [e for e in evs if e.lead_id == "L"]
    assert len(b.last_touches) <= 4
    assert all(e.lead_id == "L" for e in b.last_touches)
    times = [e.occurred_at for e in b.last_touches]
    assert times == sorted(times, reverse=True)
    assert sum(g.count for g in b.engagement) == sum(e.type in ENGAGEMENT_TYPES for e in own)
    assert all(not o.resolved for o in b.open_objections)
    ids = [s.collateral.id for s in b.suggested_collateral]
    assert len(ids) == len(set(ids)) <= 3
    for s in b.suggested_collateral:
        assert not s.collateral.problem
        assert s.collateral.id not in used
    if b.score_trend.points:
        assert b.score_trend.points[-1].score == LEAD.score
    assert b.days_since_last_touch is None or b.days_since_last_touch >= 0
    assert render_brief_text(b).endswith("\n")
    assert (
        build_call_brief(
            LEAD, evs, Bant("L"), DEFAULT_RUBRIC, objs, [], items, NOW, uses=uses, max_touches=4
        )
        == b
    )
