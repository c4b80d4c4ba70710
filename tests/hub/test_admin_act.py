"""The admin operations behind the workspace's Act pages, without HTTP: the rubric's
change list between versions, the CLI's changes audited as "cli", dry-run assignment
counts, tagging collateral, editing the taxonomy one category at a time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.hub.admin_helpers import DATA, pulled, upserts
from tests.support.hub_fixtures import PDF_BYTES, new_hub

from repdesk.domain.defaults import DEFAULT_RUBRIC
from repdesk.domain.errors import ValidationError
from repdesk.hub import admin
from repdesk.hub.admin import audit
from repdesk.hub.admin.rubric_history import rubric_changes, rubric_history
from repdesk.hub.config import HubConfig
from repdesk.hub.db.models import Lead, RubricRow
from repdesk.protocol.convert import rubric_to_data
from repdesk.protocol.schema import RubricData


def actions(hub_admin: admin.Hub) -> list[tuple[str, str, str]]:
    with hub_admin.db.read() as session:
        return [(e.actor, e.action, e.target) for e in reversed(audit.audit_entries(session))]


def default_data() -> dict:
    return rubric_to_data(DEFAULT_RUBRIC).model_dump(mode="json")


def test_rubric_changes_name_each_dimension_option_and_threshold_change() -> None:
    old = RubricData.model_validate(default_data())
    data = default_data()
    data["name"] = "Stricter"
    data["min_qualifying"], data["min_confidence"] = 4, 3
    budget, authority, need, _timeframe = data["dimensions"]
    budget["required"] = True
    budget["options"][0]["label"] = "Approved"
    budget["options"].pop()  # "none"
    budget["options"].append({"code": "grant", "label": "Grant", "qualifies": True})
    authority["options"][2]["qualifies"] = True  # influencer
    authority["options"].reverse()
    need["question"] = "Why now?"
    data["dimensions"].pop()  # timeframe
    new = RubricData.model_validate(data)
    assert rubric_changes(old, new) == [
        "name 'Sales-ready lead (BANT)' → 'Stricter'",
        "dimensions needed to qualify: 3 → 4",
        "confidence floor: medium → high",
        "budget: now required",
        "budget: option approved renamed 'Budget approved' → 'Approved'",
        "budget: option grant ('Grant') added, qualifies",
        "budget: option none ('No budget') removed",
        "authority: option influencer now qualifies",
        "authority: options reordered",
        "need: question reworded",
        "timeframe: dimension removed",
    ]
    assert rubric_changes(new, new) == []
    assert rubric_changes(new, old)[-1] == "timeframe: dimension added (required: no)"


def test_publishing_keeps_a_history_and_skips_an_unchanged_rubric(hub_admin: admin.Hub) -> None:
    data = default_data()
    same = admin.publish_rubric(hub_admin, data, actor="mo@example.test")
    assert (same.changed, same.version) == (False, 1)
    data["min_qualifying"] = 4
    published = admin.publish_rubric(hub_admin, data, actor="mo@example.test")
    assert (published.changed, published.version) == (True, 2)
    with pytest.raises(ValidationError, match="This draft: need needs a title"):
        broken = json.loads(json.dumps(data))
        broken["dimensions"][2]["title"] = " "
        admin.publish_rubric(hub_admin, broken, name="This draft")
    with hub_admin.db.read() as session:
        history = rubric_history(session)
        assert session.scalars(select(RubricRow.version)).one() == 2
    assert [(v.version, v.published_by, v.first) for v in history] == [
        (2, "mo@example.test", False),
        (1, "", True),
    ]
    assert history[0].changes == ("dimensions needed to qualify: 3 → 4",)
    assert actions(hub_admin) == [("mo@example.test", "rubric.publish", DEFAULT_RUBRIC.name)]


def test_cli_changes_are_audited_as_cli(hub_admin: admin.Hub, tmp_path: Path) -> None:
    rubric = tmp_path / "rubric.json"
    rubric.write_text(json.dumps(default_data()), encoding="utf-8")
    admin.set_rubric(hub_admin, rubric)  # the CLI always publishes a new version
    taxonomy = tmp_path / "taxonomy.json"
    taxonomy.write_text(json.dumps([{"code": "price", "label": "Price"}]), encoding="utf-8")
    admin.set_taxonomy(hub_admin, taxonomy)
    admin.add_rep(hub_admin, "ann@example.com", "Ann")
    admin.disable_rep(hub_admin, "ann@example.com")
    admin.enable_rep(hub_admin, "ann@example.com")
    admin.reset_password(hub_admin, "ann@example.com")
    admin.import_leads(hub_admin, DATA / "hubspot_contacts.csv")
    assert admin.assign_by_rule(hub_admin, "ann@example.com", limit=2).assigned == 2
    assert admin.unassign(hub_admin, from_email="ann@example.com") == 2
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(PDF_BYTES)
    info = admin.add_collateral(hub_admin, pdf, "Sheet")
    admin.retire_collateral(hub_admin, info.id)
    assert [(a, b) for a, b, _ in actions(hub_admin)] == [
        ("cli", "rubric.publish"),
        ("cli", "taxonomy.publish"),
        ("cli", "rep.add"),
        ("cli", "rep.disable"),
        ("cli", "rep.enable"),
        ("cli", "rep.reset_password"),
        ("cli", "leads.import"),
        ("cli", "leads.assign"),
        ("cli", "leads.unassign"),
        ("cli", "collateral.add"),
        ("cli", "collateral.retire"),
    ]


def test_a_dry_run_counts_what_a_rule_would_move_and_changes_nothing(hub_admin: admin.Hub) -> None:
    ann, _ = admin.add_rep(hub_admin, "ann@example.com", "Ann")
    admin.add_rep(hub_admin, "bob@example.com", "Bob")
    admin.import_leads(hub_admin, DATA / "hubspot_contacts.csv")
    with hub_admin.db.read() as session:
        total = len(session.scalars(select(Lead.id)).all())
    preview = admin.assign_by_rule(hub_admin, "ann@example.com", dry_run=True)
    assert (preview.assigned, preview.moved) == (total, 0)
    assert upserts(hub_admin, ann.id, "lead") == set()
    done = admin.assign_by_rule(hub_admin, "ann@example.com", limit=3)
    assert done.assigned == 3
    steal = admin.assign_by_rule(hub_admin, "bob@example.com", reassign=True, dry_run=True)
    assert (steal.assigned, steal.moved) == (total, 3)
    assert admin.unassign(hub_admin, from_email="ann@example.com", dry_run=True) == 3
    assert len(upserts(hub_admin, ann.id, "lead")) == 3
    assert [a for _, a, _ in actions(hub_admin)].count("leads.assign") == 1
    with pytest.raises(ValidationError, match="at least 1"):
        admin.unassign(hub_admin, from_email="ann@example.com", limit=0, dry_run=True)


def test_tagging_bumps_the_version_and_reaches_reps(hub_admin: admin.Hub, tmp_path: Path) -> None:
    ann, _ = admin.add_rep(hub_admin, "ann@example.com", "Ann")
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(PDF_BYTES)
    info = admin.add_collateral(hub_admin, pdf, "Sheet", tags=("Price",))
    tagged, changed = admin.tag_collateral(hub_admin, info.id, " Security ", actor="mo@x.test")
    assert changed and tagged.tags == ("price", "security")
    assert admin.tag_collateral(hub_admin, info.id, "security")[1] is False
    untagged, changed = admin.untag_collateral(hub_admin, info.id, "PRICE", actor="mo@x.test")
    assert changed and untagged.tags == ("security",)
    assert pulled(hub_admin, ann.id)[("collateral", info.id)] == "upsert"
    with pytest.raises(ValidationError, match="Say which tag"):
        admin.tag_collateral(hub_admin, info.id, "  ")
    admin.retire_collateral(hub_admin, info.id)
    with pytest.raises(ValidationError, match="not in the library"):
        admin.tag_collateral(hub_admin, info.id, "price")
    listed = admin.list_collateral(hub_admin, include_retired=True)
    assert [(c.title, c.retired) for c in listed] == [("Sheet", True)]
    assert admin.list_collateral(hub_admin) == []
    assert [a for _, a, _ in actions(hub_admin) if a.startswith("collateral.")] == [
        "collateral.add",
        "collateral.tag",
        "collateral.untag",
        "collateral.retire",
    ]


def test_an_upload_keeps_its_own_name_as_text_only(hub_admin: admin.Hub, tmp_path: Path) -> None:
    stored = tmp_path / "upload-x1y2.tmp"
    stored.write_bytes(b"plain words")
    info = admin.add_collateral(hub_admin, stored, "Notes", original_name="notes.pdf")
    assert info.original_name == "notes.pdf"
    assert info.problem.startswith("Named like a PDF but the content is text/plain")
    empty = tmp_path / "upload-empty.tmp"
    empty.write_bytes(b"")
    with pytest.raises(ValidationError, match="^brochure.pdf is empty"):
        admin.add_collateral(hub_admin, empty, "Empty", original_name="brochure.pdf")


def test_categories_are_edited_one_at_a_time(hub_admin: admin.Hub) -> None:
    ann, _ = admin.add_rep(hub_admin, "ann@example.com", "Ann")
    tax = admin.taxonomy
    tax.add_category(hub_admin, "data_residency", "Data residency", actor="mo@x.test")
    tax.update_category(hub_admin, "price", "Price", "Cost", actor="mo@x.test")
    tax.retire_category(hub_admin, "timing", actor="mo@x.test")
    got = pulled(hub_admin, ann.id)
    assert got[("objection_category", "data_residency")] == "upsert"
    assert got[("objection_category", "timing")] == "remove"
    with pytest.raises(ValidationError, match="restore it instead"):
        tax.add_category(hub_admin, "timing", "Timing")
    with pytest.raises(ValidationError, match="restore it before renaming"):
        tax.update_category(hub_admin, "timing", "Later")
    with pytest.raises(ValidationError, match="already retired"):
        tax.retire_category(hub_admin, "timing")
    tax.restore_category(hub_admin, "timing", actor="mo@x.test")
    with pytest.raises(ValidationError, match="is not retired"):
        tax.restore_category(hub_admin, "timing")
    with hub_admin.db.read() as session:
        codes = [c.code for c in tax.list_categories(session) if not c.retired]
    for code in codes[:-1]:
        tax.retire_category(hub_admin, code)
    with pytest.raises(ValidationError, match="last category cannot be retired"):
        tax.retire_category(hub_admin, codes[-1])


def test_an_import_is_audited_in_its_own_transaction_and_a_dry_run_is_not(
    tmp_path: Path,
) -> None:
    from repdesk.hub.db.models import AuditEntry

    with new_hub(HubConfig.resolve(tmp_path / "hub")) as hub_admin:
        admin.import_leads(hub_admin, DATA / "salesforce_leads.csv", dry_run=True)
        with hub_admin.db.read() as session:
            assert session.scalars(select(AuditEntry)).all() == []
        report = admin.import_leads(hub_admin, DATA / "salesforce_leads.csv")
        with hub_admin.db.read() as session:
            [entry] = session.scalars(select(AuditEntry)).all()
        assert (entry.actor, entry.action) == ("cli", "leads.import")
        assert entry.target == "salesforce_leads.csv"
        assert entry.detail["created"] == report.created
