"""The Rubric page over HTTP (SQLite and PostgreSQL): the editor shows the active rubric,
the check endpoint answers a draft with validate_rubric's problem or a preview count from
count_ready, publishing writes a new version (audited, in the change log reps pull, in the
history with what changed), and a broken draft or an unchanged one writes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from repdesk.hub.db.models import RubricRow, RubricVersion
from repdesk.hub.embedded import EmbeddedHub
from tests.hub.admin_helpers import pulled
from tests.support import hub_rows as seed

from .act_support import (
    actions,
    change_log_size,
    flash_after,
    form_fields,
    logged,
    reference_data,
)
from .conftest import MARKETER_EMAIL, Browser, People

DIMENSIONS = ("budget", "authority", "need", "timeframe")
ANSWERS = {
    # lead: budget, authority, need, timeframe (default rubric: need and authority
    # required, 3 of 4 must qualify)
    "ready-1": ("approved", "decision_maker", "critical", "next_year"),
    "ready-2": ("must_find", "champion", "clear", "this_month"),
    "influencer": ("approved", "influencer", "clear", "this_month"),
}


@pytest.fixture
def leads(embedded_hub: EmbeddedHub, people: People) -> dict[str, str]:
    """Three leads of the rep with answers: two ready under the default rubric."""
    made = {}
    for key, values in ANSWERS.items():
        lead = seed.add_lead(
            embedded_hub.state.db, people.rep, company=key, email=f"{key}@example.test"
        )
        for dimension, value in zip(DIMENSIONS, values, strict=True):
            seed.set_bant_as_marketing(embedded_hub.state.db, lead, dimension, value)
        made[key] = lead
    return made


def editor(client: Browser) -> dict[str, str]:
    page = client.get("/workspace/rubric")
    assert page.status_code == 200
    fields = form_fields(page.text, "rubric-form")
    assert fields.pop("csrf_token") == client.csrf
    return fields


def option_field(fields: dict[str, str], dimension: int, code: str) -> str:
    """The field prefix ("d1.o2") of the option `code` of dimension number `dimension`."""
    for name, value in fields.items():
        if name.startswith(f"d{dimension}.o") and name.endswith(".code") and value == code:
            return name.removesuffix(".code")
    raise AssertionError(f"no option {code} under d{dimension}")


def check(client: Browser, fields: dict[str, str]) -> str:
    """What the check panel shows for `fields` (the htmx request: token in the header)."""
    answer = client.post(
        "/workspace/rubric/check",
        data=fields,
        headers={"X-CSRF-Token": client.csrf, "HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert "<html" not in answer.text  # a fragment for htmx to swap in
    return " ".join(answer.text.split())


def test_the_editor_checks_a_draft_and_previews_how_many_leads_would_be_ready(
    embedded_hub: EmbeddedHub,
    people: People,
    leads: dict[str, str],
    browser: Callable[[str], Browser],
) -> None:
    reference_data(embedded_hub)
    client = browser(MARKETER_EMAIL)
    fields = editor(client)
    assert fields["name"] == "Sales-ready lead (BANT)"
    assert fields["d1.required"] == "1" and "d0.required" not in fields  # authority, budget
    assert "2 of 3</span> current leads would be sales-ready (now: 2)" in check(client, fields)

    # Let an influencer qualify: the third lead would be ready too.
    influencer = option_field(fields, 1, "influencer")
    assert check(client, {**fields, f"{influencer}.qualifies": "1"}).count("3 of 3") == 1
    # Ask for all four: no lead qualifies on all four.
    assert "0 of 3</span>" in check(client, {**fields, "min_qualifying": "4"})

    broken = [
        ("min_qualifying", "7", "min_qualifying: Input should be less than or equal to 4"),
        ("min_qualifying", "lots", "unable to parse string as an integer"),
        (f"{option_field(fields, 2, 'critical')}.code", "", "has no code"),
        ("d3.title", "", "timeframe needs a title"),
    ]
    for name, value, message in broken:
        shown = check(client, {**fields, name: value})
        assert "Cannot publish yet." in shown and message in shown, shown
    fewer = {k: v for k, v in fields.items() if k != "d0.asked"}
    assert "min_qualifying is 3 but the rubric has only 3 dimensions" not in check(client, fewer)
    assert "3 dimensions" in check(client, {**fewer, "min_qualifying": "4"})
    no_qualifying = {
        k: v for k, v in fields.items() if not k.startswith("d2.") or "qualif" not in k
    }
    assert "no answer for need qualifies" in check(client, no_qualifying)
    markup = check(client, {**fields, "d3.o0.code": "<b>x</b>", "d3.o0.label": ""})
    assert "the option &lt;b&gt;x&lt;/b&gt; of timeframe needs a label" in markup
    assert "<b>" not in markup


def test_publishing_makes_a_new_version_reps_pull_with_its_audit_and_history(
    embedded_hub: EmbeddedHub, people: People, browser: Callable[[str], Browser]
) -> None:
    h = reference_data(embedded_hub)
    client = browser(MARKETER_EMAIL)
    fields = editor(client)
    influencer = option_field(fields, 1, "influencer")
    fields.update({"min_qualifying": "4", f"{influencer}.qualifies": "1"})
    fields[f"{option_field(fields, 0, 'none')}.label"] = "No budget at all"
    fields["d0.o4.code"], fields["d0.o4.label"] = "grant", "Grant funding"  # a blank row
    answer = client.post("/workspace/rubric", data={**fields, "csrf_token": client.csrf})
    page = flash_after(client, answer)
    assert "Published version 2 of" in page and "next sync" in page

    with h.db.read() as session:
        row = session.scalars(select(RubricRow)).one()
        versions = session.scalars(select(RubricVersion).order_by(RubricVersion.version)).all()
    assert row.version == 2 and row.data["min_qualifying"] == 4
    budget = row.data["dimensions"][0]["options"]
    assert [o["code"] for o in budget][-1] == "grant" and budget[-1]["key"] == "5"
    assert [(v.version, v.published_by) for v in versions] == [(1, ""), (2, MARKETER_EMAIL)]
    assert actions(h)[-1] == (MARKETER_EMAIL, "rubric.publish", "Sales-ready lead (BANT)")
    assert logged(h, "rubric", row.id) == [("*", "upsert", 2)]
    assert pulled(h, people.rep)[("rubric", row.id)] == "upsert"

    history = " ".join(client.get("/workspace/rubric").text.split())
    assert "Version 2" in history and MARKETER_EMAIL in history
    for change in (
        "dimensions needed to qualify: 3 → 4",
        "authority: option influencer now qualifies",
        "budget: option none renamed &#39;No budget&#39; → &#39;No budget at all&#39;",
        "budget: option grant (&#39;Grant funding&#39;) added, does not qualify",
    ):
        assert change in history, change
    assert "The first version." in history


def test_a_broken_or_unchanged_rubric_changes_nothing(
    embedded_hub: EmbeddedHub, people: People, browser: Callable[[str], Browser]
) -> None:
    h = reference_data(embedded_hub)
    client = browser(MARKETER_EMAIL)
    fields = editor(client)
    log_before, audit_before = change_log_size(h), actions(h)

    same = client.post("/workspace/rubric", data={**fields, "csrf_token": client.csrf})
    assert "Nothing to publish" in flash_after(client, same)

    for name in ("d1.required", "d2.required", "d0.asked"):
        fields.pop(name)
    broken = {**fields, "min_qualifying": "4", "csrf_token": client.csrf}
    refused = client.post("/workspace/rubric", data=broken)
    assert refused.status_code == 400
    assert "Not published: This draft: min_qualifying is 4 but the rubric has only 3" in (
        refused.text
    )
    # The editor comes back with what was typed.
    again = form_fields(refused.text, "rubric-form")
    assert again["min_qualifying"] == "4" and "d1.required" not in again and "d0.asked" not in again

    no_token = client.post("/workspace/rubric", data={**fields, "min_qualifying": "4"})
    assert no_token.status_code == 403
    with h.db.read() as session:
        assert session.scalars(select(RubricRow.version)).one() == 1
    assert change_log_size(h) == log_before and actions(h) == audit_before


def test_without_a_published_rubric_the_editor_starts_from_the_default(
    embedded_hub: EmbeddedHub, people: People, browser: Callable[[str], Browser]
) -> None:
    client = browser(MARKETER_EMAIL)
    page = client.get("/workspace/rubric")
    assert "No rubric is published yet" in page.text
    fields = form_fields(page.text, "rubric-form")
    assert "(now: no rubric published)" in check(client, fields)
    answer = client.post("/workspace/rubric", data={**fields, "csrf_token": client.csrf})
    assert "Published version 1" in flash_after(client, answer)
