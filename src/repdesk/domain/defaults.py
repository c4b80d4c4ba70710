"""The starting rubric and objection taxonomy: the hub seeds from these; the demo uses them."""

from __future__ import annotations

from repdesk.domain.feedback import ObjectionCategory
from repdesk.domain.qualification import (
    BantDimension,
    Confidence,
    Rubric,
    RubricDimension,
    ScaleOption,
)

__all__ = ["DEFAULT_OBJECTION_CATEGORIES", "DEFAULT_RUBRIC"]


def _scale(*options: tuple[str, str, bool]) -> tuple[ScaleOption, ...]:
    """Options in the order the call console shows them; quick-pick keys are "1", "2", ..."""
    return tuple(
        ScaleOption(code=code, label=label, qualifies=qualifies, key=str(n))
        for n, (code, label, qualifies) in enumerate(options, start=1)
    )


#: Need and Authority must qualify; Budget or Timeframe may be worked out on the next call,
#: but at least one of them must qualify too (3 of 4). Guesses (low confidence) do not count.
DEFAULT_RUBRIC = Rubric(
    name="Sales-ready lead (BANT)",
    min_confidence=Confidence.MEDIUM,
    min_qualifying=3,
    dimensions=(
        RubricDimension(
            dimension=BantDimension.BUDGET,
            title="Budget",
            question="Is there budget set aside for solving this, and roughly how much?",
            required=False,
            options=_scale(
                ("approved", "Budget approved", True),
                ("identified", "Budget identified, approval pending", True),
                ("must_find", "Would have to find budget", False),
                ("none", "No budget", False),
            ),
        ),
        RubricDimension(
            dimension=BantDimension.AUTHORITY,
            title="Authority",
            question="Who else is involved in deciding, and who signs off on the purchase?",
            required=True,
            options=_scale(
                ("decision_maker", "Decision maker", True),
                ("champion", "Champion with the decision maker involved", True),
                ("influencer", "Influencer only", False),
                ("researcher", "Researching for someone else", False),
            ),
        ),
        RubricDimension(
            dimension=BantDimension.NEED,
            title="Need",
            question="What problem are you trying to solve, and what happens if it stays as is?",
            required=True,
            options=_scale(
                ("critical", "Urgent, business-critical pain", True),
                ("clear", "Clear need, acknowledged", True),
                ("nice_to_have", "Nice to have", False),
                ("none", "No need, happy with the status quo", False),
            ),
        ),
        RubricDimension(
            dimension=BantDimension.TIMEFRAME,
            title="Timeframe",
            question="When do you need this in place, and what is driving that date?",
            required=False,
            options=_scale(
                ("this_month", "Within 30 days", True),
                ("this_quarter", "This quarter", True),
                ("six_months", "Within 6 months", True),
                ("next_year", "Next year or later", False),
                ("no_timeline", "No timeline", False),
            ),
        ),
    ),
)

#: Codes are stable identifiers (collateral tags match them to suggest answers to objections);
#: labels and descriptions are what reps and marketing read.
DEFAULT_OBJECTION_CATEGORIES: tuple[ObjectionCategory, ...] = (
    ObjectionCategory("price", "Price / budget", "Too expensive, or no money for it this year."),
    ObjectionCategory(
        "no_authority", "No authority", "The contact cannot decide or sign; someone else must."
    ),
    ObjectionCategory("no_need", "No need / status quo", "Happy with how things are done today."),
    ObjectionCategory("timing", "Timing", "Interested, but not now: other priorities first."),
    ObjectionCategory(
        "competitor", "Competitor", "Already using, or leaning towards, another vendor."
    ),
    ObjectionCategory(
        "integration",
        "Integration / technical fit",
        "Doubts it works with their systems, data or workflow.",
    ),
    ObjectionCategory(
        "security",
        "Security / compliance",
        "Data protection, certifications (SOC 2, ISO 27001), GDPR, hosting location.",
    ),
    ObjectionCategory(
        "contract", "Contract / legal", "Terms, term length, liability or procurement process."
    ),
    ObjectionCategory(
        "resources",
        "No time / resources to implement",
        "The team cannot take on the roll-out or the change.",
    ),
    ObjectionCategory(
        "trust", "Vendor trust / references", "Unsure about the company: size, track record."
    ),
    ObjectionCategory("other", "Other", "Anything else; the verbatim says what."),
)
