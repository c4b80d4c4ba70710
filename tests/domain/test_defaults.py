"""The seeded rubric and objection taxonomy are well formed and usable at the keyboard."""

from __future__ import annotations

import re

from repdesk.domain.defaults import DEFAULT_OBJECTION_CATEGORIES, DEFAULT_RUBRIC
from repdesk.domain.qualification import BANT_ORDER, Bant, BantAnswer, Confidence
from repdesk.domain.rubric import evaluate


def test_default_rubric_covers_bant_in_order_with_questions() -> None:
    assert tuple(d.dimension for d in DEFAULT_RUBRIC.dimensions) == BANT_ORDER
    for dim in DEFAULT_RUBRIC.dimensions:
        assert dim.title and dim.question.endswith("?")
        assert 3 <= len(dim.options) <= 5
        codes = [o.code for o in dim.options]
        assert len(set(codes)) == len(codes)
        assert all(re.fullmatch(r"[a-z_]+", c) for c in codes)
        assert [o.key for o in dim.options] == [str(n) for n in range(1, len(dim.options) + 1)]
        assert any(o.qualifies for o in dim.options)
        assert any(not o.qualifies for o in dim.options)
        assert all(o.label for o in dim.options)


def test_default_rubric_is_reachable() -> None:
    best = {
        d.dimension.value: BantAnswer(d.dimension, d.options[0].code, confidence=Confidence.HIGH)
        for d in DEFAULT_RUBRIC.dimensions
    }
    assert evaluate(DEFAULT_RUBRIC, Bant("x", **best)).ready
    assert 0 < DEFAULT_RUBRIC.min_qualifying <= len(DEFAULT_RUBRIC.dimensions)


def test_objection_taxonomy_codes_are_unique_slugs_with_labels() -> None:
    codes = [c.code for c in DEFAULT_OBJECTION_CATEGORIES]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"[a-z_]+", c) for c in codes)
    assert all(c.label and c.description for c in DEFAULT_OBJECTION_CATEGORIES)
    assert {"price", "timing", "competitor", "security", "integration", "other"} <= set(codes)
