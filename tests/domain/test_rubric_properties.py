"""Property tests for rubric evaluation over generated rubrics and answers."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from repdesk.domain.qualification import (
    BANT_ORDER,
    Bant,
    BantAnswer,
    BantDimension,
    Confidence,
    Rubric,
    RubricDimension,
    ScaleOption,
)
from repdesk.domain.rubric import evaluate

OPTIONS = (
    ScaleOption("a", "A", True, "1"),
    ScaleOption("b", "B", True, "2"),
    ScaleOption("c", "C", False, "3"),
)

confidences = st.sampled_from(list(Confidence))


@st.composite
def rubrics(draw: st.DrawFn) -> Rubric:
    chosen = draw(st.lists(st.sampled_from(BANT_ORDER), unique=True, max_size=4))
    dims = tuple(
        RubricDimension(d, d.value.capitalize(), "?", OPTIONS, required=draw(st.booleans()))
        for d in chosen
    )
    return Rubric("r", dims, draw(confidences), draw(st.integers(0, 5)))


answers = st.none() | st.builds(
    BantAnswer,
    dimension=st.just(BantDimension.BUDGET),  # replaced per dimension below
    value=st.sampled_from(["a", "b", "c", "", "zz"]) | st.text(max_size=8),
    confidence=confidences,
)


@st.composite
def bants(draw: st.DrawFn) -> Bant:
    values = {}
    for d in BANT_ORDER:
        a = draw(answers)
        values[d.value] = None if a is None else replace(a, dimension=d)
    return Bant("lead", **values)


@given(rubrics(), bants(), st.sampled_from(BANT_ORDER))
def test_adding_a_qualifying_confident_answer_never_makes_a_lead_less_ready(
    rubric: Rubric, bant: Bant, dim: BantDimension
) -> None:
    before = evaluate(rubric, bant)
    after = evaluate(
        rubric, replace(bant, **{dim.value: BantAnswer(dim, "a", confidence=Confidence.HIGH)})
    )
    assert after.ready or not before.ready
    assert set(before.met) <= set(after.met)
    assert {g.dimension for g in after.gaps} <= {g.dimension for g in before.gaps}


@given(rubrics(), bants())
def test_ready_implies_every_required_dimension_met_and_no_gaps(rubric: Rubric, bant: Bant) -> None:
    result = evaluate(rubric, bant)
    if result.ready:
        assert result.gaps == ()
        assert len(result.met) >= rubric.min_qualifying
        for d in rubric.dimensions:
            if d.required:
                assert d.dimension in result.met


@given(rubrics(), bants())
def test_met_and_gaps_are_disjoint_ordered_and_cover_rubric_dimensions(
    rubric: Rubric, bant: Bant
) -> None:
    result = evaluate(rubric, bant)
    gap_dims = [g.dimension for g in result.gaps]
    assert not set(gap_dims) & set(result.met)
    assert set(gap_dims) | set(result.met) <= {d.dimension for d in rubric.dimensions}
    assert gap_dims == sorted(gap_dims, key=BANT_ORDER.index)
    assert list(result.met) == sorted(result.met, key=BANT_ORDER.index)
    assert all(g.explanation for g in result.gaps)


@given(rubrics(), bants())
def test_not_ready_always_names_a_gap_unless_the_rubric_is_impossible(
    rubric: Rubric, bant: Bant
) -> None:
    result = evaluate(rubric, bant)
    if not result.ready and rubric.min_qualifying <= len(rubric.dimensions):
        assert result.gaps


@given(rubrics(), bants())
def test_no_required_dims_and_min_qualifying_zero_is_always_ready(
    rubric: Rubric, bant: Bant
) -> None:
    relaxed = replace(
        rubric,
        dimensions=tuple(replace(d, required=False) for d in rubric.dimensions),
        min_qualifying=0,
    )
    assert evaluate(relaxed, bant).ready


@given(rubrics(), bants())
def test_evaluation_is_deterministic(rubric: Rubric, bant: Bant) -> None:
    assert evaluate(rubric, bant) == evaluate(rubric, bant)
