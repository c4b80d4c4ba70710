"""Rubric evaluation: is a lead sales-ready under marketing's definition, and if not, why."""

from __future__ import annotations

from repdesk.domain.qualification import (
    BANT_ORDER,
    Bant,
    BantAnswer,
    BantDimension,
    Gap,
    GapReason,
    Rubric,
    RubricDimension,
    RubricResult,
)

__all__ = [
    "dimension_title",
    "evaluate",
    "judge_answer",
    "missing_summary",
    "readiness_label",
]

# Values come from a rep's keyboard or the hub; keep explanations short enough for a list cell.
_MAX_QUOTED = 40


def dimension_title(
    dimension: BantDimension, rubric_dimension: RubricDimension | None = None
) -> str:
    """The human name of a dimension: the rubric's title when it has one, else "Budget"..."""
    if rubric_dimension is not None and rubric_dimension.title.strip():
        return rubric_dimension.title.strip()
    return dimension.value.capitalize()


def _quote(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > _MAX_QUOTED:
        text = text[: _MAX_QUOTED - 1] + "\u2026"
    return f"'{text}'"


def judge_answer(
    rubric: Rubric, rubric_dimension: RubricDimension, answer: BantAnswer | None
) -> Gap | None:
    """None when the answer meets the rubric for its dimension, else the reason it does not."""
    dim = rubric_dimension.dimension
    title = dimension_title(dim, rubric_dimension)
    if answer is None or not answer.value:
        return Gap(dim, GapReason.UNANSWERED, f"{title}: not asked yet")
    option = rubric_dimension.option(answer.value)
    if option is None:
        return Gap(
            dim, GapReason.UNKNOWN_VALUE, f"{title}: {_quote(answer.value)} is not on the scale"
        )
    label = option.label or option.code
    if not option.qualifies:
        return Gap(dim, GapReason.NOT_QUALIFYING, f"{title}: {_quote(label)} does not qualify")
    if answer.confidence < rubric.min_confidence:
        return Gap(
            dim,
            GapReason.LOW_CONFIDENCE,
            f"{title}: {_quote(label)} needs confirming "
            f"({answer.confidence.name.lower()} confidence)",
        )
    return None


def evaluate(rubric: Rubric, bant: Bant) -> RubricResult:
    """Judge every rubric dimension in BANT order.

    Ready iff every required dimension is met AND at least `rubric.min_qualifying` are met.
    Gaps list only what blocks readiness: every unmet required dimension always; unmet
    optional ones only while too few dimensions are met (any of them would help). A rubric
    asking for more qualifying dimensions than it has is never ready. Answers for dimensions
    the rubric does not mention are ignored; a dimension listed twice counts once (the first).
    """
    met: list[BantDimension] = []
    required_gaps: list[Gap] = []
    optional_gaps: list[Gap] = []
    for dim in BANT_ORDER:
        rubric_dimension = rubric.for_dimension(dim)
        if rubric_dimension is None:
            continue
        gap = judge_answer(rubric, rubric_dimension, bant.get(dim))
        if gap is None:
            met.append(dim)
        elif rubric_dimension.required:
            required_gaps.append(gap)
        else:
            optional_gaps.append(gap)
    enough = len(met) >= rubric.min_qualifying
    ready = not required_gaps and enough
    blocking = required_gaps if enough else required_gaps + optional_gaps
    gaps = tuple(sorted(blocking, key=lambda g: BANT_ORDER.index(g.dimension)))
    return RubricResult(ready=ready, met=tuple(met), gaps=gaps)


def missing_summary(result: RubricResult) -> str:
    """What still blocks readiness as a short list, e.g. "Budget, Timeframe"; "" when ready."""
    if result.ready:
        return ""
    return ", ".join(dimension_title(g.dimension) for g in result.gaps)


def readiness_label(result: RubricResult) -> str:
    """One line for a badge or a list cell: "Sales-ready" or "Not ready: Budget, Timeframe"."""
    if result.ready:
        return "Sales-ready"
    missing = missing_summary(result)
    if not missing:
        # Only an impossible rubric (more qualifying answers asked than dimensions) gets here.
        return "Not ready: the rubric asks for more than it can score"
    return f"Not ready: {missing}"
