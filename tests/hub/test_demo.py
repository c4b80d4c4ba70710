"""The demo generator: deterministic, realistic, and consistent in time (no database)."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import UTC, datetime, timedelta

import pypdfium2 as pdfium
import pytest

from repdesk.domain.leads import NurtureEventType
from repdesk.hub.demo import DEMO_REPS, DemoData, generate_demo
from repdesk.hub.importers import values

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo(now=NOW)


def test_same_seed_same_hub(demo: DemoData) -> None:
    again = generate_demo(now=NOW)
    assert again.leads == demo.leads
    assert again.events == demo.events
    assert [f.collateral.sha256 for f in again.files] == [f.collateral.sha256 for f in demo.files]
    other = generate_demo(seed=99, now=NOW)
    assert [lead.email for lead in other.leads] != [lead.email for lead in demo.leads]


def test_shape_of_the_hub(demo: DemoData) -> None:
    assert len(demo.leads) == 360
    assert len(demo.campaigns) == 6
    assert [r.email for r in demo.reps] == [r.email for r in DEMO_REPS]
    owners = Counter(lead.owner_rep_id for lead in demo.leads)
    assert all(owners[r.id] >= 40 for r in demo.reps)
    assert owners[None] > 0, "some leads stay unassigned so `assign` has work to do"
    assert len({lead.email for lead in demo.leads}) == 360
    for lead in demo.leads:
        values.email(lead.email)  # valid, and re-importable
        assert lead.company and lead.title and lead.industry and lead.company_size
        assert 0 <= lead.score <= 100
    assert len(Counter(lead.lifecycle_stage for lead in demo.leads)) >= 4
    assert len(Counter(lead.lead_status for lead in demo.leads)) >= 5


def test_months_of_history_consistent_in_time(demo: DemoData) -> None:
    by_lead: dict[str, list] = {}
    for event in demo.events:
        by_lead.setdefault(event.lead_id, []).append(event)
    campaign_ids = {c.id for c in demo.campaigns}
    spans = []
    for lead in demo.leads:
        events = by_lead[lead.id]
        times = [e.occurred_at for e in events]
        assert times == sorted(times)
        assert all(t < NOW for t in times)
        assert lead.created_at == times[0]
        assert lead.source_campaign_id in campaign_ids
        assert all(e.campaign_id is None or e.campaign_id in campaign_ids for e in events)
        handoffs = [e for e in events if e.type is NurtureEventType.SALES_HANDOFF]
        if lead.owner_rep_id is None:
            assert handoffs == []
        else:
            assert len(handoffs) == 1
            assert events[-1] is handoffs[0], "nurture stops at the hand-off"
        running = 0
        for e in events:
            running = max(0, running + (e.score_delta or 0))
        assert lead.score == min(100, running)
        spans.append(times[-1] - times[0])
    spans.sort()
    assert spans[len(spans) // 2] > timedelta(days=60), "a typical lead has months of history"
    kinds = Counter(e.type for e in demo.events)
    assert set(kinds) == set(NurtureEventType)
    assert kinds[NurtureEventType.EMAIL_SENT] > kinds[NurtureEventType.EMAIL_OPENED]
    assert kinds[NurtureEventType.EMAIL_OPENED] > kinds[NurtureEventType.EMAIL_CLICKED]


def test_collateral_is_real_multi_page_pdf_text(demo: DemoData) -> None:
    assert len(demo.files) == 12
    kinds = {f.collateral.tags[0] for f in demo.files}
    assert {"datasheet", "case_study", "roi_one_pager", "battlecard"} <= kinds
    for f in demo.files:
        assert hashlib.sha256(f.content).hexdigest() == f.collateral.sha256
        assert f.collateral.size == len(f.content)
        pdf = pdfium.PdfDocument(f.content)
        try:
            assert len(pdf) >= 2
            text = pdf[0].get_textpage().get_text_range()
            assert f.collateral.title.split(":")[0] in text
        finally:
            pdf.close()


def test_rep_writes_belong_to_their_owner_and_fit_the_rubric(demo: DemoData) -> None:
    leads = {lead.id: lead for lead in demo.leads}
    handoff = {
        e.lead_id: e.occurred_at for e in demo.events if e.type is NurtureEventType.SALES_HANDOFF
    }
    act = demo.activity
    assert act.call_notes and act.qualifications and act.objections
    assert act.dispositions and act.collateral_uses
    for note in act.call_notes:
        assert note.author_rep_id == leads[note.lead_id].owner_rep_id
        assert handoff[note.lead_id] < note.created_at < NOW
    codes = {c.code for c in demo.categories}
    collateral_ids = {f.collateral.id for f in demo.files}
    for objection in act.objections:
        assert objection.category_code in codes
        assert objection.collateral_id is None or objection.collateral_id in collateral_ids
    for use in act.collateral_uses:
        assert use.collateral_id in collateral_ids
    for bant in act.qualifications:
        for dim in demo.rubric.dimensions:
            answer = bant.get(dim.dimension)
            assert answer is None or dim.option(answer.value) is not None
