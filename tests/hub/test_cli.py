"""`repdesk-hub` driven in-process: outputs, exit codes, and one-line errors, never tracebacks."""

from __future__ import annotations

import csv
import io
import json
import re
import socket
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.hub.admin_helpers import DATA
from tests.support.corpus import CORPUS

from repdesk.domain.ids import utcnow
from repdesk.hub import admin, auth
from repdesk.hub.cli.main import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL, main
from repdesk.hub.config import HubConfig
from repdesk.hub.db.models import CallNote, Lead, RubricRow, RubricVersion, User
from repdesk.hub.demo import DEMO_PASSWORD


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


def test_init_then_reps(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    home = str(tmp_path / "hub")
    code, out, _ = run(capsys, "init", "--home", home)
    assert code == EXIT_OK and "Created a new hub" in out
    code, out, _ = run(capsys, "--home", home, "init")
    assert "up to date" in out
    code, out, _ = run(capsys, "--home", home, "rep", "add", "ann@example.com", "--name", "Ann")
    assert code == EXIT_OK
    password = out.split("privately): ")[1].strip()
    config = HubConfig.resolve(home)
    with admin.open_hub(config) as hub, hub.db.write() as session:
        assert auth.authenticate(session, "ann@example.com", password) is not None
    code, out, _ = run(capsys, "--home", home, "rep", "list")
    assert "ann@example.com" in out and "active" in out
    code, out, _ = run(capsys, "--home", home, "rep", "reset-password", "ann@example.com")
    new_password = out.split(": ")[-1].strip()
    assert new_password != password
    code, out, _ = run(capsys, "--home", home, "rep", "disable", "ann@example.com")
    assert code == EXIT_OK and "Disabled" in out
    code, _, err = run(capsys, "--home", home, "rep", "add", "ann@example.com", "--name", "A")
    assert code == EXIT_ERROR and err.count("\n") == 1 and "already exists" in err


def test_password_from_stdin_is_not_echoed(
    capsys: pytest.CaptureFixture[str], home: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough secret\n"))
    code, out, _ = run(
        capsys,
        "--home",
        home,
        "rep",
        "add",
        "bob@example.com",
        "--name",
        "Bob",
        "--password-stdin",
    )
    assert code == EXIT_OK and "a long enough secret" not in out
    with admin.open_hub(HubConfig.resolve(home)) as hub, hub.db.write() as session:
        assert auth.authenticate(session, "bob@example.com", "a long enough secret")


def test_home_comes_from_the_environment(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPDESK_HUB_HOME", str(tmp_path / "from-env"))
    assert run(capsys, "init")[0] == EXIT_OK
    assert (tmp_path / "from-env" / "hub.db").is_file()


def test_commands_before_init_fail_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "--home", str(tmp_path / "none"), "rep", "list")
    assert code == EXIT_ERROR and out == ""
    assert err.strip().count("\n") == 0 and "repdesk-hub init" in err


def test_import_exit_codes_and_row_errors(capsys: pytest.CaptureFixture[str], home: str) -> None:
    code, out, err = run(
        capsys, "--home", home, "import", "leads", str(DATA / "salesforce_leads.csv"), "--dry-run"
    )
    assert code == EXIT_PARTIAL and "Dry run" in out and "line 7:" in err
    code, out, _ = run(capsys, "--home", home, "import", "leads", str(DATA / "repdesk_leads.jsonl"))
    assert code == EXIT_PARTIAL and "2 new" in out
    code, _, err = run(capsys, "--home", home, "import", "leads", str(CORPUS / "pdfkit.pdf"))
    assert code == EXIT_ERROR and "PDF" in err and err.count("\n") == 1
    code, _, err = run(capsys, "--home", home, "import", "events", str(DATA / "missing.csv"))
    assert code == EXIT_ERROR and "Cannot read" in err
    good = Path(home) / "ok.csv"
    good.write_text("Record ID,First Name,Email\n1,Ann,ann@example.com\n", encoding="utf-8")
    assert run(capsys, "--home", home, "import", "leads", str(good))[0] == EXIT_OK
    code, _, err = run(capsys, "--home", home, "import", "events", str(DATA / "events.csv"))
    assert code == EXIT_ERROR, "no event matched a known lead: nothing imported is an error"


def test_collateral_add_and_list(
    capsys: pytest.CaptureFixture[str], home: str, tmp_path: Path
) -> None:
    code, out, err = run(
        capsys,
        "--home",
        home,
        "collateral",
        "add",
        str(CORPUS / "libreoffice-writer-password.pdf"),
        "--title",
        "Locked",
        "--tag",
        "security",
        "--tag",
        "pricing",
    )
    assert code == EXIT_OK and "application/pdf" in out and "password" in err
    cut = tmp_path / "cut.pdf"
    cut.write_bytes((CORPUS / "pdflatex-outline.pdf").read_bytes()[:3000])
    code, _, err = run(capsys, "--home", home, "collateral", "add", str(cut), "--title", "Cut")
    assert code == EXIT_OK and "Warning:" in err
    code, _, err = run(
        capsys,
        "--home",
        home,
        "collateral",
        "add",
        str(CORPUS / "pdfkit.pdf"),
        "--title",
        "Kit",
        "--campaign",
        "Nope",
    )
    assert code == EXIT_ERROR and "no campaign" in err
    code, out, _ = run(capsys, "--home", home, "collateral", "list")
    assert "Locked" in out and "security,pricing" in out and "Cut" in out


def test_rubric_and_taxonomy_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], home: str, tmp_path: Path
) -> None:
    bad = tmp_path / "rubric.json"
    bad.write_text('{"name": "x", "dimensions": []}', encoding="utf-8")
    code, _, err = run(capsys, "--home", home, "rubric", "set", str(bad))
    assert code == EXIT_ERROR and err.count("\n") == 1 and "no dimensions" in err
    taxonomy = tmp_path / "taxonomy.json"
    taxonomy.write_text(json.dumps({"categories": [{"code": "price", "label": "Price"}]}))
    code, out, _ = run(capsys, "--home", home, "taxonomy", "set", str(taxonomy))
    assert code == EXIT_OK and "1 changed" in out and "retired" in out


def test_serve_on_a_taken_port_says_so(capsys: pytest.CaptureFixture[str], home: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = run(capsys, "--home", home, "serve", "--port", str(port))
    assert code == EXIT_ERROR and out == ""
    assert f"Port {port} on 127.0.0.1 is already in use" in err


def test_demo_prints_credentials_and_refuses_a_second_time(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    home = str(tmp_path / "demo-hub")
    code, out, _ = run(capsys, "--home", home, "demo")
    assert code == EXIT_OK
    assert "alex@demo.repdesk" in out and DEMO_PASSWORD in out and "360 leads" in out
    with admin.open_hub(HubConfig.resolve(home)) as hub, hub.db.write() as session:
        assert auth.authenticate(session, "alex@demo.repdesk", DEMO_PASSWORD) is not None
    # Marketing's workspace: where to open it, and users whose printed password works.
    [line] = [x for x in out.splitlines() if x.startswith("Marketing workspace: ")]
    match = re.search(
        r"(http://127\.0\.0\.1:8765/workspace/) \(sign in as (.+), password (\S+)\)", line
    )
    assert match is not None, line
    emails, password = match.group(2).split(" or "), match.group(3)
    with admin.open_hub(HubConfig.resolve(home)) as hub, hub.db.read() as session:
        users = {u.email: u for u in session.scalars(select(User))}
        assert {(e, users[e].role) for e in emails} == {
            ("marketing@demo.repdesk", "marketing"),
            ("admin@demo.repdesk", "admin"),
        }
        for email in emails:
            assert not users[email].disabled
            assert auth.verify_password(users[email].password_hash, password)
            assert not auth.verify_password(users[email].password_hash, password + "x")
        history = session.scalars(select(RubricVersion).order_by(RubricVersion.version)).all()
        assert [h.version for h in history] == [1, 2]
        [active] = session.scalars(select(RubricRow).where(RubricRow.active.is_(True))).all()
        assert active.version == 2 and active.data == history[-1].data
        assigned = session.scalars(select(Lead).where(Lead.owner_rep_id.is_not(None))).all()
        assert assigned and all(lead.assigned_at is not None for lead in assigned)
    code, _, err = run(capsys, "--home", home, "demo")
    assert code == EXIT_ERROR and "empty hub" in err


def test_bad_arguments_exit_2_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "assign")[0] == 2
    assert run(capsys, "frobnicate")[0] == 2


def test_unexpected_failure_is_one_line_and_logged(
    capsys: pytest.CaptureFixture[str], home: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fault injected with a patched service: the CLI's last-resort handler is the subject."""

    def boom(_hub: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(admin, "list_reps", boom)
    code, _, err = run(capsys, "--home", home, "rep", "list")
    assert code == EXIT_ERROR and err.count("\n") == 1 and "disk on fire" in err
    assert "disk on fire" in (Path(home) / "logs" / "hub.log").read_text(encoding="utf-8")


def test_import_assign_export_on_sqlite_and_postgresql(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    hub_db_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REPDESK_HUB_DATABASE_URL", hub_db_url)
    home = str(tmp_path / "hub")
    h = ("--home", home)
    assert run(capsys, *h, "init")[0] == EXIT_OK
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough secret\n"))
    assert (
        run(capsys, *h, "rep", "add", "ann@example.com", "--name", "Ann", "--password-stdin")[0]
        == EXIT_OK
    )
    assert run(capsys, *h, "rep", "add", "bob@example.com", "--name", "Bob")[0] == EXIT_OK
    code, out, _ = run(capsys, *h, "import", "leads", str(DATA / "hubspot_contacts.csv"))
    assert code == EXIT_PARTIAL and "4 new" in out
    assert run(capsys, *h, "import", "events", str(DATA / "events.csv"))[0] == EXIT_ERROR
    code, out, _ = run(
        capsys,
        *h,
        "assign",
        "--to",
        "ann@example.com",
        "--where",
        "industry=manufacturing",
        "--where",
        "country=Germany",
    )
    assert code == EXIT_OK and "Assigned 1 lead(s)" in out
    code, out, _ = run(capsys, *h, "assign", "--to", "bob@example.com", "--limit", "2")
    assert "Assigned 2 lead(s)" in out
    sheet = tmp_path / "move.csv"
    sheet.write_text("lead,rep\n52,bob@example.com\n", encoding="utf-8")
    code, _, err = run(capsys, *h, "assign", "--csv", str(sheet))
    assert code == EXIT_ERROR and "--reassign" in err
    code, out, _ = run(capsys, *h, "assign", "--csv", str(sheet), "--reassign")
    assert code == EXIT_OK and "1 moved" in out
    with admin.open_hub(HubConfig.resolve(home)) as hub, hub.db.read() as session:
        assert hub.db.url == hub_db_url
        owners = dict(session.execute(select(Lead.external_id, Lead.owner_rep_id)).tuples().all())
        assert owners["52"] is not None
        assert sorted(v is None for v in owners.values()) == [False, False, False, True]
        lead52 = session.scalar(select(Lead).where(Lead.external_id == "52"))
        assert lead52 is not None

    with admin.open_hub(HubConfig.resolve(home)) as hub, hub.db.write() as session:
        session.add(
            CallNote(
                id="note-1",
                lead_id=lead52.id,
                rep_id=lead52.owner_rep_id or "",
                mutation_id="m-1",
                body="Wants a pilot, budget in Q3",
                created_at=utcnow(),
            )
        )
    out_file = tmp_path / "feedback.csv"
    code, out, _ = run(
        capsys, *h, "feedback", "export", "--since", "2020-01-01", "--output", str(out_file)
    )
    assert code == EXIT_OK and "Wrote 1 feedback row(s)" in out
    rows = list(csv.DictReader(out_file.open(encoding="utf-8")))
    assert [(r["kind"], r["rep_email"], r["lead_external_id"]) for r in rows] == [
        ("call_note", "bob@example.com", "52")
    ]
    code, out, _ = run(capsys, *h, "feedback", "export", "--format", "jsonl")
    assert json.loads(out.splitlines()[0])["text"] == "Wants a pilot, budget in Q3"
    code, _, err = run(capsys, *h, "feedback", "export", "--since", "last tuesday")
    assert code == EXIT_ERROR and "not a date" in err
    code, out, _ = run(capsys, *h, "unassign", "--from", "bob@example.com")
    assert code == EXIT_OK and "Unassigned 3 lead(s)" in out


def test_serve_answers_reps_on_loopback(home: str) -> None:
    """The real command in a subprocess: the sync API answers on the chosen port."""
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "repdesk.hub.cli", "--home", home, "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert "Serving the hub" in proc.stdout.readline()  # printed once the app is built
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/v1/sync/meta", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the hub did not start listening"
                try:  # paces the retries and notices a server that died on start-up
                    proc.wait(timeout=0.05)
                except subprocess.TimeoutExpired:
                    continue
                raise AssertionError(proc.stderr.read() if proc.stderr else "exited") from None
        assert response.status_code == 200
        assert response.json()["protocol_version"] >= 1
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_import_says_which_encoding_and_shows_names_as_read(
    capsys: pytest.CaptureFixture[str], home: str
) -> None:
    sheet = Path(home) / "excel.csv"
    sheet.write_bytes(
        "Id,FirstName,LastName,Company,Email\r\n"
        "00Q1,María,Ñúñez,Café Naïve SL,maria@example.es\r\n"
        "00Q2,Jürgen,Weiß,Straße AG,j@example.de\r\n".encode("cp1252")
    )
    code, out, _ = run(capsys, "--home", home, "import", "leads", str(sheet), "--dry-run")
    assert code == EXIT_OK
    assert "Encoding: cp1252 (Windows-1252" in out
    assert "Names as read: María Ñúñez, Jürgen Weiß" in out
    # Forced: used as given, and said so.
    code, out, _ = run(
        capsys, "--home", home, "import", "leads", str(sheet), "--dry-run", "--encoding", "latin-1"
    )
    assert code == EXIT_OK and "Encoding: iso8859-1 (given with --encoding)" in out
    code, out, err = run(
        capsys, "--home", home, "import", "leads", str(sheet), "--encoding", "klingon"
    )
    assert code == EXIT_ERROR and out == "" and err.count("\n") == 1
    assert "'klingon' is not an encoding" in err
    code, _, err = run(capsys, "--home", home, "import", "leads", str(sheet), "--encoding", "utf-8")
    assert code == EXIT_ERROR and "not valid utf-8 text (line 2" in err
    # A real import of a clean file says nothing about encodings...
    code, out, _ = run(capsys, "--home", home, "import", "leads", str(sheet))
    assert code == EXIT_OK and "Encoding" not in out


def test_a_guessed_encoding_is_never_silent(capsys: pytest.CaptureFixture[str], home: str) -> None:
    from faker import Faker

    fake = Faker("pl_PL")
    fake.seed_instance(3)
    lines = ["Id,FirstName,LastName,Email"]
    lines += [f"P{i},{fake.first_name()},{fake.last_name()},p{i}@example.pl" for i in range(40)]
    sheet = Path(home) / "polish.csv"
    sheet.write_bytes("\r\n".join(lines).encode("cp1250"))
    code, out, _ = run(capsys, "--home", home, "import", "leads", str(sheet))
    assert code == EXIT_OK
    assert "Encoding: cp1250 (GUESSED" in out and "--encoding" in out
    log = (Path(home) / "logs" / "hub.log").read_text(encoding="utf-8")
    assert "encoding guessed as cp1250" in log
