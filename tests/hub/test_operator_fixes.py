"""Operator-facing fixes found by running the docs: rep enable, feedback --since by the
hub's receipt time, serve refusing an un-initialised home, typo-proof rubric/taxonomy
files, unknown vs retired objection categories, collateral campaign/retire, database
URLs and how they are shown. The CLI and admin parts run on SQLite only (no database
logic of their own); the API parts run on both databases."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from tests.hub.admin_helpers import pulled, rep_id
from tests.hub.helpers import mutation, push
from tests.support.hub_fixtures import PDF_BYTES, new_hub
from tests.support.world import World

from repdesk.domain.defaults import DEFAULT_OBJECTION_CATEGORIES
from repdesk.domain.ids import utcnow
from repdesk.hub import admin, auth
from repdesk.hub.cli.main import EXIT_ERROR, EXIT_OK, main
from repdesk.hub.config import HubConfig
from repdesk.hub.db import models as m
from repdesk.hub.db.engine import describe_database, normalize_database_url
from repdesk.hub.embedded import EmbeddedHub

Clients = Callable[[str], httpx.Client]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.fixture
def home(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    path = str(tmp_path / "hub")
    assert run(capsys, "--home", path, "init")[0] == EXIT_OK
    return path


# --- a. rep enable ----------------------------------------------------------------------


def test_a_disabled_rep_can_be_enabled_again(capsys: pytest.CaptureFixture[str], home: str) -> None:
    email, password = "dana@example.test", "a long enough password"
    hub_home = ["--home", home]
    with admin.open_hub(HubConfig.resolve(home)) as embedded_hub:
        admin.add_rep(embedded_hub, email, "Dana", password)
    assert run(capsys, *hub_home, "rep", "disable", email)[0] == EXIT_OK
    with admin.open_hub(HubConfig.resolve(home)) as embedded_hub, embedded_hub.db.read() as s:
        assert auth.sign_in(s, email, password) == (None, "account_disabled")
    code, out, _ = run(capsys, *hub_home, "rep", "enable", email)
    assert code == EXIT_OK and "Enabled" in out
    with admin.open_hub(HubConfig.resolve(home)) as embedded_hub, embedded_hub.db.read() as s:
        rep, why = auth.sign_in(s, email, password)
        assert rep is not None and why == ""
    code, out, _ = run(capsys, *hub_home, "rep", "enable", email)
    assert code == EXIT_OK and "already active" in out
    code, _, err = run(capsys, *hub_home, "rep", "enable", "nobody@example.test")
    assert code == EXIT_ERROR and "no rep" in err


# --- b. feedback --since counts from when the hub got it --------------------------------


def test_bant_answers_synced_late_are_exported_since_their_arrival(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    ada = client_for(world.ada.email)
    lead = world.ada.leads[0]
    answered_offline = mutation(
        "qualification.update",
        lead,
        {"fields": {"budget": {"value": "yes"}}},
        base_version=0,
        recorded_at="2020-03-01T09:00:00Z",
    )
    assert push(ada, answered_offline)[0]["status"] == "applied"
    since = utcnow() - timedelta(hours=1)
    stream = io.StringIO()
    admin.export_feedback(
        admin.Hub(embedded_hub.config, embedded_hub.state.db, embedded_hub.state.files),
        stream,
        since=since,
        fmt="jsonl",
    )
    bant = [row for row in map(json.loads, stream.getvalue().splitlines()) if row["kind"] == "bant"]
    assert [(r["lead_id"], r["category"], r["value"]) for r in bant] == [(lead, "budget", "yes")]
    assert bant[0]["occurred_at"].startswith("2020-03-01")
    assert bant[0]["received_at"] >= since.isoformat()


# --- c. serve needs init ----------------------------------------------------------------


def test_serve_refuses_a_home_that_was_never_initialised(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    code, out, err = run(capsys, "--home", str(empty), "serve", "--port", "0")
    assert code == EXIT_ERROR and not out
    assert f"There is no hub at {empty.resolve()} yet: run `repdesk-hub init` first." in err
    assert not (empty / "hub.db").exists()


# --- d. typos in rubric and taxonomy files ----------------------------------------------


def test_a_typo_in_the_rubric_file_is_refused_naming_the_key_and_place(
    capsys: pytest.CaptureFixture[str], home: str, tmp_path: Path
) -> None:
    with admin.open_hub(HubConfig.resolve(home)) as embedded_hub, embedded_hub.db.read() as s:
        before = [(r.id, r.version) for r in s.scalars(select(m.RubricRow))]
        good = next(iter(s.scalars(select(m.RubricRow)))).data
    typo = json.loads(json.dumps(good))
    typo["dimensions"][1]["requried"] = False
    path = tmp_path / "rubric.json"
    path.write_text(json.dumps(typo), encoding="utf-8")
    code, _, err = run(capsys, "--home", home, "rubric", "set", str(path))
    dimension = typo["dimensions"][1]["dimension"]
    assert code == EXIT_ERROR and err.count("\n") == 1
    assert f"unknown key 'requried' in dimensions[1] ({dimension})" in err
    with admin.open_hub(HubConfig.resolve(home)) as embedded_hub, embedded_hub.db.read() as s:
        assert [(r.id, r.version) for r in s.scalars(select(m.RubricRow))] == before

    typo["dimensions"][1].pop("requried")
    typo["dimensions"][0]["options"][0]["qualfies"] = True
    path.write_text(json.dumps(typo), encoding="utf-8")
    code, _, err = run(capsys, "--home", home, "rubric", "set", str(path))
    assert code == EXIT_ERROR and "unknown key 'qualfies'" in err and "options[0]" in err

    taxonomy = tmp_path / "taxonomy.json"
    taxonomy.write_text(json.dumps([{"code": "price", "label": "Price", "descripton": "x"}]))
    code, _, err = run(capsys, "--home", home, "taxonomy", "set", str(taxonomy))
    assert code == EXIT_ERROR and "unknown key 'descripton' in categories[0] (price)" in err


# --- e. objection categories: unknown vs retired ----------------------------------------


def test_unknown_category_is_rejected_and_a_retired_one_still_accepted(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients, tmp_path: Path
) -> None:
    taxonomy = tmp_path / "taxonomy.json"
    taxonomy.write_text(json.dumps([{"code": "price", "label": "Price"}]), encoding="utf-8")
    change = admin.set_taxonomy(
        admin.Hub(embedded_hub.config, embedded_hub.state.db, embedded_hub.state.files), taxonomy
    )
    assert change.retired == len(DEFAULT_OBJECTION_CATEGORIES) - 1  # "timing" among them
    ada = client_for(world.ada.email)
    lead = world.ada.leads[0]
    retired = mutation("objection.create", lead, {"category_code": "timing"})
    unknown = mutation("objection.create", lead, {"category_code": "weather"})
    results = push(ada, retired, unknown)
    assert results[0]["status"] == "applied"
    assert results[1]["status"] == "rejected"
    assert results[1]["detail"]["code"] == "unknown_category"
    assert "weather" in results[1]["detail"]["reason"]
    with embedded_hub.state.db.read() as s:
        assert s.get(m.ObjectionRow, retired["entity_id"]) is not None
        assert s.get(m.ObjectionRow, unknown["entity_id"]) is None


# --- g. database URLs ---------------------------------------------------------------------


def test_postgres_urls_are_normalised_and_shown_without_the_password() -> None:
    for scheme in ("postgres", "postgresql"):
        url = normalize_database_url(f"{scheme}://u:s3cret@db.example.com:5433/sales")
        assert url == "postgresql+psycopg://u:s3cret@db.example.com:5433/sales"
        assert HubConfig.resolve("/tmp/x", database_url=f"{scheme}://h/db").database_url == (
            "postgresql+psycopg://h/db"
        )
    shown = describe_database("postgresql+psycopg://u:s3cret@db.example.com:5433/sales")
    assert shown == "PostgreSQL db.example.com:5433/sales"
    assert normalize_database_url("sqlite:///x/hub.db") == "sqlite:///x/hub.db"


@pytest.mark.postgres
def test_init_on_a_postgres_url_names_host_and_database_not_the_password(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    pg_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sqlalchemy.engine import make_url
    from tests.support.hub_fixtures import pg_schema_url

    parsed = make_url(pg_url)
    for url in pg_schema_url(pg_url):
        plain = url.replace(f"{parsed.drivername}://", "postgres://", 1)
        monkeypatch.setenv("REPDESK_HUB_DATABASE_URL", plain)
        code, out, _ = run(capsys, "--home", str(tmp_path / "hub"), "init")
        assert code == EXIT_OK
        assert f"Created a new hub at PostgreSQL {parsed.host}" in out
        assert f"/{parsed.database}." in out
        if parsed.password:
            assert f":{parsed.password}@" not in out


# --- h. collateral campaign and retire --------------------------------------------------


def test_collateral_list_shows_the_campaign_and_retire_removes_it_from_reps(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = HubConfig.resolve(tmp_path / "hub")
    pdf = tmp_path / "pricing.pdf"
    pdf.write_bytes(PDF_BYTES)
    with new_hub(config) as embedded_hub:
        admin.add_rep(embedded_hub, "rita@example.test", "Rita", "a long enough password")
        rep = rep_id(embedded_hub, "rita@example.test")
        from tests.support import hub_rows as seed

        seed.add_campaign(embedded_hub.db, "Spring webinar")
        info = admin.add_collateral(embedded_hub, pdf, "Pricing sheet", campaign="Spring webinar")
        assert pulled(embedded_hub, rep)[("collateral", info.id)] == "upsert"
    home = ["--home", str(config.home)]
    code, out, _ = run(capsys, *home, "collateral", "list")
    assert code == EXIT_OK and "Pricing sheet" in out and "[Spring webinar]" in out
    code, _, err = run(capsys, *home, "collateral", "retire", "abc")
    assert code == EXIT_ERROR and "No collateral" in err
    code, out, _ = run(capsys, *home, "collateral", "retire", info.sha256[:12])
    assert code == EXIT_OK and "Retired 'Pricing sheet'" in out
    code, out, _ = run(capsys, *home, "collateral", "list")
    assert "Pricing sheet" not in out
    with admin.open_hub(config) as embedded_hub:
        assert pulled(embedded_hub, rep)[("collateral", info.id)] == "remove"
