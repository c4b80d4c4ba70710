"""The call brief: each section from realistic inputs, plus empty and hostile edge cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from repdesk.domain.brief import build_call_brief, describe_event, render_brief_text
from repdesk.domain.defaults import DEFAULT_OBJECTION_CATEGORIES, DEFAULT_RUBRIC
from repdesk.domain.feedback import CallNote, CollateralUse, Objection, Severity, UseKind
from repdesk.domain.leads import Campaign, Collateral, Lead, NurtureEvent, NurtureEventType
from repdesk.domain.qualification import Bant, BantAnswer, BantDimension, Confidence, GapReason

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
ET = NurtureEventType
LEAD = Lead(id="L1", first_name="Ada", last_name="Byron", company="Analytical Ltd", score=40)
CAMPAIGNS = (Campaign("c-web", "Q4 onboarding webinar"), Campaign("c-sec", "Security series"))


def ev(
    n: int,
    type_: NurtureEventType,
    days_ago: float,
    campaign: str | None = None,
    asset: str = "",
    **kw: object,
) -> NurtureEvent:
    return NurtureEvent(
        f"e{n}",
        kw.pop("lead_id", "L1"),
        type_,
        NOW - timedelta(days=days_ago),
        campaign,
        asset,
        **kw,  # type: ignore[arg-type]
    )


def coll(cid: str, title: str, campaign: str | None, *tags: str, problem: str = "") -> Collateral:
    return Collateral(cid, title, "0" * 64, 10, "application/pdf", campaign, tags, problem)


def objection(oid: str, code: str, sev: Severity = Severity.MEDIUM, **kw: object) -> Objection:
    return Objection(oid, "L1", code, f"verbatim {oid}", NOW - timedelta(days=1), sev, **kw)  # type: ignore[arg-type]


def brief(**kw: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {
        "lead": LEAD,
        "events": [],
        "bant": Bant("L1"),
        "rubric": DEFAULT_RUBRIC,
        "objections": [],
        "notes": [],
        "collateral": [],
        "now": NOW,
        "campaigns": CAMPAIGNS,
        "categories": DEFAULT_OBJECTION_CATEGORIES,
    }
    args.update(kw)
    return build_call_brief(**args)  # type: ignore[arg-type]


def test_empty_lead_without_history_or_rubric_still_builds_and_renders() -> None:
    bare = Lead(id="L9", first_name="", last_name="", company="")
    b = build_call_brief(bare, [], Bant("L9"), None, [], [], [], NOW)
    assert b.readiness is None
    assert b.readiness_label == "No rubric published yet"
    assert b.gaps == () and b.last_touches == () and b.engagement == ()
    assert b.days_since_last_touch is None and b.last_touch_at is None
    assert b.score_trend.points == () and b.score_trend.direction == "flat"
    assert b.last_note is None
    text = render_brief_text(b)
    assert "Call brief: (no name)" in text
    assert "Last touch: never" in text
    assert "No rubric published yet." in text


def test_last_touches_are_the_newest_n_of_this_lead_only() -> None:
    events = [ev(i, ET.EMAIL_OPENED, days_ago=i) for i in range(8)]
    events.append(ev(99, ET.WEB_VISIT, 0.1, lead_id="OTHER"))
    b = brief(events=list(reversed(events)), max_touches=3)
    assert [e.id for e in b.last_touches] == ["e0", "e1", "e2"]
    # Score and stage changes are bookkeeping, not touches.
    scored = brief(events=[ev(1, ET.SCORE_CHANGE, 0, score_delta=3), ev(2, ET.EMAIL_SENT, 2)])
    assert [e.id for e in scored.last_touches] == ["e2"]


def test_engagement_grouped_by_campaign_and_asset_with_counts_and_last_time() -> None:
    events = [
        ev(1, ET.EMAIL_CLICKED, 10, "c-web", "Register now"),
        ev(2, ET.EMAIL_CLICKED, 3, "c-web", "Register now"),
        ev(3, ET.WEBINAR_ATTENDED, 2, "c-web", "Cutting onboarding time"),
        ev(4, ET.EMAIL_OPENED, 1, "c-web", "Register now"),  # opens are not engagement
        ev(5, ET.EMAIL_SENT, 0, "c-sec", "SOC 2 explained"),
    ]
    b = brief(events=events)
    assert [(g.asset, g.count) for g in b.engagement] == [
        ("Cutting onboarding time", 1),
        ("Register now", 2),
    ]
    clicks = b.engagement[1]
    assert clicks.campaign_name == "Q4 onboarding webinar"
    assert clicks.last_at == NOW - timedelta(days=3)
    assert clicks.types == (ET.EMAIL_CLICKED,)


def test_gaps_carry_the_rubric_question() -> None:
    bant = Bant("L1", need=BantAnswer(BantDimension.NEED, "clear", confidence=Confidence.LOW))
    b = brief(bant=bant)
    assert b.readiness is not None and not b.readiness.ready
    need = next(g for g in b.gaps if g.gap.dimension is BantDimension.NEED)
    assert need.gap.reason is GapReason.LOW_CONFIDENCE
    assert need.question == DEFAULT_RUBRIC.for_dimension(BantDimension.NEED).question  # type: ignore[union-attr]
    assert b.readiness_label.startswith("Not ready: ")
    assert [(g.gap.dimension, g.required) for g in b.gaps] == [
        (BantDimension.BUDGET, False),
        (BantDimension.AUTHORITY, True),
        (BantDimension.NEED, True),
        (BantDimension.TIMEFRAME, False),
    ]
    # The talking point asks the first REQUIRED gap, not merely the first in BANT order.
    assert "Ask: " + b.gaps[1].question in b.talking_points


def test_open_objections_exclude_resolved_and_put_the_most_severe_first() -> None:
    objs = [
        objection("o1", "timing", Severity.LOW),
        objection("o2", "security", Severity.BLOCKER),
        objection("o3", "price", Severity.HIGH, resolved=True),
        Objection("o4", "OTHER", "price", "not ours", NOW, Severity.BLOCKER),
    ]
    b = brief(objections=objs)
    assert [o.id for o in b.open_objections] == ["o2", "o1"]
    assert b.objection_labels == ("Security / compliance", "Timing")
    assert "Security / compliance: verbatim o2" in render_brief_text(b)
    assert 'Address their Security / compliance objection: "verbatim o2"' in b.talking_points


def test_collateral_ranked_by_objection_fit_then_engagement_skipping_used_downloaded_flagged() -> (
    None
):
    events = [
        ev(1, ET.WEBINAR_ATTENDED, 2, "c-web", "Webinar"),
        ev(2, ET.CONTENT_DOWNLOAD, 5, "c-sec", "Security whitepaper"),
        ev(3, ET.CONTENT_DOWNLOAD, 5, "c-sec", "k-dl-by-id"),
    ]
    items = [
        coll("k-plain", "Brochure", None),
        coll("k-web", "Onboarding checklist", "c-web"),
        coll("k-sec", "SOC 2 one-pager", "c-sec", "Security"),
        coll("k-bad", "Encrypted deck", "c-sec", "security", problem="encrypted PDF"),
        coll("k-wp", "Security whitepaper", "c-sec", "security"),
        coll("k-dl-by-id", "Pricing sheet", "c-sec", "price"),
        coll("k-used", "ROI calculator", "c-web", "price"),
    ]
    uses = [CollateralUse("u1", "L1", "k-used", UseKind.SENT, NOW)]
    objs = [objection("o1", "security", Severity.HIGH), objection("o2", "price")]
    b = brief(events=events, collateral=items, objections=objs, uses=uses, max_suggestions=10)
    assert [s.collateral.id for s in b.suggested_collateral] == ["k-sec", "k-web", "k-plain"]
    first, second, third = b.suggested_collateral
    assert first.objection_codes == ("security",)
    assert first.reason == "Answers their open objection: Security / compliance"
    assert second.reason == "From Q4 onboarding webinar, which they engaged with"
    assert third.reason == "From one of their campaigns"
    assert len(brief(events=events, collateral=items, max_suggestions=1).suggested_collateral) == 1


def test_days_since_last_touch_counts_notes_not_score_changes_and_never_goes_negative() -> None:
    events = [ev(1, ET.EMAIL_SENT, 9), ev(2, ET.SCORE_CHANGE, 1, score_delta=5)]
    assert brief(events=events).days_since_last_touch == 9
    note = CallNote("n1", "L1", "Left a voicemail", NOW - timedelta(days=4, hours=1))
    b = brief(events=events, notes=[note])
    assert b.days_since_last_touch == 4
    assert b.last_note == note
    future = Lead(
        id="L1", first_name="A", last_name="", company="", last_touch_at=NOW + timedelta(hours=3)
    )
    assert brief(lead=future).days_since_last_touch == 0


def test_naive_timestamps_are_taken_as_utc() -> None:
    naive = NurtureEvent("e1", "L1", ET.WEB_VISIT, datetime(2026, 11, 20, 9, 0), asset="Pricing")
    b = brief(events=[naive], now=datetime(2026, 11, 24, 9, 0))
    assert b.days_since_last_touch == 4
    assert b.engagement[0].last_at.tzinfo is not None


def test_score_trend_reconstructs_history_from_current_score() -> None:
    events = [
        ev(1, ET.SCORE_CHANGE, 60, score_delta=10),
        ev(2, ET.SCORE_CHANGE, 20, score_delta=15),
        ev(3, ET.SCORE_CHANGE, 5, score_delta=-5),
    ]
    b = brief(events=events)
    trend = b.score_trend
    assert [(p.score, p.delta) for p in trend.points] == [(30, 10), (45, 15), (40, -5)]
    assert trend.current == 40 and trend.change_30d == 10 and trend.direction == "rising"
    assert "Score up 10 in the last 30 days" in b.talking_points
    assert describe_event(events[2]) == "Score -5"


def test_talking_points_are_capped() -> None:
    lead = Lead(
        id="L1",
        first_name="A",
        last_name="B",
        company="C",
        marketing_notes="Hot account",
        next_step="Send the pricing sheet",
    )
    events = [ev(1, ET.WEB_VISIT, 1, asset="/pricing"), ev(2, ET.SCORE_CHANGE, 1, score_delta=3)]
    b = brief(lead=lead, events=events, objections=[objection("o1", "timing")])
    assert len(b.talking_points) == 5
    assert b.talking_points[0] == "Agreed next step: Send the pricing sheet"
    assert len(brief(lead=lead, max_talking_points=2).talking_points) == 2


HOSTILE = "<script>alert(1)</script> {0} %s \u202eevil & 'quotes\""


def test_hostile_strings_are_kept_verbatim_in_brief_and_text() -> None:
    lead = Lead(
        id="L1",
        first_name=HOSTILE,
        last_name="",
        company=HOSTILE,
        title=HOSTILE,
        marketing_notes=HOSTILE,
        next_step=HOSTILE,
    )
    events = [ev(1, ET.CONTENT_DOWNLOAD, 1, "c-x", HOSTILE)]
    objs = [Objection("o1", "L1", HOSTILE, HOSTILE, NOW, Severity.HIGH)]
    notes = [CallNote("n1", "L1", HOSTILE, NOW)]
    items = [coll("k1", HOSTILE + " deck", "c-x", HOSTILE)]
    b = brief(lead=lead, events=events, objections=objs, notes=notes, collateral=items)
    assert b.suggested_collateral[0].objection_codes == (HOSTILE.casefold(),)
    assert f"Agreed next step: {HOSTILE}" in b.talking_points
    text = render_brief_text(b)
    assert text.count(HOSTILE) >= 8
    assert f"Downloaded: {HOSTILE}" in text
