"""The demo generator: deterministic, realistic, and consistent in time (no database)."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import UTC, datetime, timedelta

import pypdfium2 as pdfium
import pytest

from repdesk.domain.feedback import DispositionKind, UseKind
from repdesk.domain.leads import LeadStatus, NurtureEventType
from repdesk.hub.demo import DEMO_REPS, DemoData, generate_demo, talk
from repdesk.hub.demo.activity import NEVER_USED
from repdesk.hub.importers import values
from repdesk.protocol.convert import rubric_to_data
from repdesk.protocol.schema import RubricData

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


# --- what marketing's workspace reports need to show something true ---------------------


def _first_calls(demo: DemoData) -> dict[str, datetime]:
    first: dict[str, datetime] = {}
    for n in demo.activity.call_notes:
        at = n.call_started_at or n.created_at
        first[n.lead_id] = min(at, first.get(n.lead_id, at))
    return first


def test_speed_to_lead_has_fast_slow_overdue_and_uncalled_leads(demo: DemoData) -> None:
    handoff = {
        e.lead_id: e.occurred_at for e in demo.events if e.type is NurtureEventType.SALES_HANDOFF
    }
    assigned = [lead for lead in demo.leads if lead.owner_rep_id]
    for lead in demo.leads:
        assert (lead.assigned_at is None) == (lead.owner_rep_id is None)
    for lead in assigned:
        assert lead.assigned_at == handoff[lead.id], "assigned when handed off"
    weeks = Counter((NOW - lead.assigned_at).days // 7 for lead in assigned)
    assert len(weeks) >= 8, "assignments are spread over the last weeks"
    assert max(weeks) <= 10
    first = _first_calls(demo)
    by_id = {lead.id: lead for lead in demo.leads}
    delays = [(at - by_id[lid].assigned_at) / timedelta(hours=1) for lid, at in first.items()]
    assert all(d > 0 for d in delays), "no call before the assignment"
    over = sum(d > 24 for d in delays)
    assert 0.1 < over / len(delays) < 0.4, "some first calls miss the 24 h SLA, most do not"
    assert sum(d < 2 for d in delays) > 10, "some reps call within the hour or two"
    uncalled = [lead for lead in assigned if lead.id not in first]
    assert all(lead.lead_status is LeadStatus.NEW for lead in uncalled)
    overdue = [lead for lead in uncalled if NOW - lead.assigned_at > timedelta(hours=24)]
    still_due = [lead for lead in uncalled if NOW - lead.assigned_at < timedelta(hours=24)]
    assert len(overdue) >= 5 and len(still_due) >= 3
    # The reps differ: the fastest rep's median first call is well ahead of the slowest's.
    medians = []
    for rep in demo.reps:
        own = sorted(
            d
            for (lid, _), d in zip(first.items(), delays, strict=True)
            if by_id[lid].owner_rep_id == rep.id
        )
        medians.append(own[len(own) // 2])
    assert max(medians) > 2 * min(medians)


def test_verdicts_have_reasons_and_lead_quality_differs_by_campaign(demo: DemoData) -> None:
    by_id = {lead.id: lead for lead in demo.leads}
    dispositions = demo.activity.dispositions
    kinds = Counter(d.kind for d in dispositions)
    assert all(kinds[k] >= 10 for k in DispositionKind)
    status_of = {
        DispositionKind.ACCEPT: {LeadStatus.QUALIFIED, LeadStatus.CONVERTED},
        DispositionKind.RETURN_TO_NURTURE: {LeadStatus.NURTURE},
        DispositionKind.DISQUALIFY: {LeadStatus.UNQUALIFIED},
    }
    first = _first_calls(demo)
    for d in dispositions:
        assert d.reason in talk.REASONS[d.kind], "reasons come from a small realistic set"
        assert by_id[d.lead_id].lead_status in status_of[d.kind]
        assert first[d.lead_id] < d.decided_at < NOW, "decided after a call"
    for kind in DispositionKind:
        assert len({d.reason for d in dispositions if d.kind is kind}) >= 3
    accepted: Counter[str] = Counter()
    decided: Counter[str] = Counter()
    for d in dispositions:
        campaign = by_id[d.lead_id].source_campaign_id or ""
        decided[campaign] += 1
        accepted[campaign] += d.kind is DispositionKind.ACCEPT
    rates = sorted(accepted[c] / decided[c] for c in decided)
    assert len(rates) == 6 and rates[-1] - rates[0] > 0.3


def test_objections_carry_the_prospects_words_competitors_and_campaigns(demo: DemoData) -> None:
    by_id = {lead.id: lead for lead in demo.leads}
    objections = demo.activity.objections
    codes = Counter(o.category_code for o in objections)
    assert len(codes) >= 6 and codes.most_common(1)[0][0] == "price"
    assert all(o.verbatim for o in objections)
    assert len({o.verbatim for o in objections}) >= 12
    for o in objections:
        assert o.campaign_id == by_id[o.lead_id].source_campaign_id
        assert bool(o.competitor) == (o.category_code == "competitor")
    assert len({o.competitor for o in objections if o.competitor}) >= 2
    assert sum(1 for o in objections if o.collateral_id) >= 10
    assert any(not o.resolved for o in objections) and any(o.resolved for o in objections)


def test_collateral_use_follows_acceptance_and_some_is_never_used(demo: DemoData) -> None:
    uses = demo.activity.collateral_uses
    assert {u.kind for u in uses} == set(UseKind)
    used_by_lead = {u.lead_id for u in uses}
    accepted = {d.lead_id for d in demo.activity.dispositions if d.kind is DispositionKind.ACCEPT}
    others = {d.lead_id for d in demo.activity.dispositions} - accepted
    rate_accepted = len(accepted & used_by_lead) / len(accepted)
    rate_others = len(others & used_by_lead) / len(others)
    assert rate_accepted > rate_others + 0.3
    used = {u.collateral_id for u in uses}
    never = [f.collateral for f in demo.files if f.collateral.id not in used]
    assert {c.title for c in never} == set(NEVER_USED)
    codes = {c.code for c in demo.categories}
    open_codes = {o.category_code for o in demo.activity.objections if not o.resolved}
    tagged = [f.collateral for f in demo.files if codes & set(f.collateral.tags)]
    assert len(tagged) >= 6
    assert any(open_codes & set(c.tags) for c in tagged), "the brief can rank one for an objection"
    first = _first_calls(demo)
    for u in uses:
        assert first[u.lead_id] <= u.used_at < NOW


def test_rubric_history_and_workspace_users(demo: DemoData) -> None:
    history = demo.rubric_history
    assert [v.version for v in history] == [1, 2]
    assert history[0].published_at < history[1].published_at < NOW
    assert RubricData.model_validate(history[-1].data) == rubric_to_data(demo.rubric)
    assert RubricData.model_validate(history[0].data) != rubric_to_data(demo.rubric)
    assert {(u.email, u.role) for u in demo.users} == {
        ("marketing@demo.repdesk", "marketing"),
        ("admin@demo.repdesk", "admin"),
    }
