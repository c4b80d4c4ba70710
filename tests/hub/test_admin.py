"""Admin services on a real hub database: every change lands where reps' pulls see it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.hub.admin_helpers import DATA, pulled, upserts

from repdesk.domain.defaults import DEFAULT_OBJECTION_CATEGORIES, DEFAULT_RUBRIC
from repdesk.domain.errors import ValidationError
from repdesk.hub import admin, auth
from repdesk.hub.config import HubConfig
from repdesk.hub.db.models import Lead, NurtureEvent, Rep, RubricRow, Token
from repdesk.protocol.convert import rubric_to_data


def test_init_seeds_defaults_once_and_every_rep_pulls_them(hub_admin: admin.Hub) -> None:
    assert admin.init_hub(hub_admin.config) is False  # second init: upgrade only
    info, _ = admin.add_rep(hub_admin, "ann@example.com", "Ann")
    got = pulled(hub_admin, info.id)
    categories = {i for (e, i), op in got.items() if e == "objection_category"}
    assert categories == {c.code for c in DEFAULT_OBJECTION_CATEGORIES}
    assert sum(1 for (e, _i) in got if e == "rubric") == 1


def test_open_hub_without_init_is_a_clear_error(tmp_path: Path) -> None:
    config = HubConfig.resolve(tmp_path / "nowhere")
    with (
        pytest.raises(admin.HubNotInitialisedError, match="repdesk-hub init"),
        admin.open_hub(config),
    ):
        pass
    assert not (tmp_path / "nowhere" / "hub.db").exists()


def test_reps_add_list_disable_reset(hub_admin: admin.Hub) -> None:
    info, password = admin.add_rep(hub_admin, "  Ann@Example.COM ", "Ann  Example")
    assert info.email == "ann@example.com" and info.name == "Ann Example"
    with hub_admin.db.write() as session:
        rep = session.get(Rep, info.id)
        assert rep is not None and password not in rep.password_hash
        assert auth.authenticate(session, "ann@example.com", password) is not None
        token = auth.issue_token(session, rep, hub_admin.config.token_ttl)
    with pytest.raises(ValidationError, match="already exists"):
        admin.add_rep(hub_admin, "ann@example.com", "Again")
    with pytest.raises(ValidationError, match="not an email"):
        admin.add_rep(hub_admin, "ann at example", "Ann")
    with pytest.raises(ValidationError, match="at least"):
        admin.add_rep(hub_admin, "bob@example.com", "Bob", "short")
    new_password = admin.reset_password(hub_admin, "ann@example.com")
    with hub_admin.db.write() as session:
        assert auth.rep_for_token(session, token) is None, "a reset ends old sessions"
        assert auth.authenticate(session, "ann@example.com", password) is None
        assert auth.authenticate(session, "ann@example.com", new_password) is not None
        rep = session.get(Rep, info.id)
        assert rep is not None
        token = auth.issue_token(session, rep, hub_admin.config.token_ttl)
    assert admin.disable_rep(hub_admin, "ANN@example.com") == 1
    with hub_admin.db.read() as session:
        assert auth.rep_for_token(session, token) is None
        assert session.scalar(select(func.count()).select_from(Token)) == 2
    assert [(r.email, r.disabled) for r in admin.list_reps(hub_admin)] == [
        ("ann@example.com", True)
    ]
    with pytest.raises(ValidationError, match="no rep"):
        admin.disable_rep(hub_admin, "nobody@example.com")


def _lead(hub_admin: admin.Hub, external_id: str) -> Lead:
    with hub_admin.db.read() as session:
        lead = session.scalar(select(Lead).where(Lead.external_id == external_id))
        assert lead is not None
        return lead


def test_import_leads_upserts_and_dry_run_changes_nothing(
    hub_admin: admin.Hub, tmp_path: Path
) -> None:
    dry = admin.import_leads(hub_admin, DATA / "salesforce_leads.csv", dry_run=True)
    assert (dry.created, dry.dry_run) == (4, True)
    with hub_admin.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Lead)) == 0
    first = admin.import_leads(hub_admin, DATA / "salesforce_leads.csv")
    assert (first.created, first.updated, len(first.errors)) == (4, 0, 3)
    again = admin.import_leads(hub_admin, DATA / "salesforce_leads.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    lead = _lead(hub_admin, "00Q8d000004xYz1EAE")
    assert lead.company == "Northwind Logistics, Inc." and lead.version == 1
    # Changed title for an existing Salesforce id -> an update with a new version.
    text = (DATA / "salesforce_leads.csv").read_text(encoding="utf-8")
    changed = tmp_path / "changed.csv"
    changed.write_text(text.replace('"VP Operations"', '"COO"'), encoding="utf-8")
    report = admin.import_leads(hub_admin, changed)
    assert (report.created, report.updated) == (0, 1)
    lead = _lead(hub_admin, "00Q8d000004xYz1EAE")
    assert (lead.title, lead.version) == ("COO", 2)


def test_import_matches_by_email_when_there_is_no_id(hub_admin: admin.Hub, tmp_path: Path) -> None:
    admin.import_leads(hub_admin, DATA / "salesforce_leads.csv")
    jsonl = tmp_path / "leads.jsonl"
    jsonl.write_text(
        json.dumps(
            {
                "email": "CHIDI.OKAFOR@northwind.example",
                "first_name": "Chidi",
                "last_name": "Okafor",
                "company": "Northwind",
                "score": 91,
            }
        )
        + "\n",
        encoding="utf-8",
    )
    report = admin.import_leads(hub_admin, jsonl)
    assert (report.created, report.updated) == (0, 1)
    assert _lead(hub_admin, "00Q8d000004xYz1EAE").score == 91


def test_import_assigns_owner_by_rep_email_and_the_rep_pulls_it(hub_admin: admin.Hub) -> None:
    alex, _ = admin.add_rep(hub_admin, "alex@demo.repdesk", "Alex")
    report = admin.import_leads(hub_admin, DATA / "hubspot_contacts.csv")
    assert report.assigned == 1  # only row 51 names a rep that exists
    lead = _lead(hub_admin, "51")
    assert lead.owner_rep_id == alex.id
    assert upserts(hub_admin, alex.id, "lead") == {lead.id}


def test_import_events_attach_to_leads_idempotently(hub_admin: admin.Hub) -> None:
    admin.import_leads(hub_admin, DATA / "salesforce_leads.csv")
    report = admin.import_events(hub_admin, DATA / "events.csv")
    assert (report.created, report.campaigns_created) == (3, 2)
    assert [e.line for e in report.errors] == [5, 6, 7, 8]
    again = admin.import_events(hub_admin, DATA / "events.csv")
    assert (again.created, again.already_there) == (0, 3)
    lead = _lead(hub_admin, "00Q8d000004xYz1EAE")
    with hub_admin.db.read() as session:
        events = session.scalars(select(NurtureEvent).where(NurtureEvent.lead_id == lead.id)).all()
    assert sorted(e.type for e in events) == ["email_opened", "email_sent"]
    # Assigning the lead later hands its whole history to the rep.
    ann, _ = admin.add_rep(hub_admin, "ann@example.com", "Ann")
    admin.assign_by_rule(hub_admin, "ann@example.com", [("external_id", "00Q8d000004xYz1EAE")])
    assert upserts(hub_admin, ann.id, "nurture_event") == {e.id for e in events}


def test_unknown_lead_in_events_is_a_row_error(hub_admin: admin.Hub, tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("email,type,occurred_at\nghost@example.com,web_visit,2024-01-01\n")
    report = admin.import_events(hub_admin, path)
    assert report.created == 0
    assert report.errors[0].line == 2 and "ghost@example.com" in report.errors[0].reason


def test_events_fall_back_from_an_unknown_id_to_the_email(
    hub_admin: admin.Hub, tmp_path: Path
) -> None:
    admin.import_leads(hub_admin, DATA / "salesforce_leads.csv")
    path = tmp_path / "e.csv"
    path.write_text(
        "lead_external_id,email,type,occurred_at\n"
        "HS-77,chidi.okafor@northwind.example,web_visit,2024-04-01\n"
        "HS-78,ghost@example.com,web_visit,2024-04-01\n",
        encoding="utf-8",
    )
    report = admin.import_events(hub_admin, path)
    assert report.created == 1
    assert [e.line for e in report.errors] == [3]
    assert "'HS-78' or email 'ghost@example.com'" in report.errors[0].reason


def test_assign_by_rule_hottest_first_and_reassign_moves(hub_admin: admin.Hub) -> None:
    admin.import_leads(hub_admin, DATA / "hubspot_contacts.csv")  # scores 72, 45, 0, 0
    ann, _ = admin.add_rep(hub_admin, "ann@example.com", "Ann")
    bob, _ = admin.add_rep(hub_admin, "bob@example.com", "Bob")
    report = admin.assign_by_rule(hub_admin, "ann@example.com", limit=2)
    assert report.assigned == 2
    assert upserts(hub_admin, ann.id, "lead") == {
        _lead(hub_admin, "51").id,
        _lead(hub_admin, "52").id,
    }
    # Only unassigned leads unless asked: Bob gets the other two.
    assert admin.assign_by_rule(hub_admin, "bob@example.com").assigned == 2
    where = admin.parse_where(["lifecycle_stage=MQL"])
    assert admin.assign_by_rule(hub_admin, "bob@example.com", where).assigned == 0
    moved = admin.assign_by_rule(hub_admin, "bob@example.com", where, reassign=True)
    assert (moved.assigned, moved.moved) == (1, 1)
    lead51 = _lead(hub_admin, "51").id
    assert pulled(hub_admin, ann.id)[("lead", lead51)] == "remove"
    assert pulled(hub_admin, bob.id)[("lead", lead51)] == "upsert"
    assert admin.unassign(hub_admin, from_email="bob@example.com") == 3
    assert upserts(hub_admin, bob.id, "lead") == set()


def test_parse_where_and_rule_errors(hub_admin: admin.Hub) -> None:
    with pytest.raises(ValidationError, match="FIELD=VALUE"):
        admin.parse_where(["industry"])
    with pytest.raises(ValidationError, match="one of"):
        admin.parse_where(["salary=3"])
    admin.add_rep(hub_admin, "ann@example.com", "Ann")
    with pytest.raises(ValidationError, match="not a lifecycle stage"):
        admin.assign_by_rule(hub_admin, "ann@example.com", [("lifecycle_stage", "wizard")])
    with pytest.raises(ValidationError, match="no campaign"):
        admin.assign_by_rule(hub_admin, "ann@example.com", [("campaign", "Nope")])
    admin.disable_rep(hub_admin, "ann@example.com")
    with pytest.raises(ValidationError, match="disabled"):
        admin.assign_by_rule(hub_admin, "ann@example.com")
    with pytest.raises(ValidationError, match="Say which"):
        admin.unassign(hub_admin)


def test_assign_from_csv_reports_bad_rows(hub_admin: admin.Hub, tmp_path: Path) -> None:
    admin.import_leads(hub_admin, DATA / "hubspot_contacts.csv")
    ann, _ = admin.add_rep(hub_admin, "ann@example.com", "Ann")
    admin.add_rep(hub_admin, "bob@example.com", "Bob")
    sheet = tmp_path / "assign.csv"
    sheet.write_text(
        "lead;rep_email\r\n51;ann@example.com\r\ntom.becker@stark.example;ann@example.com\r\n"
        "999;ann@example.com\r\n53;nobody@example.com\r\n",
        encoding="utf-8",
    )
    report = admin.assign_from_csv(hub_admin, sheet)
    assert report.assigned == 2
    assert [e.line for e in report.errors] == [4, 5]
    assert upserts(hub_admin, ann.id, "lead") == {
        _lead(hub_admin, "51").id,
        _lead(hub_admin, "52").id,
    }
    move = tmp_path / "move.csv"
    move.write_text("external_id,rep\n51,bob@example.com\n", encoding="utf-8")
    refused = admin.assign_from_csv(hub_admin, move)
    assert refused.assigned == 0 and "--reassign" in refused.errors[0].reason
    assert admin.assign_from_csv(hub_admin, move, reassign=True).moved == 1


def test_rubric_and_taxonomy_files(hub_admin: admin.Hub, tmp_path: Path) -> None:
    ann, _ = admin.add_rep(hub_admin, "ann@example.com", "Ann")
    data = rubric_to_data(DEFAULT_RUBRIC).model_dump(mode="json")
    data["name"] = "Stricter"
    data["min_qualifying"] = 4
    good = tmp_path / "rubric.json"
    good.write_text(json.dumps(data), encoding="utf-8")
    assert admin.set_rubric(hub_admin, good).name == "Stricter"
    with hub_admin.db.read() as session:
        rows = session.scalars(select(RubricRow)).all()
    assert [(r.name, r.version, r.active) for r in rows] == [("Stricter", 2, True)]
    assert upserts(hub_admin, ann.id, "rubric") == {rows[0].id}

    bad_cases = {
        "not json {": "not valid JSON",
        json.dumps({"name": "x"}): "dimensions",
        json.dumps(
            {**data, "min_qualifying": 4, "dimensions": data["dimensions"][:2]}
        ): "only 2 dimensions",
        json.dumps({**data, "dimensions": [data["dimensions"][0]] * 2}): "listed twice",
        json.dumps(
            {
                **data,
                "dimensions": [
                    {
                        **data["dimensions"][0],
                        "options": [{"code": "a", "label": "A", "qualifies": False}],
                    }
                ],
                "min_qualifying": 1,
            }
        ): "no answer",
    }
    for text, message in bad_cases.items():
        bad = tmp_path / "bad.json"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(ValidationError, match=message):
            admin.set_rubric(hub_admin, bad)

    taxonomy = tmp_path / "taxonomy.json"
    taxonomy.write_text(
        json.dumps(
            [
                {
                    "code": "price",
                    "label": "Price / budget",
                    "description": "Too expensive, or no money for it this year.",
                },
                {"code": "competitor", "label": "Competitor (named)"},
                {"code": "data_residency", "label": "Data must stay in-country"},
            ]
        ),
        encoding="utf-8",
    )
    change = admin.set_taxonomy(hub_admin, taxonomy)
    assert (change.added, change.updated, change.unchanged) == (1, 1, 1)
    assert change.retired == len(DEFAULT_OBJECTION_CATEGORIES) - 2
    got = pulled(hub_admin, ann.id)
    assert got[("objection_category", "data_residency")] == "upsert"
    assert got[("objection_category", "timing")] == "remove"
    taxonomy.write_text(json.dumps([{"code": "Bad Code", "label": "x"}]), encoding="utf-8")
    with pytest.raises(ValidationError, match="lowercase"):
        admin.set_taxonomy(hub_admin, taxonomy)
