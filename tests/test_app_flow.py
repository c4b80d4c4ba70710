"""End to end through the composition root: demo hub on loopback -> sync -> store -> CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from repdesk.app.demo import DemoHub, start_demo_hub
from repdesk.app.services import open_store, sync_engine
from repdesk.cli.main import main as cli
from repdesk.store.api import LeadQuery
from repdesk.store.paths import AppPaths


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoHub]:
    hub = start_demo_hub(tmp_path_factory.mktemp("demo"))
    yield hub
    hub.stop()


def _signed_in(tmp_path: Path, demo: DemoHub) -> Path:
    data_dir = tmp_path / "client"
    store = open_store(data_dir)
    try:
        engine = sync_engine(store, AppPaths.resolve(data_dir))
        engine.login(demo.url, demo.email, demo.password)
        engine.sync()
    finally:
        store.close()
    return data_dir


def test_demo_sync_brings_the_rubric_taxonomy_and_own_leads(tmp_path: Path, demo: DemoHub) -> None:
    data_dir = _signed_in(tmp_path, demo)
    store = open_store(data_dir)
    try:
        rubric = store.rubric()
        assert rubric is not None, "the published rubric must reach the client"
        assert {d.dimension.value for d in rubric.dimensions} == {
            "budget",
            "authority",
            "need",
            "timeframe",
        }
        assert len(store.objection_categories()) >= 5
        ids = store.lead_ids(LeadQuery())
        assert len(ids) > 20
        rows = store.lead_rows(ids)
        # Not-ready leads name what is missing per the rubric (it was evaluated, not skipped).
        assert any(not r.ready and r.missing for r in rows)
    finally:
        store.close()


def test_cli_logs_offline_work_and_sync_uploads_it_once(
    tmp_path: Path, demo: DemoHub, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = _signed_in(tmp_path, demo)
    dd = ["--data-dir", str(data_dir)]
    assert cli(["leads", "--json", "--limit", "1", *dd]) == 0
    lead = json.loads(capsys.readouterr().out)[0]

    code = cli(
        ["log", lead["id"], "--note", "Asked about SSO <b>twice</b>", "--budget", "approved",
         "--objection", "price:Too pricey for this year", *dd]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert cli(["status", *dd]) == 0
    assert "Pending:    3" in capsys.readouterr().out

    assert cli(["sync", *dd]) == 0
    assert cli(["status", *dd]) == 0
    out = capsys.readouterr().out
    assert "Pending:    0" in out and "Rejected:   0" in out

    export = tmp_path / "pending.json"
    assert cli(["export-pending", str(export), *dd]) == 0
    document = json.loads(export.read_text(encoding="utf-8"))
    assert document["count"] == 0 and document["items"] == []


def test_export_pending_saves_queued_work_before_it_is_sent(
    tmp_path: Path, demo: DemoHub, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = _signed_in(tmp_path, demo)
    dd = ["--data-dir", str(data_dir)]
    assert cli(["leads", "--json", "--limit", "1", *dd]) == 0
    lead = json.loads(capsys.readouterr().out)[0]
    assert cli(["log", lead["id"], "--note", "Call back Tuesday", *dd]) == 0
    export = tmp_path / "pending.json"
    assert cli(["export-pending", str(export), *dd]) == 0
    document = json.loads(export.read_text(encoding="utf-8"))
    assert document["count"] == 1
    assert document["items"][0]["kind"] == "call_note.create"
    assert document["items"][0]["payload"]["body"] == "Call back Tuesday"


def test_cli_rejects_a_value_not_on_the_rubric_scale(
    tmp_path: Path, demo: DemoHub, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = _signed_in(tmp_path, demo)
    dd = ["--data-dir", str(data_dir)]
    assert cli(["leads", "--json", "--limit", "1", *dd]) == 0
    lead = json.loads(capsys.readouterr().out)[0]
    assert cli(["log", lead["id"], "--budget", "lots", *dd]) == 1
    err = capsys.readouterr().err
    assert "not on the rubric's scale" in err
    assert cli(["status", *dd]) == 0
    assert "Pending:    0" in capsys.readouterr().out


def test_without_a_keyring_sync_asks_for_the_password_instead_of_failing(
    tmp_path: Path,
    demo: DemoHub,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """keyring's own `fail` backend stands in for a headless machine with no Secret Service."""
    import io

    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    dd = ["--data-dir", str(tmp_path / "client")]
    # Each command first asks the passphrase of the encrypted local data (chosen, typed
    # twice, by the first one), then, where it must sign in, the hub password.
    phrase = "passphrase of this laptop\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(phrase + phrase + demo.password + "\n"))
    assert cli(["login", "--hub", demo.url, "--email", demo.email, *dd]) == 0
    assert "keyring" in capsys.readouterr().err.lower()

    # A new process would have lost the in-memory token: status says so plainly...
    monkeypatch.setattr("sys.stdin", io.StringIO(phrase))
    assert cli(["status", *dd]) == 0
    assert "no sign-in token is stored" in capsys.readouterr().out
    # ...and sync signs in again from the password on stdin, then syncs.
    monkeypatch.setattr("sys.stdin", io.StringIO(phrase + demo.password + "\n"))
    assert cli(["sync", *dd]) == 0, capsys.readouterr().err
    assert "received" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO(phrase))
    assert cli(["leads", "--json", *dd]) == 0
    assert len(json.loads(capsys.readouterr().out)) > 20
    # With nothing more on stdin it refuses clearly instead of sending an empty password.
    monkeypatch.setattr("sys.stdin", io.StringIO(phrase))
    assert cli(["sync", *dd]) == 1
    assert "password" in capsys.readouterr().err
    # And with no passphrase either, nothing is opened.
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert cli(["status", *dd]) == 1
    assert "needs your passphrase" in capsys.readouterr().err


def test_a_demo_hub_seeded_before_a_crash_starts_again(tmp_path: Path) -> None:
    """Seeding is one hub transaction; nothing outside the hub (no marker file) decides
    whether it happened, so a first run that died right after seeding still restarts."""
    first = start_demo_hub(tmp_path)
    first.stop()
    (tmp_path / "hub" / ".demo-seeded").unlink(missing_ok=True)  # as if the run died here
    again = start_demo_hub(tmp_path)
    try:
        data_dir = _signed_in(tmp_path, again)
        store = open_store(data_dir)
        try:
            assert store.lead_count() > 20
        finally:
            store.close()
    finally:
        again.stop()


def test_the_demo_names_its_workspace_and_users_that_can_sign_in(demo: DemoHub) -> None:
    """`./dev demo` prints this line on stdout: the address and credentials must be real."""
    import re

    from sqlalchemy import select

    from repdesk.hub.auth import verify_password
    from repdesk.hub.db import models as m

    line = demo.workspace_line
    match = re.fullmatch(r"Marketing workspace: (\S+) \(sign in as (.+), password (\S+)\)", line)
    assert match is not None, line
    assert match.group(1) == f"{demo.url.rstrip('/')}/workspace/"
    emails, password = match.group(2).split(" or "), match.group(3)
    with demo.hub.state.db.read() as session:
        users = {u.email: u for u in session.scalars(select(m.User))}
    assert {users[e].role for e in emails} == {"marketing", "admin"}
    assert all(verify_password(users[e].password_hash, password) for e in emails)
