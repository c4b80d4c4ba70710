"""Rubric evaluation: each gap reason, readiness rules, ordering and labels."""

from __future__ import annotations

from dataclasses import replace

import pytest

from repdesk.domain.defaults import DEFAULT_RUBRIC
from repdesk.domain.qualification import (
    BANT_ORDER,
    Bant,
    BantAnswer,
    BantDimension,
    Confidence,
    GapReason,
    Rubric,
    RubricDimension,
    ScaleOption,
)
from repdesk.domain.rubric import evaluate, missing_summary, readiness_label

B, A, N, T = BANT_ORDER

YES_NO = (
    ScaleOption("yes", "Yes", True, "1"),
    ScaleOption("no", "Next year", False, "2"),
)


def strict_rubric(**kw: object) -> Rubric:
    dims = tuple(
        RubricDimension(d, d.value.capitalize(), f"Ask about {d.value}?", YES_NO)
        for d in BANT_ORDER
    )
    return replace(Rubric("Strict", dims, Confidence.MEDIUM, 4), **kw)  # type: ignore[arg-type]


def ans(dim: BantDimension, value: str = "yes", conf: Confidence = Confidence.HIGH) -> BantAnswer:
    return BantAnswer(dimension=dim, value=value, confidence=conf)


def full_bant(**overrides: BantAnswer | None) -> Bant:
    values: dict[str, BantAnswer | None] = {d.value: ans(d) for d in BANT_ORDER}
    values.update(overrides)
    return Bant("lead-1", **values)  # type: ignore[arg-type]


def test_all_met_is_ready_with_no_gaps() -> None:
    result = evaluate(strict_rubric(), full_bant())
    assert result.ready
    assert result.met == BANT_ORDER
    assert result.gaps == ()
    assert readiness_label(result) == "Sales-ready"
    assert missing_summary(result) == ""


def test_empty_bant_lists_every_dimension_unanswered_in_bant_order() -> None:
    result = evaluate(strict_rubric(), Bant("lead-1"))
    assert not result.ready
    assert [g.dimension for g in result.gaps] == list(BANT_ORDER)
    assert {g.reason for g in result.gaps} == {GapReason.UNANSWERED}
    assert result.gaps[0].explanation == "Budget: not asked yet"
    assert readiness_label(result) == "Not ready: Budget, Authority, Need, Timeframe"


@pytest.mark.parametrize(
    ("answer", "reason", "explanation"),
    [
        (None, GapReason.UNANSWERED, "Timeframe: not asked yet"),
        (ans(T, ""), GapReason.UNANSWERED, "Timeframe: not asked yet"),
        (ans(T, "soonish"), GapReason.UNKNOWN_VALUE, "Timeframe: 'soonish' is not on the scale"),
        (ans(T, "no"), GapReason.NOT_QUALIFYING, "Timeframe: 'Next year' does not qualify"),
        (
            ans(T, "yes", Confidence.LOW),
            GapReason.LOW_CONFIDENCE,
            "Timeframe: 'Yes' needs confirming (low confidence)",
        ),
    ],
)
def test_each_gap_reason(answer: BantAnswer | None, reason: GapReason, explanation: str) -> None:
    result = evaluate(strict_rubric(), full_bant(timeframe=answer))
    assert not result.ready
    assert result.met == (B, A, N)
    assert len(result.gaps) == 1
    gap = result.gaps[0]
    assert (gap.dimension, gap.reason, gap.explanation) == (T, reason, explanation)


def test_unknown_value_wins_over_low_confidence_and_not_qualifying_over_low_confidence() -> None:
    result = evaluate(
        strict_rubric(),
        full_bant(budget=ans(B, "zzz", Confidence.LOW), need=ans(N, "no", Confidence.LOW)),
    )
    assert [(g.dimension, g.reason) for g in result.gaps] == [
        (B, GapReason.UNKNOWN_VALUE),
        (N, GapReason.NOT_QUALIFYING),
    ]


def test_confidence_equal_to_minimum_is_enough() -> None:
    result = evaluate(strict_rubric(min_confidence=Confidence.HIGH), full_bant())
    assert result.ready
    result = evaluate(
        strict_rubric(min_confidence=Confidence.HIGH),
        full_bant(need=ans(N, conf=Confidence.MEDIUM)),
    )
    assert [g.reason for g in result.gaps] == [GapReason.LOW_CONFIDENCE]
    assert "medium confidence" in result.gaps[0].explanation


def optional_rubric(required: set[BantDimension], min_qualifying: int) -> Rubric:
    dims = tuple(
        RubricDimension(d, d.value.capitalize(), "?", YES_NO, required=d in required)
        for d in BANT_ORDER
    )
    return Rubric("Some", dims, Confidence.MEDIUM, min_qualifying)


def test_optional_gaps_hidden_once_enough_are_met() -> None:
    rubric = optional_rubric({A, N}, 3)
    result = evaluate(rubric, full_bant(budget=None))
    assert result.ready
    assert result.gaps == ()  # Budget is unanswered but no longer blocks anything


def test_optional_gaps_listed_while_too_few_are_met() -> None:
    rubric = optional_rubric({A, N}, 3)
    result = evaluate(rubric, full_bant(budget=None, timeframe=ans(T, "no")))
    assert not result.ready
    assert [(g.dimension, g.reason) for g in result.gaps] == [
        (B, GapReason.UNANSWERED),
        (T, GapReason.NOT_QUALIFYING),
    ]


def test_required_gap_blocks_even_when_count_is_enough() -> None:
    rubric = optional_rubric({A}, 1)
    result = evaluate(rubric, full_bant(authority=ans(A, "no")))
    assert not result.ready
    assert [g.dimension for g in result.gaps] == [A]


def test_min_qualifying_zero_without_required_dims_is_ready_with_nothing_answered() -> None:
    result = evaluate(optional_rubric(set(), 0), Bant("x"))
    assert result.ready
    assert result.gaps == ()


def test_impossible_rubric_is_never_ready_and_says_so() -> None:
    rubric = optional_rubric(set(), 5)
    result = evaluate(rubric, full_bant())
    assert not result.ready
    assert result.gaps == ()
    assert readiness_label(result).startswith("Not ready")


def test_dimensions_outside_the_rubric_are_ignored_and_order_follows_bant() -> None:
    # Rubric lists Timeframe before Budget and has no Authority/Need.
    dims = (
        RubricDimension(T, "When", "?", YES_NO),
        RubricDimension(B, "Money", "?", YES_NO),
    )
    result = evaluate(Rubric("Two", dims, Confidence.LOW, 2), Bant("x", authority=ans(A, "zzz")))
    assert [g.dimension for g in result.gaps] == [B, T]
    assert result.gaps[0].explanation == "Money: not asked yet"
    assert missing_summary(result) == "Budget, Timeframe"


def test_duplicate_dimension_counts_once() -> None:
    dim = RubricDimension(B, "Budget", "?", YES_NO)
    result = evaluate(Rubric("Dup", (dim, dim), Confidence.LOW, 2), full_bant())
    assert result.met == (B,)
    assert not result.ready


def test_hostile_value_is_quoted_verbatim_and_shortened() -> None:
    value = "<b>'; DROP TABLE leads;--</b>" + "x" * 100
    result = evaluate(strict_rubric(), full_bant(budget=ans(B, value)))
    explanation = result.gaps[0].explanation
    assert explanation.startswith("Budget: '<b>'; DROP TABLE leads;--</b>")
    assert len(explanation) < 90


def test_default_rubric_ready_and_not() -> None:
    bant = Bant(
        "x",
        authority=ans(A, "decision_maker"),
        need=ans(N, "clear"),
        timeframe=ans(T, "this_quarter"),
    )
    assert evaluate(DEFAULT_RUBRIC, bant).ready
    later = replace(bant, timeframe=ans(T, "next_year"))
    result = evaluate(DEFAULT_RUBRIC, later)
    assert not result.ready
    assert [g.explanation for g in result.gaps] == [
        "Budget: not asked yet",
        "Timeframe: 'Next year or later' does not qualify",
    ]
