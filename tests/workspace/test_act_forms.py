"""The Act pages' form models, without HTTP: the rubric editor's fields round-trip a
rubric exactly (so an untouched editor publishes nothing new), blank and removed option
rows are dropped, and the Leads rule form says what is missing."""

from __future__ import annotations

import pytest

from repdesk.domain.defaults import DEFAULT_RUBRIC
from repdesk.domain.errors import ValidationError
from repdesk.hub.admin import WHERE_FIELDS, validate_rubric
from repdesk.hub.workspace import lead_rules, rubric_form
from repdesk.protocol.convert import rubric_to_data


def posted(form: rubric_form.RubricForm) -> dict[str, str]:
    """The fields a browser posts for `form` (ticked checkboxes only)."""
    out = {"name": form.name, "min_qualifying": form.min_qualifying}
    out["min_confidence"] = form.min_confidence
    for dim in form.dimensions:
        p = dim.prefix()
        out |= {f"{p}.title": dim.title, f"{p}.question": dim.question}
        out |= {f"{p}.asked": "1"} if dim.asked else {}
        out |= {f"{p}.required": "1"} if dim.required else {}
        for j, option in enumerate(dim.options):
            out |= {f"{p}.o{j}.code": option.code, f"{p}.o{j}.label": option.label}
            out |= {f"{p}.o{j}.qualifies": "1"} if option.qualifies else {}
    return out


def test_the_editor_round_trips_the_default_rubric() -> None:
    data = rubric_to_data(DEFAULT_RUBRIC)
    form = rubric_form.from_rubric(data)
    assert [d.dimension for d in form.dimensions] == ["budget", "authority", "need", "timeframe"]
    assert all(
        sum(o.blank for o in d.options) == rubric_form.BLANK_OPTIONS for d in form.dimensions
    )
    again = validate_rubric(rubric_form.to_data(rubric_form.from_fields(posted(form))))
    assert again.model_dump(mode="json") == data.model_dump(mode="json")


def test_blank_and_removed_rows_are_dropped_and_unasked_dimensions_left_out() -> None:
    fields = posted(rubric_form.from_rubric(rubric_to_data(DEFAULT_RUBRIC)))
    fields["d0.o1.remove"] = "1"
    fields["d0.o4.code"], fields["d0.o4.label"] = "grant", "Grant"
    del fields["d3.asked"]
    data = rubric_form.to_data(rubric_form.from_fields(fields))
    assert [d["dimension"] for d in data["dimensions"]] == ["budget", "authority", "need"]
    budget = data["dimensions"][0]["options"]
    assert [(o["code"], o["key"]) for o in budget] == [
        ("approved", "1"),
        ("must_find", "2"),
        ("none", "3"),
        ("grant", "4"),
    ]
    shown = rubric_form.from_fields(fields)  # shown again: two blank rows after the kept ones
    assert [o.code for o in shown.dimensions[0].options] == [
        "approved",
        "must_find",
        "none",
        "grant",
        "",
        "",
    ]


def test_a_rule_form_becomes_conditions_or_says_what_is_missing() -> None:
    assert [name for name, _ in lead_rules.field_choices()] == list(WHERE_FIELDS)
    form = lead_rules.read_form(
        {
            "rep": " a@x.test ",
            "field0": "industry",
            "value0": " Retail ",
            "field2": "min_score",
            "value2": "50",
            "limit": "10",
            "reassign": "1",
        }
    )
    rule = lead_rules.rule_of(form)
    assert rule.where == [("industry", "Retail"), ("min_score", "50")] and rule.limit == 10
    assert lead_rules.describe(rule) == "industry is Retail, score at least 50 (at most 10)"
    assert ("reassign", "1") in form.hidden() and ("field0", "industry") in form.hidden()
    assert lead_rules.describe(lead_rules.rule_of(lead_rules.RuleForm())) == "any lead"
    for fields, message in (
        ({"field0": "industry"}, "Give a value for Industry"),
        ({"field0": "shoe", "value0": "9"}, "cannot filter on 'shoe'"),
        ({"limit": "-3"}, "at least 1"),
        ({"limit": "ten"}, "at least 1"),
    ):
        with pytest.raises(ValidationError, match=message):
            lead_rules.rule_of(lead_rules.read_form(fields))
