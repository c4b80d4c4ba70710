"""A small hand-built hub for the report tests: every number the reports give is known
in advance (the expected figures are worked out in tests/hub/test_reports_*.py).

Time zero T is Monday 2026-03-02 09:00 UTC (ISO week 2026-W10); NOW is T + 20 days.
Leads (campaign, owner, assigned, first call after assignment, current verdict):

    L1  W   ann  T      +1h   accept             (a second call at +5h)
    L2  W   ann  T      +3h   return "no budget" (disqualify "student" at +4h, superseded)
    L3  W   ben  T+1d   +30h  disqualify "student"
    L4  W   ben  T+1d   never  -
    L5  P   ann  T+2d   +2h   accept
    L6  P   ben  T+2d   +10h  return "bad timing"
    L7  P   ben  T+8d   +50h  -
    L8  -   ann  T+8d   +4h   accept
    L11 W   ann  T+9d   never (ben called it at T+8d, before it was reassigned to ann)
    L12 W2  ann  T+2d   +6h   disqualify "student"
    L9  W   nobody (never assigned)       - out of every lead-based section
    L10 P   ann, deleted                  - out of every lead-based section

W = "Spring webinar" and W2 = "Autumn webinar" (channel Webinar), P = "Search ads"
(channel Paid search); L8 has no campaign.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from repdesk.hub.db import models as m
from repdesk.protocol.schema import RubricData

T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = T + timedelta(days=20)
H = timedelta(hours=1)
D = timedelta(days=1)

RUBRIC = RubricData.model_validate(
    {
        "name": "Reports rubric",
        "min_confidence": 2,
        "min_qualifying": 3,
        "dimensions": [
            {
                "dimension": "budget",
                "title": "Budget",
                "required": False,
                "options": [
                    {"code": "approved", "label": "Approved", "qualifies": True},
                    {"code": "none", "label": "No budget", "qualifies": False},
                ],
            },
            {
                "dimension": "authority",
                "title": "Authority",
                "options": [
                    {"code": "decision_maker", "label": "Decision maker", "qualifies": True},
                    {"code": "influencer", "label": "Influencer", "qualifies": False},
                ],
            },
            {
                "dimension": "need",
                "title": "Need",
                "options": [
                    {"code": "confirmed", "label": "Confirmed", "qualifies": True},
                    {"code": "none", "label": "No need", "qualifies": False},
                ],
            },
            {
                "dimension": "timeframe",
                "title": "Timeframe",
                "required": False,
                "options": [
                    {"code": "this_quarter", "label": "This quarter", "qualifies": True},
                    {"code": "later", "label": "Later", "qualifies": False},
                ],
            },
        ],
    }
)

SCRIPT_WORDS = "<script>alert('x')</script> we pay less & like it"


@dataclass(frozen=True)
class ReportWorld:
    ann: str = "rep-ann"
    ben: str = "rep-ben"
    webinar: str = "camp-w"
    autumn: str = "camp-w2"
    search: str = "camp-p"
    pricing: str = "coll-pricing"
    security: str = "coll-security"
    case_study: str = "coll-case"
    retired: str = "coll-retired"


WORLD = ReportWorld()


def build(session: Session) -> ReportWorld:
    """Write the data set in `session` (the caller commits)."""
    w = WORLD
    session.add_all(
        [
            m.Rep(id=w.ann, email="ann@example.test", name="Ann", password_hash="x"),
            m.Rep(id=w.ben, email="ben@example.test", name="Ben", password_hash="x"),
            m.Campaign(id=w.webinar, name="Spring webinar", channel="Webinar"),
            m.Campaign(id=w.autumn, name="Autumn webinar", channel="Webinar"),
            m.Campaign(id=w.search, name="Search ads", channel="Paid search"),
            m.ObjectionCategory(code="price", label="Price"),
            m.ObjectionCategory(code="security", label="Security"),
            m.ObjectionCategory(code="competitor", label="Competitor"),
            m.ObjectionCategory(code="timing", label="Timing"),
            m.RubricRow(name="Old rubric", data=RUBRIC.model_dump(mode="json"), active=False),
            m.RubricRow(name=RUBRIC.name, data=RUBRIC.model_dump(mode="json"), active=True),
        ]
    )
    session.flush()
    session.add_all(
        [
            m.Collateral(
                id=w.pricing,
                sha256="a" * 64,
                size=1,
                media_type="application/pdf",
                title="Pricing sheet",
                campaign_id=w.webinar,
                tags=["price"],
            ),
            m.Collateral(
                id=w.security,
                sha256="b" * 64,
                size=1,
                media_type="application/pdf",
                title="Security whitepaper",
                tags=["security", "gdpr"],
            ),
            m.Collateral(
                id=w.case_study,
                sha256="c" * 64,
                size=1,
                media_type="application/pdf",
                title="Case study",
                tags=[],
            ),
            m.Collateral(
                id=w.retired,
                sha256="d" * 64,
                size=1,
                media_type="application/pdf",
                title="Old brochure",
                tags=["price"],
                retired=True,
            ),
        ]
    )
    leads = {
        "L1": (w.webinar, w.ann, T),
        "L2": (w.webinar, w.ann, T),
        "L3": (w.webinar, w.ben, T + D),
        "L4": (w.webinar, w.ben, T + D),
        "L5": (w.search, w.ann, T + 2 * D),
        "L6": (w.search, w.ben, T + 2 * D),
        "L7": (w.search, w.ben, T + 8 * D),
        "L8": (None, w.ann, T + 8 * D),
        "L9": (w.webinar, None, None),
        "L10": (w.search, w.ann, T),
        "L11": (w.webinar, w.ann, T + 9 * D),
        "L12": (w.autumn, w.ann, T + 2 * D),
    }
    for lead_id, (campaign, owner, assigned) in leads.items():
        session.add(
            m.Lead(
                id=lead_id,
                first_name="Pat",
                last_name=lead_id,
                company=f"{lead_id} GmbH",
                email=f"{lead_id.lower()}@example.test",
                source_campaign_id=campaign,
                owner_rep_id=owner,
                assigned_at=assigned,
                deleted=lead_id == "L10",
            )
        )
    session.flush()
    # Calls: (lead, rep, call_started_at or None, created_at).
    calls = [
        ("L1", w.ann, T + H, T + H),
        ("L1", w.ann, T + 5 * H, T + 5 * H),
        ("L2", w.ann, None, T + 3 * H),  # no start time: the note's created_at counts
        ("L3", w.ben, T + D + 30 * H, T + D + 31 * H),
        ("L5", w.ann, T + 2 * D + 2 * H, T + 2 * D + 3 * H),
        ("L6", w.ben, T + 2 * D + 10 * H, T + 2 * D + 10 * H),
        ("L7", w.ben, T + 8 * D + 50 * H, T + 8 * D + 50 * H),
        ("L8", w.ann, T + 8 * D + 4 * H, T + 8 * D + 4 * H),
        ("L11", w.ben, T + 8 * D, T + 8 * D),  # before the reassignment to ann
        ("L12", w.ann, T + 2 * D + 6 * H, T + 2 * D + 6 * H),
        ("L9", w.ann, T, T),  # out of scope
        ("L10", w.ann, T + H, T + H),  # deleted lead
    ]
    for i, (lead_id, rep, started, created) in enumerate(calls):
        session.add(
            m.CallNote(
                id=f"note-{i}",
                lead_id=lead_id,
                rep_id=rep,
                mutation_id=f"mn-{i}",
                body="called",
                call_started_at=started,
                created_at=created,
            )
        )
    dispositions = [
        ("L1", w.ann, "accept", "", T + 2 * H),
        ("L2", w.ann, "disqualify", "student", T + 4 * H),
        ("L2", w.ann, "return_to_nurture", "no budget", T + 6 * H),
        ("L3", w.ben, "disqualify", "student", T + 3 * D),
        ("L5", w.ann, "accept", "", T + 3 * D),
        ("L6", w.ben, "return_to_nurture", "bad timing", T + 3 * D),
        ("L8", w.ann, "accept", "", T + 9 * D),
        ("L12", w.ann, "disqualify", "student", T + 3 * D),
        ("L9", w.ann, "disqualify", "student", T),  # out of scope
        ("L10", w.ann, "return_to_nurture", "no budget", T),  # deleted lead
    ]
    for i, (lead_id, rep, kind, reason, at) in enumerate(dispositions):
        session.add(
            m.DispositionRow(
                id=f"disp-{i}",
                lead_id=lead_id,
                rep_id=rep,
                mutation_id=f"md-{i}",
                kind=kind,
                reason=reason,
                decided_at=at,
            )
        )
    # Objections: (lead, rep, category, filed campaign, collateral, competitor, words, at).
    objections = [
        ("L1", w.ann, "price", None, w.pricing, "", "Too expensive", T + H),
        ("L2", w.ann, "price", None, None, "Acme", SCRIPT_WORDS, T + 3 * H),
        (
            "L5",
            w.ann,
            "security",
            None,
            w.security,
            "",
            "Data must stay in the EU",
            T + 2 * D + 2 * H,
        ),
        ("L6", w.ben, "competitor", w.webinar, None, "Acme", "Acme does it for free", T + 8 * D),
        ("L7", w.ben, "price", None, None, "Globex", "Globex is cheaper", T + 9 * D),
        ("L8", w.ann, "price", None, None, "", "Over our budget", T + 15 * D),
    ]
    for i, (lead_id, rep, code, campaign, coll, competitor, words, at) in enumerate(objections):
        session.add(
            m.ObjectionRow(
                id=f"obj-{i + 1}",
                lead_id=lead_id,
                rep_id=rep,
                mutation_id=f"mo-{i}",
                category_code=code,
                verbatim=words,
                severity=2,
                campaign_id=campaign,
                collateral_id=coll,
                competitor=competitor,
                created_at=at,
            )
        )
    uses = [
        ("L1", w.ann, w.pricing, "shown", T + H),
        ("L1", w.ann, w.pricing, "sent", T + 2 * H),
        ("L2", w.ann, w.pricing, "sent", T + 3 * H),
        ("L5", w.ann, w.security, "shown", T + 2 * D + 2 * H),
        ("L6", w.ben, w.pricing, "shown", T + 2 * D + 10 * H),
    ]
    for i, (lead_id, rep, coll, kind, at) in enumerate(uses):
        session.add(
            m.CollateralUseRow(
                id=f"use-{i}",
                lead_id=lead_id,
                rep_id=rep,
                mutation_id=f"mu-{i}",
                collateral_id=coll,
                kind=kind,
                used_at=at,
            )
        )
    # BANT: lead -> {dimension: (value or None when cleared, confidence)}.
    answers: dict[str, dict[str, tuple[str | None, int]]] = {
        "L1": {
            "budget": ("approved", 3),
            "authority": ("decision_maker", 3),
            "need": ("confirmed", 2),
            "timeframe": ("later", 2),
        },
        "L2": {
            "authority": ("decision_maker", 2),
            "need": ("confirmed", 1),
            "timeframe": ("this_quarter", 2),
        },
        "L3": {
            "budget": ("approved", 2),
            "authority": ("influencer", 2),
            "need": ("confirmed", 3),
            "timeframe": ("this_quarter", 2),
        },
        "L5": {
            "budget": ("approved", 2),
            "authority": ("decision_maker", 2),
            "need": ("confirmed", 2),
            "timeframe": ("this_quarter", 2),
        },
        "L6": {"budget": (None, 2)},
        "L7": {"budget": ("approved", 3), "authority": ("decision_maker", 3), "need": ("weird", 3)},
        "L8": {
            "authority": ("decision_maker", 2),
            "need": ("confirmed", 2),
            "timeframe": ("this_quarter", 2),
        },
        "L11": {
            "authority": ("decision_maker", 2),
            "need": ("confirmed", 2),
            "budget": ("none", 2),
        },
        "L9": {
            "budget": ("approved", 3),
            "authority": ("decision_maker", 3),
            "need": ("confirmed", 3),
            "timeframe": ("this_quarter", 3),
        },
    }
    for lead_id, fields in answers.items():
        session.add(m.Qualification(lead_id=lead_id, version=len(fields)))
        session.flush()
        for dimension, (value, confidence) in fields.items():
            session.add(
                m.QualificationField(
                    lead_id=lead_id, dimension=dimension, value=value, confidence=confidence
                )
            )
    session.flush()
    return w


__all__ = ["D", "H", "NOW", "RUBRIC", "SCRIPT_WORDS", "T", "WORLD", "ReportWorld", "build"]
