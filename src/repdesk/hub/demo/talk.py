"""What demo reps write and demo prospects say: call notes, BANT answers in the prospect's
own words, objections by category, competitors, and the reasons behind each verdict."""

from __future__ import annotations

from repdesk.domain.feedback import DispositionKind
from repdesk.domain.qualification import BantDimension

NO_ANSWER: tuple[tuple[str, str], ...] = (
    ("No answer; left a voicemail and sent a short intro email.", "voicemail"),
    ("Went to voicemail. Will try again in the morning (their time zone).", "voicemail"),
    ("Number rings out; switchboard says she is at an offsite this week.", "no_answer"),
    ("Gatekeeper took a message; asked for a slot on Thursday.", "no_answer"),
)
FIRST_CALLS: tuple[tuple[str, str], ...] = (
    (
        "Intro call. They consolidate the forecast in Excel every Friday; two people, most of "
        "a day. Wants to see scenario planning with their own data.",
        "connected",
    ),
    (
        "Discovery with the Head of Sales Ops. Salesforce, 140 reps, three regions. Pain is "
        "forecast accuracy: missed the last two quarters.",
        "connected",
    ),
    (
        "Demo booked for Thursday with the VP Sales and IT. Security questionnaire to follow.",
        "meeting_booked",
    ),
    (
        "Came from the webinar; asked good questions about pipeline coverage. Sent the recording "
        "and booked a discovery call with their RevOps lead.",
        "meeting_booked",
    ),
)
NOT_NOW: tuple[tuple[str, str], ...] = (
    (
        "Short call: interested but busy with a CRM clean-up until next quarter. Agreed to "
        "reconnect in 6 weeks.",
        "follow_up",
    ),
    ("Liked the demo video, but there is no budget before next year.", "connected"),
)
NOT_A_FIT: tuple[tuple[str, str], ...] = (
    (
        "Talked to the analyst who downloaded the ebook: research for a university course, no "
        "buying project.",
        "connected",
    ),
    ("Five-person agency; they track deals in a shared sheet and that is fine.", "connected"),
    ("The number belongs to someone else and the email bounced.", "wrong_contact"),
)
FOLLOW_UPS: tuple[tuple[str, str], ...] = (
    ("Follow-up demo with the CRO: liked the deal-risk view; wants pricing for 60 seats.", "demo"),
    ("Walked IT through SSO and the EU data residency options.", "connected"),
    (
        "Checked in after the trial week: two managers use it daily, one never logged in.",
        "connected",
    ),
    ("Procurement call: they need our DPA and a 12-month term instead of 36.", "follow_up"),
)

BANT_ANSWERS: dict[BantDimension, dict[str, tuple[str, ...]]] = {
    BantDimension.BUDGET: {
        "approved": (
            "There is a line for tooling in this year's budget.",
            "Finance signed off 40k for forecasting software in Q2.",
        ),
        "identified": ("We'd fund it from the RevOps budget, but the CFO has to bless it.",),
        "must_find": ("Nothing budgeted; I'd have to make the case for next year.",),
        "none": ("We have no money for new tools this year, full stop.",),
    },
    BantDimension.AUTHORITY: {
        "decision_maker": ("I own the sales tooling budget; I sign this.",),
        "champion": ("I'd bring it to our CRO; she signs anything over 50k.",),
        "influencer": ("I can recommend it, but IT picks the vendors.",),
        "researcher": ("My manager asked me to collect options, that's all.",),
    },
    BantDimension.NEED: {
        "critical": (
            "We missed the last two forecasts by more than 15%.",
            "The board asked why we can't see deal risk before quarter end.",
        ),
        "clear": ("Friday forecasting eats a day of two people's time.",),
        "nice_to_have": ("Spreadsheets work, it would just be nicer.",),
        "none": ("Honestly our current setup is fine.",),
    },
    BantDimension.TIMEFRAME: {
        "this_month": ("We want something running before the sales kick-off in three weeks.",),
        "this_quarter": ("We want it live before the Q3 kick-off.",),
        "six_months": ("Sometime in the second half, after the CRM migration.",),
        "next_year": ("Not before next fiscal year.",),
        "no_timeline": ("No date in mind; we're just looking.",),
    },
}

# category code -> (how often it comes up, ((what the prospect said, severity 1..4), ...))
OBJECTIONS: dict[str, tuple[int, tuple[tuple[str, int], ...]]] = {
    "price": (
        25,
        (
            ("Honestly, 65 a seat is more than we pay for the CRM itself.", 3),
            ("We'd need a much better price for a three-year deal.", 2),
            ("The ROI has to pay back within a year or finance won't look at it.", 2),
        ),
    ),
    "timing": (
        18,
        (
            ("Not before the fiscal year starts in April.", 2),
            ("We're in the middle of a CRM migration; talk to me in the autumn.", 2),
        ),
    ),
    "competitor": (
        15,
        (
            ("We already have the analytics add-on from our CRM vendor.", 2),
            ("We're halfway through a trial with another vendor.", 3),
        ),
    ),
    "security": (
        10,
        (
            ("Our data can't leave the EU, and legal will want the SOC 2 report.", 3),
            ("IT won't approve anything without SSO and an audit log.", 2),
        ),
    ),
    "integration": (
        10,
        (
            ("Does it work with our custom opportunity stages?", 1),
            ("We run HubSpot for marketing and Salesforce for sales; both have to sync.", 2),
        ),
    ),
    "no_authority": (8, (("I'm not the one who decides; that's our CRO.", 2),)),
    "no_need": (8, (("Our spreadsheet forecast is good enough for a team our size.", 2),)),
    "resources": (6, (("Nobody on my team has time to roll out another tool.", 2),)),
    "trust": (4, (("I hadn't heard of you before the webinar; who else uses it?", 1),)),
}
COMPETITORS: tuple[str, ...] = ("LegacyCRM Analytics", "ForecastHub", "Pipewise")

REASONS: dict[DispositionKind, tuple[str, ...]] = {
    DispositionKind.ACCEPT: (
        "Budget approved; demo booked with the VP Sales.",
        "Champion and CRO engaged; pain is forecast accuracy.",
        "Clear need and timeline this quarter.",
    ),
    DispositionKind.RETURN_TO_NURTURE: (
        "No budget until next fiscal year.",
        "Interested, but not before their CRM migration is done.",
        "Early research, no project yet.",
        "Our champion left the company.",
    ),
    DispositionKind.DISQUALIFY: (
        "Student or researcher, not a buyer.",
        "Company too small: fewer than 10 sales reps.",
        "Works for a competitor.",
        "Bad contact data: wrong number and the email bounced.",
        "Existing customer: passed to their account manager.",
    ),
}
